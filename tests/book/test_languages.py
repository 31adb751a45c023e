"""Do the Dutch and English editions have the same pages, glossary and page furniture?"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from book.build import glossary
from igm.i18n import LANGUAGES, missing_translations, t
from tests.book.conftest import BOOK, pages


def _relative(html: Path, lang: str) -> set[str]:
    return {p.relative_to(html / lang).as_posix() for p in pages(html, lang)}


def test_every_page_exists_in_both_editions(built_book: Path) -> None:
    """Is any page built in one edition only?"""
    nl, en = (_relative(built_book, lang) for lang in LANGUAGES)
    assert nl - en == set(), f"only in the Dutch edition: {sorted(nl - en)}"
    assert en - nl == set(), f"only in the English edition: {sorted(en - nl)}"
    assert len(nl) >= 12 + 6, f"expected the chapters and six case pages, got {sorted(nl)}"


def test_sources_and_tocs_match() -> None:
    """Do both editions list the same files in the same order?"""
    tocs = {lang: yaml.safe_load((BOOK / lang / "_toc.yml").read_text()) for lang in LANGUAGES}

    def files(node: object) -> list[str]:
        if isinstance(node, dict):
            return [v for k, v in node.items() if k in {"file", "glob", "root"}] + [
                f for k, v in node.items() if k not in {"caption"} for f in files(v)
            ]
        if isinstance(node, list):
            return [f for item in node for f in files(item)]
        return []

    assert files(tocs["nl"]) == files(tocs["en"])
    sources = {
        lang: sorted(p.relative_to(BOOK / lang).as_posix() for p in (BOOK / lang).glob("*.md"))
        for lang in LANGUAGES
    }
    assert sources["nl"] == sources["en"]


def test_glossary_entries_exist_in_both_languages() -> None:
    """Does every glossary entry have a term and a definition in every language?"""
    problems = [
        f"{key} ({lang})"
        for key, entry in glossary().items()
        for lang in LANGUAGES
        if not (entry.get(lang, {}).get("term") and entry.get(lang, {}).get("definition"))
    ]
    assert not problems, f"glossary entries missing a language: {problems}"
    assert len(glossary()) >= 20


def test_built_glossaries_have_the_same_entries(built_book: Path) -> None:
    """Do both built glossary pages show every entry?"""
    counts = {
        lang: len(re.findall(r'<dt id="term-', (built_book / lang / "glossary.html").read_text()))
        for lang in LANGUAGES
    }
    assert counts["nl"] == counts["en"] == len(glossary()), counts


def test_every_page_links_to_the_other_edition(built_book: Path) -> None:
    """Does every page link to the same page in the other language, and does that page exist?"""
    for lang in LANGUAGES:
        other = next(x for x in LANGUAGES if x != lang)
        for page in pages(built_book, lang):
            text = page.read_text(encoding="utf-8")
            found = re.search(r'class="igm-lang-switch".*?href="([^"]+)"', text, re.S)
            assert found, f"{page}: no language switch"
            target = (page.parent / found.group(1)).resolve()
            rel = page.relative_to(built_book / lang)
            assert target == (built_book / other / rel).resolve(), f"{page}: links to {target}"
            assert target.exists(), f"{page}: other edition's page {target} is missing"
            assert t(f"book.read_in.{other}", lang) in text


def test_every_page_says_the_model_is_illustrative(built_book: Path) -> None:
    """Does every page carry the illustrative notice, in its own language?"""
    for lang in LANGUAGES:
        notice = t("notice.illustrative", lang).split(":")[0]
        for page in pages(built_book, lang):
            text = page.read_text(encoding="utf-8")
            assert notice in text, f"{page}: no illustrative notice"
            assert f'<html lang="{lang}"' in text, f"{page}: wrong html lang"


def test_catalogue_is_complete() -> None:
    """Is any UI string (the book's included) missing a language?"""
    assert missing_translations() == []
