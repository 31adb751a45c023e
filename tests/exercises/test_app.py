"""The exercise apps without a browser: build from a variant, fill, submit, store; refuse bad
input without storing; bind to one learner only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from markupsafe import escape

import exercises.app as ea
from exercises import EXERCISE_IDS, get_exercise
from exercises.app import ExerciseApp, build, identity_from_env
from gradebook import Gradebook, open_gradebook
from igm.i18n import t
from tests.exercises.answers import perfect, wrong
from tests.exercises.app_helpers import fill
from tests.exercises.roster_helpers import roster_code
from tests.exercises.toy_exercise import TOY_ID, toy_registered
from tests.exercises.toy_exercise import perfect as toy_perfect


@pytest.fixture
def gb(tmp_path: Path) -> Iterator[Gradebook]:
    with open_gradebook(f"sqlite:///{tmp_path / 'gb.sqlite3'}") as book:
        yield book


@pytest.fixture(autouse=True)
def fresh_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ea, "_KERNEL_LEARNER", None)


def started(gb: Gradebook, exercise_id: str, lang: str = "nl") -> ExerciseApp:
    code = roster_code(gb, "s1234567", "Sam de Vries")  # a class: the app asks for the code
    app = ExerciseApp(exercise_id, lang, gb, env={})
    assert app.form is None  # nothing of the exercise before the learner is known
    assert app.sign_in_with_code("s1234567", code)
    assert app.form is not None
    return app


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_fill_submit_store(gb: Gradebook, exercise_id: str, lang: str) -> None:
    app = started(gb, exercise_id, lang)
    assert app.form is not None and app.variant is not None
    assert app.variant.learner_id == "S1234567"
    fill(app.form, perfect(app.variant))
    assert app.submit()
    stored = gb.attempts("S1234567", exercise_id)
    assert len(stored) == 1
    assert stored[0].points == pytest.approx(get_exercise(exercise_id).max_points, abs=0.05)
    assert stored[0].variant == app.variant.fingerprint
    assert "igm-feedback" in repr(
        [c._dom_classes for b in app.form.items.values() for c in b.children]
    )
    assert 'role="status"' in app.result.value
    # the settings on the page: attempts used and allowed (3 by default in exercises.yaml)
    assert "1 van 3" in app.result.value if lang == "nl" else "1 of 3" in app.result.value
    # retry: each attempt gets a variant of its own (new_variant_per_attempt); the feedback
    # stays beside the graded questions until the learner asks for the next attempt
    first = app.variant
    assert app.next_pending and not app.submit()
    assert app.next_attempt()
    assert app.variant.fingerprint != first.fingerprint
    assert app.variant.learner_id == "S1234567"
    fill(app.form, wrong(app.variant))
    assert app.submit()
    stored = gb.attempts("S1234567", exercise_id)
    assert [a.attempt_no for a in stored] == [1, 2]
    assert [a.variant for a in stored] == [first.fingerprint, app.variant.fingerprint]
    policy = get_exercise(exercise_id).retry
    counted = 1 if policy == "best" else 2
    assert f"{counted}" in app.result.value
    feedback_boxes = [
        c
        for box in app.form.items.values()
        for c in box.children
        if "igm-feedback" in c._dom_classes
    ]
    assert len(feedback_boxes) == len(app.form.items)


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_incomplete_answer_shows_a_message_and_stores_nothing(
    gb: Gradebook, exercise_id: str
) -> None:
    app = started(gb, exercise_id)
    assert app.variant is not None and app.form is not None
    answers = perfect(app.variant)
    if exercise_id == "choose-knob":  # over budget: every intervention
        (field,) = [f for f in app.form.sheet.fields if f.item == "interventions"]
        fill(app.form, {**answers, "interventions": [o.id for o in field.options]})
    else:
        fill(app.form, dict(list(answers.items())[1:]))  # first item left open
    assert not app.submit()
    # said beside the submit button (announced), nothing far above it
    assert 'role="alert"' in app.status.value and app.message.value == ""
    if exercise_id == "choose-knob":  # the grader refuses it, beside the part it is about
        assert "niet opgeslagen" in app.status.value
        assert app.form.control("interventions").showing
    else:  # the form says what is missing at the field, before anything is sent
        assert "Niet ingestuurd" in app.status.value
        first = next(iter(app.form.controls.values()))
        assert first.showing and first.error.value
    assert gb.attempts("S1234567") == []


def test_bad_number_text_is_explained_by_the_grader(gb: Gradebook) -> None:
    # no built-in exercise asks for a typed number any more: the toy exercise does
    with toy_registered() as toy:
        app = started(gb, TOY_ID, "en")
        assert app.form is not None and app.variant is not None
        fill(app.form, toy_perfect(app.variant))
        (share,) = app.form.control("share").widgets
        share.value = "a lot"
        assert not app.submit()
        assert "not saved" in app.status.value
        share.value = "150"
        assert not app.submit()
        assert gb.attempts("S1234567") == []
        assert toy.id == TOY_ID


def test_a_retired_exercise_says_what_replaced_it_and_grades_nothing(gb: Gradebook) -> None:
    for lang, words in (("nl", "vervangen door ‘Wie heeft meer"), ("en", "replaced by ‘Who gains")):
        app = ExerciseApp("predict", lang, gb, env={})
        assert 'role="alert"' in app.message.value and words in app.message.value
        assert app.form is None and app.sign_in is None and app.exercise is None
    assert gb.learners() == []


@pytest.mark.parametrize(
    ("name", "number"), [("", "s1234567"), ("Sam", "12"), ("Sam", "s12 34"), ("a\tb", "s1234567")]
)
def test_bad_identity_shows_a_message_and_stores_nothing(
    gb: Gradebook, name: str, number: str
) -> None:
    app = ExerciseApp("score-case", "en", gb, env={})
    assert not app.identify(name, number)
    assert "Nothing was saved" in app.message.value
    assert app.learner is None and app.form is None
    assert gb.learners() == []


def test_identity_conflict_keeps_the_stored_name(gb: Gradebook) -> None:
    gb.register_learner("s1234567", "Sam")
    app = ExerciseApp("score-case", "nl", gb, env={})
    assert not app.identify("Someone else", "s1234567")
    assert app.learner is None
    assert [ln.display_name for ln in gb.learners()] == ["Sam"]


def test_one_identity_per_kernel(gb: Gradebook) -> None:
    app = started(gb, "compare-clients")
    other_code = roster_code(gb, "s7654321", "Other")
    assert not app.sign_in_with_code("s7654321", other_code)  # the same app: ignored
    assert not app.identify("Other", "s7654321")
    other = ExerciseApp("score-case", "nl", gb, env={})
    assert not other.sign_in_with_code("s7654321", other_code)  # another app here: refused
    assert other.learner is None
    assert app.learner is not None and app.learner.learner_number == "S1234567"
    assert app.sign_in is not None
    assert all(w.comm is None for w in (app.sign_in.code_input, app.sign_in.number_input))


@pytest.mark.parametrize(
    ("exercise_id", "hub_user"),
    [("compare-clients", "jdevries"), ("intervention-plan", "jan.de.vries")],
)
def test_hub_without_grader_is_practice_that_records_nothing(
    gb: Gradebook, exercise_id: str, hub_user: str
) -> None:
    """On a hub without IGM_GRADER_URL the learner controls this kernel: practise, never store."""
    app = ExerciseApp(exercise_id, "nl", gb, env={"JUPYTERHUB_USER": hub_user})
    assert app.mode == "practice" and app.learner is None
    assert app.form is not None and app.variant is not None
    (notice,) = app.identity_box.children
    assert escape(t("exercise_app.practice.notice", "nl", name=hub_user)) in notice.value
    assert not app.identify("Other", "s7654321")  # no typed identity either
    # a malformed answer: explained, nothing graded
    fill(app.form, dict(list(perfect(app.variant).items())[1:]))
    assert not app.submit()
    assert "Niet ingestuurd" in app.status.value
    # graded with feedback, labelled as not saved, twice
    for n, answers in enumerate((perfect(app.variant), wrong(app.variant)), start=1):
        fill(app.form, answers)
        assert app.submit()
        assert app.message.value == ""
        assert escape(t("exercise_app.practice.heading", "nl", n=n)) in app.result.value
        assert escape(t("exercise_app.practice.not_recorded", "nl")) in app.result.value
    feedback = [
        c for b in app.form.items.values() for c in b.children if "igm-feedback" in c._dom_classes
    ]
    assert len(feedback) == len(app.form.items)
    # nothing that suggests a stored or counting score
    for key in ("exercise_app.kept", "exercise_app.policy.best", "exercise_app.policy.last"):
        assert escape(t(key, "nl")) not in app.result.value
    assert gb.learners() == [] and gb.attempts() == []


def test_practice_opens_no_gradebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "local" / "igm.sqlite3"
    monkeypatch.setenv("IGM_DATABASE_URL", f"sqlite:///{db}")
    app = build("score-case", "en", env={"JUPYTERHUB_USER": "jdevries"})
    assert app.gradebook is None and app.variant is not None and app.form is not None
    fill(app.form, perfect(app.variant))
    assert app.submit()
    assert not db.exists()
    local = build("score-case", "en", env={})  # standalone: this kernel grades and records
    assert local.gradebook is not None and db.exists()
    local.gradebook.close()


def test_header_identity_and_missing_header(gb: Gradebook) -> None:
    env = {"IGM_IDENTITY_HEADER": "X-Remote-User", "HTTP_X_REMOTE_USER": "s5555555"}
    assert identity_from_env(env) is not None
    app = ExerciseApp("compare-clients", "en", gb, env=env)
    assert app.learner is not None and app.learner.learner_number == "S5555555"
    ea._KERNEL_LEARNER = None
    refused = ExerciseApp("compare-clients", "en", gb, env={"IGM_IDENTITY_HEADER": "X-Remote-User"})
    assert refused.learner is None and refused.identity_box.children == ()
    assert "did not pass on who you are" in refused.message.value


def test_a_user_name_with_dots_from_the_proxy_is_the_learner(gb: Gradebook) -> None:
    env = {"IGM_IDENTITY_HEADER": "X-Remote-User", "HTTP_X_REMOTE_USER": "jan.de.vries"}
    app = ExerciseApp("compare-clients", "en", gb, env=env)
    assert app.learner is not None and app.learner.learner_number == "JAN.DE.VRIES"
    assert gb.learner("jan.de.vries").identity_source == "header"


def test_a_user_name_the_gradebook_cannot_hold_is_refused(gb: Gradebook) -> None:
    env = {"IGM_IDENTITY_HEADER": "X-Remote-User", "HTTP_X_REMOTE_USER": "jan de vries"}
    app = ExerciseApp("compare-clients", "en", gb, env=env)
    assert app.learner is None and app.form is None
    assert 'role="alert"' in app.message.value
    assert "1 to 64 letters" in app.message.value
    assert gb.learners() == []


def test_markup_in_a_name_is_text(gb: Gradebook) -> None:
    app = ExerciseApp("compare-clients", "en", gb, env={})
    assert app.identify("<script>alert(1)</script>", "s1234567")
    shown = app.identity_box.children[0].value
    assert "<script>" not in shown and "&lt;script&gt;" in shown
