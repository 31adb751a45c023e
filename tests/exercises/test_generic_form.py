"""One generic form for every exercise: each exercise declares its answer sheet, the app
renders any sheet, and a seventh exercise needs no change to the app.

The seventh exercise is tests/exercises/toy_exercise.py: registered at run time, it renders,
is answered through the widgets, graded and stored in local mode, graded without storing in
practice mode, and graded and stored by the real igm-grader in remote mode.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ipywidgets as w
import pytest
from markupsafe import escape

import exercises.app as ea
import exercises.form
from exercises import EXERCISE_IDS, AnswerField, AnswerItem, Option, get_exercise, grade
from exercises.app import ExerciseApp, build
from exercises.catalog import register, unregister
from exercises.form import AnswerForm, answer_sheet
from exercises.grading_service import variant_key
from gradebook import Gradebook, open_gradebook
from igm.i18n import LANGUAGES, t
from tests.deploy.grader_helpers import SECRET, grader_in_background
from tests.exercises.answers import perfect
from tests.exercises.toy_exercise import (
    BUDGET,
    META,
    TOY_ID,
    ToyColours,
    ToyVariant,
    toy_registered,
)
from tests.exercises.toy_exercise import perfect as toy_perfect


@pytest.fixture
def gb(tmp_path: Path) -> Iterator[Gradebook]:
    with open_gradebook(f"sqlite:///{tmp_path / 'gb.sqlite3'}") as book:
        yield book


@pytest.fixture(autouse=True)
def fresh_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ea, "_KERNEL_LEARNER", None)


@pytest.fixture
def toy() -> Iterator[ToyColours]:
    with toy_registered() as exercise:
        yield exercise


def widgets_of(form: AnswerForm) -> list[Any]:
    return [widget for control in form.controls.values() for widget in control.widgets]


def by_label(form: AnswerForm, label: str) -> Any:
    """The input a learner finds by its label (as a screen reader or Playwright would)."""
    (found,) = [w for w in widgets_of(form) if getattr(w, "description", None) == label]
    return found


def unordered(answers: dict[str, Any]) -> dict[str, Any]:
    """Answers with chosen options as sets: a multi-select reads them in the options' order."""
    return {k: set(v) if isinstance(v, list) else v for k, v in answers.items()}


def feedback_boxes(form: AnswerForm) -> list[Any]:
    return [
        c for box in form.items.values() for c in box.children if "igm-feedback" in c._dom_classes
    ]


# --- the app knows no exercise ------------------------------------------------------------


def test_the_app_names_no_exercise_and_dispatches_on_nothing() -> None:
    source = inspect.getsource(ea) + inspect.getsource(exercises.form)
    for exercise_id in EXERCISE_IDS:
        assert exercise_id not in source
        assert exercise_id.replace("-", "_") not in source
    assert "getattr" not in source


# --- a seventh exercise, registered at run time --------------------------------------------


def test_a_new_exercise_renders_and_is_answered_graded_and_stored(
    gb: Gradebook, toy: ToyColours
) -> None:
    app = ExerciseApp(TOY_ID, "en", gb, env={})
    assert META.instructions("en") in app.instructions.value
    assert app.identify("Toy Learner", "s7777777")
    form, variant = app.form, app.variant
    assert form is not None and isinstance(variant, ToyVariant)
    # every declared item has its box, every field a labelled control, in declared order
    assert list(form.items) == ["colour", "score", "share", "tools", "note"]
    assert [key for key in form.controls] == [
        ("colour", None),
        ("score", None),
        ("share", None),
        ("tools", None),
        ("note", "pick"),
        ("note", "why"),
    ]
    assert "Which colour is the door?" in repr([c.value for c in form.widget.children[:2]])
    colour = by_label(form, "Colour")
    # as shown: a zero-width space after each space lets a long option wrap on a phone
    assert [label.replace("\u200b", "") for label, _ in colour.options] == [
        t("exercise_app.choose", "en"),
        *[o["label"] for o in variant.public_view("en")["options"]],
    ]
    assert [label for label, _ in by_label(form, "Score").options][1:] == list("12345")
    share = by_label(form, "Share (%)")
    # answer as a learner does: through the widgets
    colour.value = variant.colour
    by_label(form, "Score").value = "3"
    share.value = "42,5"  # a decimal comma is fine
    by_label(form, "Brush").value = True
    by_label(form, "Roller").value = True
    used = t("exercise_app.budget_used", "en", used=3, budget=BUDGET)
    (used_line,) = [c for c in form.items["tools"].children if "igm-budget-used" in c._dom_classes]
    assert escape(used) in used_line.value
    by_label(form, "Pick").value = variant.colour
    by_label(form, "Why?").value = "Because the door is painted that way."
    assert form.answers() == toy_perfect(variant)

    assert app.submit()
    (stored,) = gb.attempts("S7777777", TOY_ID)
    assert stored.points == 5 and stored.max_points == 5
    assert stored.variant == variant.fingerprint
    assert stored.answers == json.loads(json.dumps(form.answers()))
    assert len(feedback_boxes(form)) == 5
    assert "Right: " in feedback_boxes(form)[0].value
    assert escape(t("exercise_app.kept", "en")) in app.result.value  # the "why" is kept
    assert escape(t("exercise_app.policy.best", "en")) in app.result.value


