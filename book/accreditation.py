"""What a trainer hands to an accrediting body: study load and learning goals per chapter.

The study load is set here, once for both editions (:data:`STUDY_LOAD_MINUTES`). The learning
goals are read from the chapters themselves (their "Leerdoelen" / "Learning goals" box), so the
list in chapter 9 (directive ``igm-accreditation``) never drifts from the chapters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from igm.i18n import fmt_number, t

__all__ = [
    "STUDY_LOAD_MINUTES",
    "Chapter",
    "accreditation_markdown",
    "chapter_files",
    "chapters",
    "learning_goals",
    "total_minutes",
]

BOOK_DIR = Path(__file__).resolve().parent

#: Study load per chapter in minutes, for one participant studying alone: reading, the
#: questions in the page, the exercise(s) linked from the chapter and the reflection questions.
#: Chapter 6 includes working through the case pages. A group session (chapter 9's draaiboek,
#: three hours) comes on top of this.
STUDY_LOAD_MINUTES: dict[str, int] = {
    "01-why-behaviour": 45,
    "02-willen": 60,
    "03-kunnen": 60,
    "04-gap": 45,
    "05-working-with-the-model": 75,
    "05b-the-conversation": 90,
    "06-cases": 120,
    "07-the-model": 60,
    "08-beyond-job-seekers": 45,
    "09-for-trainers": 60,
}

#: The box at the top of a chapter that holds its learning goals (title per language).
_GOALS_BOX = re.compile(
    r"^:::\{admonition\} (?:Leerdoelen|Learning goals)\n(?P<body>.*?)^:::\s*$",
    re.MULTILINE | re.DOTALL,
)


@dataclass(frozen=True)
class Chapter:
    """One chapter of an edition: file name (no suffix), title, learning goals, study load."""

    name: str
    title: str
    goals: tuple[str, ...]
    minutes: int


def chapter_files(lang: str) -> list[str]:
    """The chapters of an edition in book order: every file of the numbered parts of its
    table of contents (not the glossary, references or evaluation form)."""
    toc: dict[str, Any] = yaml.safe_load((BOOK_DIR / lang / "_toc.yml").read_text("utf-8"))
    return [
        entry["file"]
        for part in toc.get("parts", [])
        if part.get("numbered")
        for entry in part.get("chapters", [])
        if "file" in entry
    ]


def learning_goals(source: str) -> tuple[str, ...]:
    """The items of a chapter's learning-goals box (a MyST admonition), one string each."""
    found = _GOALS_BOX.search(source)
    if not found:
        return ()
    goals: list[str] = []
    for line in found.group("body").splitlines():
        if line.startswith("- "):
            goals.append(line[2:].strip())
        elif goals and line.startswith((" ", "\t")) and line.strip():
            goals[-1] += " " + line.strip()  # a goal that runs over two lines
    return tuple(goals)


def _title(source: str) -> str:
    heading = next((line for line in source.splitlines() if line.startswith("# ")), "# ")
    return heading[2:].strip()


def chapters(lang: str, book_dir: Path = BOOK_DIR) -> list[Chapter]:
    """Every chapter of the ``lang`` edition with its title, goals and study load (0 if none
    is set: tests/book/test_accreditation.py fails on that)."""
    out = []
    for name in chapter_files(lang):
        source = (book_dir / lang / f"{name}.md").read_text(encoding="utf-8")
        out.append(
            Chapter(name, _title(source), learning_goals(source), STUDY_LOAD_MINUTES.get(name, 0))
        )
    return out


def total_minutes(lang: str) -> int:
    return sum(chapter.minutes for chapter in chapters(lang))


def accreditation_markdown(lang: str) -> str:
    """The table of study load per chapter with the total, then every chapter's goals."""
    minutes = total_minutes(lang)
    lines = [
        f"| {t('book.accreditation.chapter', lang)} | {t('book.accreditation.load', lang)} |",
        "|---|---|",
    ]
    for chapter in chapters(lang):
        link = f"[{chapter.title}]({chapter.name}.md)"  # MyST resolves it to the chapter page
        lines.append(f"| {link} | {t('book.accreditation.minutes', lang, n=chapter.minutes)} |")
    total = t(
        "book.accreditation.total_time",
        lang,
        n=minutes,
        hours=fmt_number(minutes / 60, lang, 1),
    )
    lines += [f"| **{t('book.accreditation.total', lang)}** | **{total}** |", ""]
    lines += [t("book.accreditation.load_note", lang), ""]
    for chapter in chapters(lang):
        lines += [
            f"**{chapter.title}** ({t('book.accreditation.minutes', lang, n=chapter.minutes)})",
            "",
        ]
        lines += [t("book.accreditation.goals_lead", lang), ""]
        lines += [f"- {goal}" for goal in chapter.goals]
        lines.append("")
    return "\n".join(lines)
