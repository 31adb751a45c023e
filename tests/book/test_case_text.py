"""Case text reaches the book's Markdown as text: what MyST sees of it, without a build.

:func:`book.build.myst_text` is the one place case text enters a case page. These tests
parse its output with the book's own MyST configuration (same extensions as the
``_config.yml`` files) and check that, whatever the text, the parser sees one ``igm-text``
role holding exactly that text, and nothing else: no heading, list, table, fence, directive,
substitution, maths, HTML or link. The real build is in ``test_hostile_cases.py``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

from book.build import (
    CASE_TEXT_ROLE,
    case_page,
    case_text,
    count_in_words,
    myst_paragraphs,
    myst_text,
    substitutions,
    write_case_pages,
)
from igm.cases import load_case, scan_cases
from igm.i18n import LANGUAGES, t
from igm.model import model_for
from igm.report import (
    bottleneck_sentence,
    estimate_note,
    estimated_effects,
    in_sentence,
    lever_gain,
    lever_name,
)
from tests.book.conftest import BOOK, REPO, case_strings

HOSTILE = Path(__file__).parent / "hostile"

#: Strings a trainer (or an attacker) could put in a case text; each must stay text.
PAYLOADS = [
    "{{ lipsum.__globals__['__builtins__']['__import__']('os').popen('id').read() }}",
    "{% for x in range(3) %}x{% endfor %}",
    "```{literalinclude} ../../../exercises/items/recognise-determinant.yaml\n```",
    "```{include} /etc/passwd\n```",
    "```{raw} html\n<script>alert(1)</script>\n```",
    "```{eval-rst}\n.. include:: /etc/passwd\n```",
    ":::{note}\nnot a note\n:::",
    "{download}`/etc/passwd` {doc}`index` {raw-html}`<b>`",
    "<script>alert(1)</script><img src=x onerror=alert(2)>",
    "[click](javascript:alert(3)) ![i](javascript:alert(4)) <https://example.org/>",
    "$x$ $$y$$ \\(z\\)",
    "# heading\n- list\n1. list\n> quote\n    code\n| a | b |\n|---|---|",
    "&amp; &#60; &lt;b&gt; <!-- c --> (label)= %comment +++ [^1]",
    "a `b` *c* **d** _e_ ~~f~~ \\ g \\| h ` i",
    "'single' \"double\" -- --- ...",
    "",
    " \t leading and trailing whitespace \t ",
    "x" * 10_000,
]


def _book_parser() -> MarkdownIt:
    config = yaml.safe_load((BOOK / "nl" / "_config.yml").read_text(encoding="utf-8"))
    extensions = set(config["parse"]["myst_enable_extensions"])
    return create_md_parser(MdParserConfig(enable_extensions=extensions), RendererHTML)


MD = _book_parser()


def _inline_children(markdown: str) -> list[Token]:
    """The inline tokens of a Markdown text that must be one block (paragraph, heading, ...)."""
    inline = [tok for tok in MD.parse(markdown) if tok.type == "inline"]
    return [child for tok in inline for child in tok.children or []]


def _shown(children: list[Token]) -> list[str]:
    """The case texts of the ``igm-text`` roles among inline tokens."""
    return [
        case_text(tok.content)
        for tok in children
        if tok.type == "myst_role" and tok.meta.get("name") == CASE_TEXT_ROLE
    ]


def _check_one_role(text: str, markdown: str, *, around: AbstractSet[str] = frozenset()) -> None:
    children = _inline_children(markdown)
    kinds = [tok.type for tok in children if tok.type not in around]
    assert kinds == ["myst_role"], f"{text!r} became {kinds} in {markdown!r}"
    assert _shown(children) == [text]


@pytest.mark.parametrize("text", [p for p in PAYLOADS if p.strip()], ids=range(len(PAYLOADS) - 1))
def test_a_payload_is_one_role_holding_exactly_it(text: str) -> None:
    """Is each hostile string, in each place of a case page, one role with exactly that text?"""
    role = myst_text(text)
    assert re.fullmatch(r"\{igm-text\}`[A-Za-z0-9%._~-]+`", role), role
    _check_one_role(text, role)  # a paragraph
    _check_one_role(text, f"# {role}")  # the page title
    _check_one_role(text, f"| a | b |\n|---|---|\n| x | {role} |", around={"text"})  # a cell
    _check_one_role(text, f"**{role}**: x", around={"strong_open", "strong_close", "text"})


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=300).filter(str.strip))
def test_any_text_is_one_role_holding_exactly_it(text: str) -> None:
    """Whatever the characters (all of Unicode, newlines, backticks), is it one role?"""
    _check_one_role(text, myst_text(text))
    _check_one_role(text, f"# {myst_text(text)}")


def test_an_empty_text_adds_nothing() -> None:
    """An empty string is no role at all (an empty role would show its backticks)."""
    assert myst_text("") == ""


def test_a_narrative_keeps_its_paragraphs() -> None:
    """Is a narrative one paragraph (one role) per paragraph of the text?"""
    narrative = "First ```{raw} html\n<b>x</b>\n```\n\n   \n    Second, indented {{ x }}\n\nThird"
    blocks = [tok for tok in MD.parse(myst_paragraphs(narrative)) if tok.type != "inline"]
    assert [tok.type for tok in blocks] == ["paragraph_open", "paragraph_close"] * 3
    shown = _shown(_inline_children(myst_paragraphs(narrative)))
    assert shown == ["First ```{raw} html\n<b>x</b>\n```", "Second, indented {{ x }}", "Third"]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("path", sorted(HOSTILE.glob("*.yaml")), ids=lambda p: p.stem)
def test_a_hostile_case_page_has_its_texts_only_as_roles(path: Path, lang: str) -> None:
    """Does a hostile case's page show every case string, and no markup made of them?"""
    case = load_case(path)
    tokens = MD.parse(case_page(case, lang))
    children = [child for tok in tokens for child in tok.children or []]
    shown = _shown(children)
    for text in case_strings(case, lang):
        assert text in shown, f"{text[:80]!r} not shown as one text"
    fences = [tok.info.strip() for tok in tokens if tok.type in {"fence", "colon_fence"}]
    assert fences == ["{note}", "{igm-model}"], fences  # the page's own, none from the case
    kinds = {tok.type for tok in [*tokens, *children]}
    forbidden = {
        "html_block",
        "html_inline",
        "link_open",
        "image",
        "math_inline",
        "math_block",
        "code_block",
        "code_inline",
        "blockquote_open",
        "hr",
    }
    assert kinds & forbidden == set()
    roles = {tok.meta.get("name") for tok in children if tok.type == "myst_role"}
    assert roles == {CASE_TEXT_ROLE}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_case_pages_word_effects_as_estimates_and_capacity_as_adapting_the_work(
    lang: str,
) -> None:
    """Each effect is the case author's estimate, with the target behaviour's time frame; the
    knelpunt is the engine's one sentence (which one and how sure, or why there is none); a
    capacity knelpunt reads as adapting the work and the load, never as raising capacity."""
    for case in scan_cases(REPO / "case_studies").cases:
        page = case_page(case, lang)
        assert estimate_note(case, lang, literal=myst_text) in page
        for item in case.interventions:
            assert f"- {estimated_effects(item.effects, lang)}" in page
        p = model_for(case.domain).predict(case.scores)
        assert bottleneck_sentence(p, lang) in page  # the one wording of the knelpunt, or none
        for lever in p.levers[:3]:
            assert lever_gain(lever.key, lever.gain, lang) in page
        model_part = page.split(f"## {t('book.case.model', lang)}")[1]
        model_part = model_part.split(f"## {t('book.case.interventions', lang)}")[0]
        assert not re.search(r"verhoog|\braise", model_part, re.I)
    lotte = load_case(REPO / "case_studies" / "lotte-na-burn-out.yaml")
    assert model_for(lotte.domain).predict(lotte.scores).bottleneck == "capacity"
    assert in_sentence(lever_name("capacity", lang)) in case_page(lotte, lang)