def test_a_new_exercise_refuses_an_answer_over_budget_and_stores_nothing(
    gb: Gradebook, toy: ToyColours
) -> None:
    app = ExerciseApp(TOY_ID, "nl", gb, env={})
    assert app.identify("Toy Learner", "s7777778")
    assert app.form is not None and isinstance(app.variant, ToyVariant)
    answers = toy_perfect(app.variant)
    app.form.fill({**answers, "tools": ["brush", "roller", "spray"]})
    assert not app.submit()
    assert 'role="alert"' in app.status.value and "budget" in app.status.value
    assert gb.attempts() == []


def test_a_new_exercise_can_be_practised_without_storing(gb: Gradebook, toy: ToyColours) -> None:
    app = ExerciseApp(TOY_ID, "nl", gb, env={"JUPYTERHUB_USER": "toy"})
    assert app.form is not None and isinstance(app.variant, ToyVariant)
    app.form.fill(toy_perfect(app.variant))
    assert app.submit()
    assert escape(t("exercise_app.practice.heading", "nl", n=1)) in app.result.value
    assert gb.learners() == [] and gb.attempts() == []


def test_a_new_exercise_is_graded_by_the_remote_grader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, toy: ToyColours
) -> None:
    local_db = tmp_path / "learner-server" / "igm.sqlite3"
    monkeypatch.setenv("IGM_DATABASE_URL", f"sqlite:///{local_db}")
    with grader_in_background(tmp_path / "grader.sqlite3") as grader:
        env = {
            "IGM_GRADER_URL": grader.url,
            "JUPYTERHUB_API_TOKEN": "tok-anna",
            "JUPYTERHUB_USER": "anna01",
        }
        app = build(TOY_ID, "en", env=env)
        assert app.form is not None and app.variant is None and app.exercise is None
        variant = toy.make_variant(variant_key(SECRET, TOY_ID, "ANNA01"))
        view = {k: v for k, v in app.form.view.items() if k != "quiz"}  # + the settings
        assert view == json.loads(json.dumps(variant.public_view("en")))
        app.form.fill(toy_perfect(variant))
        assert app.submit()
        (stored,) = grader.gradebook.attempts("ANNA01", TOY_ID)
        assert stored.points == 5
    assert not local_db.exists()


def test_register_refuses_a_taken_id_and_unregister_keeps_the_built_in_ones() -> None:
    with pytest.raises(ValueError, match="registered already"):
        register(get_exercise("compare-clients").__class__())
    with pytest.raises(ValueError, match="built-in"):
        unregister("compare-clients")
    with toy_registered():
        assert get_exercise(TOY_ID).title("en") == META.title("en")
    with pytest.raises(KeyError, match=TOY_ID):
        get_exercise(TOY_ID)


# --- the built-in exercises' declarations -------------------------------------------------


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_built_in_sheet_asks_exactly_what_its_grader_takes(
    exercise_id: str, lang: str
) -> None:
    exercise = get_exercise(exercise_id)
    for learner in ("a", "b", "c"):
        variant = exercise.make_variant(learner)
        view = json.loads(json.dumps(variant.public_view(lang)))  # what a remote kernel gets
        sheet = answer_sheet(view)
        answers = perfect(variant)
        assert [item.id for item in sheet.items] == list(answers)
        for field in sheet.fields:
            labels = (
                [o.label for o in field.options] if field.kind == "multi_select" else [field.label]
            )
            assert all(label.strip() for label in labels), field
        # the form reads back exactly what it was given, and that grades in full
        form = AnswerForm(view, sheet, lang)
        form.fill(answers)
        assert unordered(form.answers()) == unordered(answers)
        result = grade(variant, form.answers(), lang)
        assert result.points == pytest.approx(exercise.max_points, abs=0.05)
        # every input is labelled
        for widget in widgets_of(form):
            if isinstance(widget, (w.Dropdown, w.Text, w.Textarea, w.Checkbox)):
                assert widget.description.strip(), widget


def test_fields_are_checked_when_declared() -> None:
    with pytest.raises(ValueError, match="needs options"):
        AnswerField.choice("q1", "Choice", [])
    with pytest.raises(ValueError, match="whole numbers"):
        AnswerField("scale", "q1", "Score", low=1.5, high=7)
    with pytest.raises(ValueError, match="takes no options"):
        AnswerField("text", "q1", "Why", options=(Option("a", "A"),))
    with pytest.raises(ValueError, match="distinct parts"):
        AnswerItem("q1", "Q1", (AnswerField.text("q1", "A", 1), AnswerField.text("q1", "B", 1)))
    with pytest.raises(ValueError, match="answers that item"):
        AnswerItem("q1", "Q1", (AnswerField.text("q2", "A", 1),))
