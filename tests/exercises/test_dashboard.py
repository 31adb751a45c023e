"""The trainer dashboard without a browser: token gate, what it shows, escaping, exports."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from exercises import get_exercise, grade
from exercises.dashboard import Dashboard, app, item_analysis
from gradebook import Gradebook, open_gradebook
from tests.exercises.answers import perfect, wrong

TOKEN = "trainer-secret-123"
EVIL = "<script>alert('x')</script>"


@pytest.fixture
def gb(tmp_path: Path) -> Iterator[Gradebook]:
    with open_gradebook(f"sqlite:///{tmp_path / 'gb.sqlite3'}") as book:
        book.register_learner("s1111111", EVIL)
        book.register_learner("s2222222", "Sam")
        for number, make in (("S1111111", perfect), ("S2222222", wrong)):
            for ex_id in ("recognise-determinant", "score-case"):
                variant = get_exercise(ex_id).make_variant(number)
                answers = make(variant)
                result = grade(variant, answers, "nl")
                book.for_learner(number).record_attempt(
                    ex_id, variant.fingerprint, answers, result.item_scores, result.max_points
                )
        yield book


def all_html(widget: object) -> str:
    out = []

    def walk(node: object) -> None:
        value = getattr(node, "value", None)
        if isinstance(value, str):
            out.append(value)
        for child in getattr(node, "children", ()):
            walk(child)

    walk(widget)
    return "\n".join(out)


def test_without_a_token_it_refuses_and_reads_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IGM_TRAINER_TOKEN", raising=False)
    widget = app("en", gradebook=None)
    text = all_html(widget)
    assert "switched off" in text
    assert "Sam" not in text


def test_wrong_token_shows_nothing(gb: Gradebook) -> None:
    dash = Dashboard("nl", gb, TOKEN)
    assert not dash.unlock("wrong")
    assert not dash.unlock("")
    text = all_html(dash.widget)
    assert "klopt niet" in text and "Sam" not in text and "S2222222" not in text


def test_dashboard_shows_results_escaped_and_exports(gb: Gradebook) -> None:
    dash = Dashboard("en", gb, TOKEN)
    assert dash.unlock(TOKEN)
    dash.stop()
    text = all_html(dash.widget)
    assert "Sam" in text and "S2222222" in text
    assert EVIL not in text and "&lt;script&gt;" in text
    assert "Learners with a counting score: 2;" in text
    links = re.findall(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', dash.export.value)
    assert len(links) == 2
    sheet, every = (base64.b64decode(x).decode() for x in links)
    assert "S2222222" in sheet and "recognise-determinant" in sheet
    assert every.count("\n") == 1 + 4
    # refresh picks up a new attempt; an unchanged gradebook is not redrawn
    assert not dash.refresh()
    variant = get_exercise("compare-clients").make_variant("S2222222")
    result = grade(variant, perfect(variant), "en")
    gb.for_learner("S2222222").record_attempt(
        "compare-clients",
        variant.fingerprint,
        perfect(variant),
        result.item_scores,
        result.max_points,
    )
    assert dash.refresh()
    assert "Learners with a counting score: 1;" in all_html(dash.widget)


def test_item_analysis_counts_the_most_chosen_wrong_answer(gb: Gradebook) -> None:
    chosen = gb.best_or_last("best", exercise_id="recognise-determinant")
    rows = item_analysis(list(chosen.values()), "recognise-determinant", "en")
    assert [r["item"] for r in rows][:2] == ["q1", "q2"]
    assert all(r["correct"] == 0.5 for r in rows)
    assert all("(1×)" in r["wrong"] for r in rows)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_attempts_on_a_retired_exercise_are_shown_marked_and_exported(
    gb: Gradebook, lang: str
) -> None:
    """An attempt on "predict" (retired by migration 0005) is not dropped: the dashboard
    counts it, names it as retired with its replacement, and both CSVs carry it, marked."""
    gb.for_learner("S2222222").record_attempt(
        "predict", "f00d", {"intention": 40, "behaviour": 20}, {"intention": 1, "behaviour": 0}, 2
    )
    dash = Dashboard(lang, gb, TOKEN)
    assert dash.unlock(TOKEN)
    dash.stop()
    title = get_exercise("compare-clients").title(lang)
    retired = "vervallen" if lang == "nl" else "retired"
    assert retired in dash.retired.value and "predict" in dash.retired.value
    assert f"predict ({retired}" in dash.recent.value and title in dash.recent.value
    links = re.findall(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', dash.export.value)
    sheet, every = (base64.b64decode(x).decode() for x in links)
    assert "predict (retired; replaced by compare-clients)" in sheet.splitlines()[0]
    (row,) = [r for r in every.splitlines() if ",predict," in r]
    assert row.endswith(",retired,compare-clients")