def test_the_book_has_no_substitutions_and_only_the_syntax_it_uses() -> None:
    """No Jinja (MyST substitutions), no definition lists; numbers come from a role."""
    for lang in LANGUAGES:
        config: dict[str, Any] = yaml.safe_load((BOOK / lang / "_config.yml").read_text())
        assert config["parse"]["myst_enable_extensions"] == ["colon_fence", "dollarmath"]
        for page in (BOOK / lang).glob("*.md"):
            text = page.read_text(encoding="utf-8")
            assert "{{" not in text, f"{page}: a substitution; use {{igm-number}}`name`"
            for name in re.findall(r"\{igm-number\}`([^`]*)`", text):
                assert name in substitutions(), f"{page}: unknown number {name!r}"


def test_the_case_count_in_the_prose_follows_the_folder() -> None:
    """The book says how many cases it has from case_studies/, never as a hard-coded word."""
    count = len(scan_cases(REPO / "case_studies").cases)
    assert (count_in_words(8, "nl"), count_in_words(8, "en"), count_in_words(25, "nl")) == (
        "acht",
        "eight",
        "25",
    )
    for lang in LANGUAGES:
        assert substitutions(lang)["n_cases"] == count_in_words(count, lang)
        for name in ("index.md", "06-cases.md"):
            text = (BOOK / lang / name).read_text(encoding="utf-8")
            assert "{igm-number}`n_cases`" in text, f"{lang}/{name}"
            assert not re.search(r"\b(zes|six) (verzonnen |fictional )?(casussen|case)", text)


def test_links_to_case_pages_name_real_cases() -> None:
    """Does every link from the prose to a case page name a case of case_studies/?

    A link to a case page the build does not have is shown as its text (an invalid case file
    must not fail the book), so a typo would not fail the build: this test catches it.
    """
    known = {case.id for case in scan_cases(REPO / "case_studies").cases}
    for lang in LANGUAGES:
        for page in (BOOK / lang).glob("*.md"):
            for target in re.findall(r"\]\(cases/([^)#]+)\.md", page.read_text(encoding="utf-8")):
                assert target in known, f"{page}: links to unknown case {target!r}"


def test_case_pages_are_written_for_valid_cases_only(tmp_path: Path) -> None:
    """Is an invalid case file skipped, and a page of a case that is gone removed?"""
    cases = tmp_path / "cases"
    cases.mkdir()
    shutil.copy(REPO / "case_studies" / "marja-bijstand.yaml", cases)
    broken = (REPO / "case_studies" / "lotte-na-burn-out.yaml").read_text(encoding="utf-8")
    (cases / "lotte-na-burn-out.yaml").write_text(broken.replace("score: 2", "score: 8", 1))
    source = tmp_path / "nl"
    (source / "cases").mkdir(parents=True)
    (source / "cases" / "gone.md").write_text("# Gone\n")
    scan = scan_cases(cases)
    assert [Path(f).name for f in scan.skipped_files()] == ["lotte-na-burn-out.yaml"]
    written = write_case_pages(source, "nl", scan)
    assert [p.name for p in written] == ["marja-bijstand.md"]
    assert sorted(p.name for p in (source / "cases").iterdir()) == ["marja-bijstand.md"]
