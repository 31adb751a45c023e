"""One term list (igm/data/terms.yaml), kept in every learner-facing text of the kit.

Checked: both editions of the book (chapter sources; the case pages are generated from the
cases), the glossary, the catalogue, the cases, the practice conversations and the exercises'
texts, each in its language.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from igm.i18n import LANGUAGES, catalogue

REPO = Path(__file__).resolve().parents[1]
TERMS_FILE = REPO / "igm" / "data" / "terms.yaml"


def term_list() -> dict[str, list[dict[str, Any]]]:
    terms: dict[str, list[dict[str, Any]]] = yaml.safe_load(TERMS_FILE.read_text(encoding="utf-8"))
    return terms


def _texts_by_language(value: Any, where: str) -> Iterator[tuple[str, str, str]]:
    """(language, where, text) for every ``{nl: ..., en: ...}`` string inside a YAML value."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in LANGUAGES and isinstance(item, str):
                yield key, where, item
            else:
                yield from _texts_by_language(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _texts_by_language(item, f"{where}[{i}]")


def learner_texts() -> Iterator[tuple[str, str, str]]:
    """(language, where, text) of every learner-facing text the term list covers."""
    for lang in LANGUAGES:
        for page in sorted((REPO / "book" / lang).rglob("*.md")):
            if "cases" not in page.relative_to(REPO / "book" / lang).parts:
                yield lang, str(page.relative_to(REPO)), page.read_text(encoding="utf-8")
        for key, text in catalogue().items():
            yield lang, f"catalogue {key}", text(lang)
    sources = [REPO / "book" / "glossary.yml", REPO / "book" / "checks.yml"]
    sources += sorted((REPO / "case_studies").glob("*.yaml"))
    sources += sorted((REPO / "case_studies" / "conversations").glob("*.yaml"))
    sources += sorted((REPO / "exercises" / "grading_cases").glob("*.yaml"))  # score-case's
    sources += sorted((REPO / "exercises" / "items").glob("*.yaml"))
    for path in sources:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        yield from _texts_by_language(data, str(path.relative_to(REPO)))


def violations(text: str, entry: dict[str, Any]) -> list[str]:
    """The forbidden variants of ``entry`` in ``text`` (whole words, outside its exceptions)."""
    for phrase in entry.get("except", []):
        text = text.replace(phrase, " ")
    return [
        variant
        for variant in entry["forbidden"]
        if re.search(rf"(?<![\w-]){re.escape(variant)}(?![\w-])", text)
    ]


def test_the_term_list_is_well_formed() -> None:
    terms = term_list()
    assert set(terms) <= set(LANGUAGES)
    for lang, entries in terms.items():
        for entry in entries:
            assert entry["term"] and entry["forbidden"], (lang, entry)
            assert not violations(entry["term"], entry), (lang, entry)


def test_the_checker_finds_a_variant_but_not_a_longer_word() -> None:
    klant = next(e for e in term_list()["nl"] if e["term"] == "klant")
    assert violations("Vraag het de cliënt zelf.", klant) == ["cliënt"]
    assert not violations("De klant en de cliëntenraad.", klant)
    trainer = next(e for e in term_list()["en"] if e["term"] == "trainer")
    assert not violations("Her language teacher says so.", trainer)
    assert violations("Ask your teacher.", trainer) == ["teacher"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_text_uses_the_term_list(lang: str) -> None:
    entries = term_list().get(lang, [])
    found = [
        f"{where}: {variant!r} (use {entry['term']!r})"
        for text_lang, where, text in learner_texts()
        if text_lang == lang
        for entry in entries
        for variant in violations(text, entry)
    ]
    assert not found, "\n".join(found)
