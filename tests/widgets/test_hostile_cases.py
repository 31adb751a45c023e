"""Hostile case files in the apps and live pages: their texts are shown as text, never as HTML.

The cases of ``tests/book/hostile/`` (valid files whose texts are HTML, ``<script>``,
``javascript:`` links, directives, template expressions and 10,000-character lines) in the
explorer, the planner, the case editor and the live-session pages. Every HTML the widgets
send to the page (``w.HTML`` values) and every live page must hold the case text escaped:
the text reads as written, and no tag, attribute or link comes from a case. Widgets whose
``description`` holds case text must show it as text (``description_allow_html`` off).
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import ipywidgets as w
import pytest

from igm.cases import Case, list_cases
from igm.i18n import LANGUAGES

HOSTILE = Path(__file__).resolve().parents[1] / "book" / "hostile"
#: Tags that only a case text could have put there (the apps' own HTML uses none of them).
FOREIGN_TAGS = {"script", "img", "iframe", "b", "i"}
#: What the hostile cases' scripts and style sheets hold, were they ever HTML.
PAYLOAD_CODE = ("alert(", "display:none")


@pytest.fixture
def hostile(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Case]]:
    monkeypatch.setenv("IGM_CASES_DIR", str(HOSTILE))
    cases = list_cases()
    assert sorted(c.id for c in cases) == ["hostile-long", "hostile-markup", "hostile-template"]
    yield cases


class _Html(HTMLParser):
    """The tags, attributes, text and script/style contents of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.code: list[str] = []  # contents of <script> and <style>
        self._in_code = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_code = tag in {"script", "style"}

    def handle_endtag(self, tag: str) -> None:
        self._in_code = False

    def handle_data(self, data: str) -> None:
        (self.code if self._in_code else self.text).append(data)


def _parse(fragment: str) -> _Html:
    parsed = _Html()
    parsed.feed(fragment)
    parsed.close()
    return parsed


def _walk(widget: Any) -> list[Any]:
    found = [widget]
    for child in getattr(widget, "children", ()):
        found += _walk(child)
    return found


def _check_html(fragment: str, where: str) -> str:
    """Fail on anything in ``fragment`` that a case text made; return its text."""
    parsed = _parse(fragment)
    assert not [c for c in parsed.code for p in PAYLOAD_CODE if p in c], f"{where}: {fragment}"
    for tag, attributes in parsed.tags:
        assert tag not in FOREIGN_TAGS, f"{where}: <{tag} {attributes}> in {fragment[:200]!r}"
        for name, value in attributes.items():
            assert not name.startswith("on"), f"{where}: {name}={value!r}"
            if name in {"href", "src", "action"}:
                assert not (value or "").strip().lower().startswith("javascript:"), where
    return "".join(parsed.text)


def _shown(root: Any, where: str) -> str:
    """The text of every HTML widget under ``root``, after checking each; and descriptions."""
    texts = []
    for widget in _walk(root):
        if isinstance(widget, (w.HTML, w.HTMLMath)):
            texts.append(_check_html(widget.value, where))
        description = getattr(widget, "description", "")
        if description and getattr(widget, "description_allow_html", False):
            texts.append(_check_html(description, where))
        elif description:
            texts.append(description)
        if isinstance(widget, w.Dropdown):
            texts += [str(label) for label, _value in widget.options]
    return "\n".join(texts)


def _one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_explorer_shows_case_text_as_text(hostile: list[Case], lang: str) -> None:
    """Title, summary, story and evidence of each hostile case: literal text, no markup."""
    from widgets.explorer import Explorer

    for case in hostile:
        explorer = Explorer(case.id, lang)
        shown = _one_line(_shown(explorer.widget, f"explorer {case.id} {lang}"))
        for text in (case.title(lang), case.summary(lang), case.evidence["attitude"](lang)):
            assert _one_line(text) in shown, f"{case.id}: {text[:80]!r} not shown as text"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_planner_shows_case_text_as_text(hostile: list[Case], lang: str) -> None:
    """Title, interventions and the plan export of each hostile case: literal text."""
    from widgets.planner import Planner

    for case in hostile:
        planner = Planner(case.id, lang)
        planner.choose([item.id for item in case.interventions[:1]])
        where = f"planner {case.id} {lang}"
        shown = _one_line(_shown(planner.widget, where))
        for item in case.interventions:
            assert _one_line(item.label(lang)) in shown, f"{where}: label not shown as text"
            assert _one_line(item.description(lang)) in shown, f"{where}: description"
        assert _one_line(case.title(lang)) in shown
        # The export is plain text: the label exactly as written, not escaped.
        assert case.interventions[0].label(lang) in planner.export()


def test_case_editor_shows_case_text_as_text(hostile: list[Case]) -> None:
    """A hostile case opened in the editor: form values as written, HTML parts escaped."""
    from widgets.case_editor import CaseEditor

    for case in hostile:
        editor = CaseEditor("nl", token=None, directory=HOSTILE)
        editor.open_case(case.id)
        where = f"case editor {case.id}"
        _shown(editor.widget, where)  # no tag, handler or link from the case in any HTML part
        values = [
            str(widget.value)
            for widget in _walk(editor.widget)
            if isinstance(widget, (w.Text, w.Textarea))
        ]
        assert case.title("nl") in values, f"{where}: the title is not in a form field as written"
        assert case.title("en") in values


def test_live_pages_escape_case_text(hostile: list[Case]) -> None:
    """The participant page, the trainer's home and the trainer screen of a live session."""
    import markupsafe

    from live.pages import dashboard_page, participant_page, room_html, trainer_page
    from live.room import summarise
    from live.store import RoomAnswers

    pages: dict[str, str] = {}
    for case in hostile:
        for lang in LANGUAGES:
            session = {
                "code": "ABC123",
                "case_id": case.id,
                "round": 1,
                "status": "open",
                "revealed": False,
                "lang": lang,
            }
            room = RoomAnswers(session, 0, [], [], [], 0)
            summary = summarise(room)
            pages[f"participant {case.id} {lang}"] = participant_page("/live/", session, lang)
            pages[f"trainer {case.id} {lang}"] = trainer_page(
                "/live/", "http://127.0.0.1", session, lang, 1, summary
            )
            pages[f"room {case.id} {lang}"] = room_html(summary, lang)
            pages[f"home {case.id} {lang}"] = dashboard_page(
                "/live/", lang, [{"code": "ABC123", "case_id": case.id, "status": "open"}], str
            )
            title = str(markupsafe.escape(case.title(lang)))  # as the live templates escape
            assert title in pages[f"participant {case.id} {lang}"]
            assert title in pages[f"trainer {case.id} {lang}"]
            assert title in pages[f"home {case.id} {lang}"]
    for where, page in pages.items():
        parsed = _parse(page)
        assert not [c for c in parsed.code for p in PAYLOAD_CODE if p in c], where
        for tag, attributes in parsed.tags:
            assert tag not in {"img", "iframe", "b", "i"}, f"{where}: <{tag} {attributes}>"
            if tag == "script":  # the page's own: its file, or its JSON messages
                assert attributes.get("src") or attributes.get("type") == "application/json"
            for name, value in attributes.items():
                assert not name.startswith("on"), f"{where}: {name}={value!r}"
                if name in {"href", "src", "action"}:
                    assert not (value or "").lower().startswith("javascript:"), where
