"""A learner's name and answer text reach the exercise page and the dashboard literally.

The pages are made by autoescaped Jinja2 templates: markup in a name or an answer is shown as
the characters the learner typed (no element is made of it), and template syntax in it is
not evaluated (``{{ 7*7 }}`` stays ``{{ 7*7 }}``, never ``49``). The check parses each HTML
widget as a browser would and compares the text it shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import exercises.app as ea
from exercises import get_exercise, grade
from exercises.app import ExerciseApp, Feedback, Graded
from exercises.dashboard import Dashboard
from gradebook import Gradebook, open_gradebook
from tests.exercises.answers import perfect, wrong

HOSTILE = "<script>window.pwned=1</script><b>Eve</b> {{ 7*7 }} {% if 1 %}x{% endif %} &amp;"
TOKEN = "trainer-secret-123"


class _Page(HTMLParser):
    """The text a browser shows of an HTML fragment, and the elements it makes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def shown(widget: Any) -> tuple[str, list[str]]:
    """The text of every HTML widget under ``widget``, and the elements they make."""
    page = _Page()

    def walk(node: Any) -> None:
        value = getattr(node, "value", None)
        if isinstance(value, str) and node.__class__.__name__ == "HTML":
            page.feed(value)
            page.text.append("\n")
        for child in getattr(node, "children", ()):
            walk(child)

    walk(widget)
    page.close()
    return "".join(page.text), page.tags


def assert_literal(widget: Any, expected_times: int = 1) -> str:
    text, tags = shown(widget)
    # the whole text, braces included: template syntax in it was not evaluated
    assert text.count(HOSTILE) >= expected_times, text
    assert "script" not in tags and "b" not in tags
    return text


@pytest.fixture
def gb(tmp_path: Path) -> Iterator[Gradebook]:
    with open_gradebook(f"sqlite:///{tmp_path / 'gb.sqlite3'}") as book:
        yield book


@pytest.fixture(autouse=True)
def fresh_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ea, "_KERNEL_LEARNER", None)


def test_a_hostile_name_and_feedback_text_are_shown_literally(gb: Gradebook) -> None:
    app = ExerciseApp("intervention-plan", "en", gb, env={})
    assert app.identify(HOSTILE, "s1234567")
    assert_literal(app.identity_box)
    assert app.form is not None and app.variant is not None
    # the feedback of a grader (a remote one sends it as text): every text in it is the
    # grader's, shown as it came
    sheet_items = [item.id for item in app.form.sheet.items]
    feedback = Feedback(
        item_scores=dict.fromkeys(sheet_items, 0.0),
        points=0.0,
        max_points=float(len(sheet_items)),
        feedback=dict.fromkeys(sheet_items, HOSTILE),
        kept_text={sheet_items[0]: HOSTILE},
        summary=HOSTILE,
    )
    app._show_feedback(Graded(feedback, heading=HOSTILE))
    for item_id in sheet_items:
        assert_literal(app.form.items[item_id])
    assert_literal(app.result, expected_times=2)  # the heading and the summary


def test_a_hostile_name_and_answer_are_shown_literally_on_the_dashboard(gb: Gradebook) -> None:
    gb.register_learner("s1111111", HOSTILE)
    gb.register_learner("s2222222", "Sam")
    for number, make in (("S1111111", wrong), ("S2222222", perfect)):
        variant = get_exercise("recognise-determinant").make_variant(number)
        answers = make(variant)
        result = grade(variant, answers, "en")
        if number == "S1111111":
            # an answer text as a learner could send it to the gradebook: stored as given
            answers = dict.fromkeys(answers, HOSTILE)
        gb.for_learner(number).record_attempt(
            "recognise-determinant",
            variant.fingerprint,
            answers,
            result.item_scores,
            result.max_points,
        )
    dash = Dashboard("en", gb, TOKEN)
    assert dash.unlock(TOKEN)
    dash.stop()
    assert_literal(dash.overview)
    assert_literal(dash.recent)
    items = dash.sections["recognise-determinant"][2]
    text = assert_literal(items)
    assert f"{HOSTILE} (1×)" in text  # the most chosen wrong answer
