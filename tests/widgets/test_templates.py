"""The views' HTML templates: autoescaped, strict, and hostile text stays text.

Template syntax in a case file (``{{ 7*7 }}``, ``{% if %}``) is data like any other text: it
is put into a template's context, never compiled as a template, so it reaches the page as
written. HTML in it reaches the page escaped.
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest
from markupsafe import Markup

from igm.cases import Case, list_cases
from igm.i18n import LANGUAGES, t
from widgets.templates import environment, render, t_html, text_html
from widgets.ui import readout_html

HOSTILE_DIR = Path(__file__).resolve().parents[1] / "book" / "hostile"
HOSTILE_TEXTS = (
    "<script>alert('x')</script>",
    "{{ 7*7 }}",
    "{% if true %}yes{% endif %}",
    '"><img src=x onerror=alert(1)>',
    "{# comment #} & &amp; ${7*7}",
)


class _Parsed(HTMLParser):
    def __init__(self, fragment: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.texts: list[str] = []
        self.feed(fragment)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += attrs

    def handle_data(self, data: str) -> None:
        self.texts.append(data)


@pytest.fixture
def hostile(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Case]]:
    monkeypatch.setenv("IGM_CASES_DIR", str(HOSTILE_DIR))
    yield {case.id: case for case in list_cases()}


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_a_readout_shows_hostile_text_literally(text: str) -> None:
    fragment = readout_html(text, text, 0.5, text)
    parsed = _Parsed(fragment)
    assert parsed.tags == ["span", "span", "span"]
    assert parsed.texts == [text, text, text]
    assert "49" not in fragment and "yes" not in fragment.replace(text, "")


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_text_html_shows_hostile_text_literally(text: str) -> None:
    parsed = _Parsed(text_html("p", text, cls="igm-summary", strong=True))
    assert parsed.tags == ["p", "strong"]
    assert parsed.texts == [text]


def test_text_html_writes_text_elements_only() -> None:
    with pytest.raises(ValueError, match="script"):
        text_html("script", "alert(1)")


def test_a_name_missing_from_a_template_fails_loudly() -> None:
    with pytest.raises(jinja2.UndefinedError):
        render("readout.html", label="only a label")


@pytest.mark.parametrize("package", ["widgets", "apps", "book"])
def test_every_template_escapes(package: str) -> None:
    env = environment(package)
    autoescape = env.autoescape
    names = env.list_templates()
    assert names
    assert callable(autoescape) and all(autoescape(name) for name in names)
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"


def test_t_html_escapes_the_sentence_and_plain_parts_but_not_rendered_ones() -> None:
    span = Markup('<span class="n">7</span>')
    for lang in LANGUAGES:
        sentence = t_html(
            "book.model.readout", lang, intention=span, ability="<b>", behaviour="{{ 7*7 }}"
        )
        assert '<span class="n">7</span>' in sentence
        assert "&lt;b&gt;" in sentence and "<b>" not in sentence
        assert "{{ 7*7 }}" in sentence


@pytest.mark.parametrize("lang", LANGUAGES)
def test_explorer_shows_template_syntax_from_a_case_as_written(
    hostile: dict[str, Case], lang: str
) -> None:
    from widgets.explorer import Explorer, narrative_html

    case = hostile["hostile-template"]
    explorer = Explorer(case.id, lang)
    page = narrative_html(case, lang)
    parsed = "".join(_Parsed(page).texts)
    assert case.target_behaviour.target(lang) == "{{ 7*7 }}"
    assert "{{ 7*7 }}" in parsed
    assert case.evidence["social_influence"](lang) in parsed  # {% include ... %}
    assert case.evidence["knowledge_skills"](lang) in parsed  # {# comment #}
    first_paragraph = case.narrative(lang).split("\n\n")[0].strip()
    assert first_paragraph.startswith("{% for c in") and first_paragraph in parsed
    # the readouts and the diagram are the engine's numbers, whatever the texts hold
    readout = _Parsed(explorer.intention_out.value)
    assert readout.texts[0] == t("output.intention", lang)
    assert "<script" not in explorer.diagram.value


@pytest.mark.parametrize("lang", LANGUAGES)
def test_explorer_shows_html_from_a_case_escaped(hostile: dict[str, Case], lang: str) -> None:
    from widgets.explorer import narrative_html

    case = hostile["hostile-markup"]
    parsed = _Parsed(narrative_html(case, lang))
    assert "script" not in parsed.tags and "img" not in parsed.tags
    assert not [name for name, _ in parsed.attributes if name.startswith("on")]
    assert case.title(lang) in "".join(parsed.texts)
