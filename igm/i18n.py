"""The one translation catalogue of the kit: every learner-facing string in Dutch and English.

Strings live in ``igm/data/catalogue.yaml`` as ``key: {nl: ..., en: ...}`` (one entry per language code). Dutch comes first:
it is the learners' language. :func:`missing_translations` is what the tests use to prove that
nothing exists in one language only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any

import yaml

__all__ = [
    "DECIMAL_MARK",
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "Text",
    "catalogue",
    "fmt_number",
    "missing_translations",
    "t",
]

#: Supported languages, Dutch first.
LANGUAGES: tuple[str, ...] = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
#: The decimal mark per language (a third language adds its own here).
DECIMAL_MARK: dict[str, str] = {"nl": ",", "en": "."}


class Text(Mapping[str, str]):
    """A learner-facing text: a mapping from language code to string, e.g.
    ``Text(nl="Houding", en="Attitude")`` or ``Text({"nl": ..., "en": ...})``.

    Call it with a language code to get one string. A language without a string gives ``""``
    (:func:`missing_translations` and the case validator report those); a code outside
    :data:`LANGUAGES` raises. Adding a language means adding translations, not code.
    """

    __slots__ = ("_by_language",)

    def __init__(self, by_language: Mapping[str, str] | None = None, /, **strings: str) -> None:
        merged = {**(by_language or {}), **strings}
        unknown = sorted(set(merged) - set(LANGUAGES))
        if unknown:
            raise ValueError(f"unknown language(s) {unknown}; allowed: {', '.join(LANGUAGES)}")
        self._by_language: dict[str, str] = {lang: merged.get(lang, "") for lang in LANGUAGES}

    def __call__(self, lang: str = DEFAULT_LANGUAGE) -> str:
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}; allowed: {', '.join(LANGUAGES)}")
        return self._by_language[lang]

    def __getitem__(self, lang: str) -> str:
        return self._by_language[lang]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_language)

    def __len__(self) -> int:
        return len(self._by_language)

    def __hash__(self) -> int:
        return hash(tuple(self._by_language.items()))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Text):
            return self._by_language == other._by_language
        return NotImplemented

    def __repr__(self) -> str:
        return f"Text({self._by_language!r})"


@cache
def catalogue() -> dict[str, Text]:
    """All catalogue entries by key."""
    text = resources.files("igm").joinpath("data/catalogue.yaml").read_text(encoding="utf-8")
    raw: dict[str, Any] = yaml.safe_load(text)
    return {
        key: Text({lang: str(entry.get(lang) or "") for lang in LANGUAGES})
        for key, entry in raw.items()
    }


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **values: object) -> str:
    """The catalogue text for ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``."""
    try:
        entry = catalogue()[key]
    except KeyError:
        raise KeyError(f"no catalogue entry {key!r} in igm/data/catalogue.yaml") from None
    text = entry(lang)
    return text.format(**values) if values else text


def fmt_number(value: float, lang: str, decimals: int | None = 1) -> str:
    """A number with the language's decimal mark (Dutch: comma), e.g. ``"4,8"``: the kit's
    one number formatter. ``decimals`` None gives the shortest form (``7``, ``3,75``)."""
    text = f"{value:g}" if decimals is None else f"{value:.{decimals}f}"
    return text.replace(".", DECIMAL_MARK[lang])


def missing_translations() -> list[str]:
    """Catalogue entries that are empty in a language, as ``key (lang)``."""
    return [
        f"{key} ({lang})"
        for key, entry in catalogue().items()
        for lang in LANGUAGES
        if not entry(lang).strip()
    ]
