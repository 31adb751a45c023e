"""The book's formative checks: two or three questions per chapter, answered in the page.

The questions live in one data file, ``book/checks.yml``, keyed by the chapter's page name
(``03-kunnen``); every text holds all languages (``{nl: ..., en: ...}``), so the editions
cannot drift apart. Each question has a stem, three or four options, exactly one of them
right, and feedback per option that says why and points back to the chapter.

``{igm-check}`` in a chapter (``book/_ext/igm_book.py``) renders that chapter's questions
with :func:`checks_html` through the autoescaped template ``book/templates/checks.html``:
the texts are data, never markup. ``book/_static/igm-book.js`` gives the feedback at once,
in the page (no kernel, no network, nothing stored); without JavaScript each question shows
its explained answer in a ``<details>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from igm.i18n import LANGUAGES, t
from igm.resources import package_path

__all__ = [
    "CHECKS_PER_CHAPTER",
    "OPTIONS_PER_CHECK",
    "Check",
    "Option",
    "checks_html",
    "load_checks",
]

#: How many questions a chapter has, and how many options a question.
CHECKS_PER_CHAPTER = range(2, 4)
OPTIONS_PER_CHECK = range(3, 5)
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Option:
    text: dict[str, str]
    correct: bool
    feedback: dict[str, str]


@dataclass(frozen=True)
class Check:
    id: str
    question: dict[str, str]
    options: tuple[Option, ...]

    @property
    def answer(self) -> int:
        """The index of the right option."""
        return next(i for i, option in enumerate(self.options) if option.correct)


def _texts(raw: Any, where: str) -> dict[str, str]:
    """A text in every language, each non-empty; anything else fails loudly."""
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected {{{', '.join(LANGUAGES)}}}, got {raw!r}")
    missing = [lang for lang in LANGUAGES if not str(raw.get(lang) or "").strip()]
    if missing:
        raise ValueError(f"{where}: no text in {', '.join(missing)}")
    return {lang: " ".join(str(raw[lang]).split()) for lang in LANGUAGES}


def _check(raw: Any, where: str) -> Check:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: a check is a mapping with id, question and options")
    check_id = str(raw.get("id", ""))
    if not _ID.match(check_id):
        raise ValueError(f"{where}: id {check_id!r} is not lower-case-with-dashes")
    where = f"{where} ({check_id})"
    raw_options = raw.get("options")
    if not isinstance(raw_options, list) or len(raw_options) not in OPTIONS_PER_CHECK:
        raise ValueError(
            f"{where}: needs {OPTIONS_PER_CHECK.start}-{OPTIONS_PER_CHECK.stop - 1} options"
        )
    options = tuple(
        Option(
            text=_texts(o.get("text") if isinstance(o, dict) else None, f"{where} option {i + 1}"),
            correct=bool(o.get("correct", False)),
            feedback=_texts(o.get("feedback"), f"{where} option {i + 1} feedback"),
        )
        for i, o in enumerate(raw_options)
    )
    if sum(o.correct for o in options) != 1:
        raise ValueError(f"{where}: exactly one option must be correct")
    return Check(check_id, _texts(raw.get("question"), f"{where} question"), options)


def load_checks(path: Path | None = None) -> dict[str, tuple[Check, ...]]:
    """Every chapter's checks from ``book/checks.yml`` (or ``path``), validated."""
    source = path or package_path("book") / "checks.yml"
    raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise ValueError(f"{source}: expected a mapping of chapter -> checks")
    chapters: dict[str, tuple[Check, ...]] = {}
    for chapter, items in raw.items():
        if not isinstance(items, list) or len(items) not in CHECKS_PER_CHAPTER:
            raise ValueError(
                f"{source}: {chapter} needs {CHECKS_PER_CHAPTER.start}-"
                f"{CHECKS_PER_CHAPTER.stop - 1} checks"
            )
        checks = tuple(_check(item, f"{source}: {chapter}") for item in items)
        ids = [c.id for c in checks]
        if len(set(ids)) != len(ids):
            raise ValueError(f"{source}: {chapter} repeats a check id: {ids}")
        chapters[str(chapter)] = checks
    return chapters


def checks_html(checks: tuple[Check, ...], lang: str, prefix: str) -> str:
    """The HTML of one chapter's checks; ``prefix`` makes the element ids unique in the page."""
    from widgets.templates import environment

    if not _ID.match(prefix):
        raise ValueError(f"prefix {prefix!r} is not lower-case-with-dashes")
    return (
        environment("book")
        .get_template("checks.html")
        .render(
            checks=checks,
            lang=lang,
            prefix=prefix,
            right=t("book.check.right", lang),
            wrong=t("book.check.wrong", lang),
        )
    )
