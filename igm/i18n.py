"""The one translation catalogue of the kit: every learner-facing string in Dutch and English.

Strings live in ``igm/data/catalogue.yaml`` as ``key: {nl: ..., en: ...}``. Dutch comes first:
it is the learners' language. :func:`missing_translations` is what the tests use to prove that
nothing exists in one language only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

__all__ = [
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


@dataclass(frozen=True)
class Text:
    """A learner-facing text in both languages. Call it with a language code to get one."""

    nl: str
    en: str

    def __call__(self, lang: str = DEFAULT_LANGUAGE) -> str:
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}; allowed: {', '.join(LANGUAGES)}")
        value: str = getattr(self, lang)
        return value


@cache
def catalogue() -> dict[str, Text]:
    """All catalogue entries by key."""
    text = resources.files("igm").joinpath("data/catalogue.yaml").read_text(encoding="utf-8")
    raw: dict[str, Any] = yaml.safe_load(text)
    return {key: Text(nl=str(v.get("nl", "")), en=str(v.get("en", ""))) for key, v in raw.items()}


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
    return text.replace(".", ",") if lang == "nl" else text


def missing_translations() -> list[str]:
    """Catalogue entries that are empty in a language, as ``key (lang)``."""
    return [
        f"{key} ({lang})"
        for key, entry in catalogue().items()
        for lang in LANGUAGES
        if not entry(lang).strip()
    ]
