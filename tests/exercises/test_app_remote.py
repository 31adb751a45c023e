"""The exercise app against the real igm-grader: keys, grading and grades stay in the service.

The grader (exercises/grading_service.py) and a fake hub run on real ports in a background thread
(tests/deploy/grader_helpers.py); the app is built and driven headlessly in the test's thread,
with the environment a learner's kernel has on a hub: ``IGM_GRADER_URL``,
``JUPYTERHUB_API_TOKEN`` and ``JUPYTERHUB_USER``. The app side's ``IGM_DATABASE_URL`` points
at a file of its own, which must never come into existence.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as w
import pytest
from markupsafe import escape

import exercises.app as ea
from exercises import EXERCISE_IDS, Exercise, InvalidAnswer, Variant, get_exercise
from exercises._base import points_text
from exercises.app import ExerciseApp, RemoteGrading, build
from exercises.grading_service import variant_key
from gradebook import Gradebook
from igm.i18n import t
from tests.conftest import free_port
from tests.deploy.grader_helpers import SECRET, RunningGrader, grader_in_background
from tests.exercises.answers import perfect, wrong
from tests.exercises.app_helpers import fill


@dataclass
class Side:
    """The learner's kernel: its environment and the gradebook file it must not touch."""

    env: dict[str, str]
    local_db: Path


@pytest.fixture(autouse=True)
def fresh_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ea, "_KERNEL_LEARNER", None)


@pytest.fixture
def grader(tmp_path: Path) -> Iterator[RunningGrader]:
    with grader_in_background(tmp_path / "grader.sqlite3") as running:
        yield running


def kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str) -> Side:
    local_db = tmp_path / "learner-server" / "igm.sqlite3"
    monkeypatch.setenv("IGM_DATABASE_URL", f"sqlite:///{local_db}")  # what open_gradebook() uses
    env = {
        "IGM_GRADER_URL": url,
        "JUPYTERHUB_API_TOKEN": "tok-anna",
        "JUPYTERHUB_USER": "anna01",
        "IGM_DATABASE_URL": f"sqlite:///{local_db}",
    }
    return Side(env, local_db)


def keyed(exercise_id: str, user: str = "ANNA01") -> tuple[Exercise, Variant]:
    """The grader's variant for a hub user (the test knows the service's secret)."""
    exercise = get_exercise(exercise_id)
    return exercise, exercise.make_variant(variant_key(SECRET, exercise_id, user))


def holds_no_key(app: ExerciseApp) -> None:
    """The app's state: the public view and widgets; no variant, exercise or gradebook."""
    assert app.mode == "remote"
    assert app.variant is None and app.exercise is None
    assert app.gradebook is None and app.learner is None
    assert isinstance(app.grading, RemoteGrading)
    for value in [*vars(app).values(), *vars(app.grading).values()]:
        assert not isinstance(value, (Variant, Exercise, Gradebook)), value


def feedback_texts(app: ExerciseApp) -> dict[str, str]:
    assert app.form is not None
    shown = {}
    for item_id, box in app.form.items.items():
        boxes = [c for c in box.children if "igm-feedback" in c._dom_classes]
        assert len(boxes) == 1, item_id
        shown[item_id] = boxes[0].value
    return shown


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_full_exercise_is_graded_and_stored_by_the_grader_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, grader: RunningGrader, exercise_id: str
) -> None:
    side = kernel(tmp_path, monkeypatch, grader.url)
    exercise, variant = keyed(exercise_id)
    app = build(exercise_id, "nl", env=side.env)
    holds_no_key(app)
    assert app.form is not None
    # the form is built from the grader's public view of Anna's keyed variant, nothing else
    public = json.loads(json.dumps(variant.public_view("nl")))
    assert app.view is not None and app.form.view is app.view
    quiz = app.view["quiz"]  # and the quiz settings the page shows (exercises/settings.py)
    assert {k: v for k, v in app.view.items() if k != "quiz"} == public
    assert quiz["attempts"] == 3 and quiz["used"] == 0
    assert app.form.view["variant"] == variant.fingerprint
    # the hub user is shown; no name or learner number is asked
    (who,) = app.identity_box.children
    assert isinstance(who, w.HTML)
    assert escape(t("exercise_app.remote.bound", "nl", name="anna01")) in who.value
    assert t("exercise_app.no_attempts", "nl") in app.result.value

    answers = perfect(variant)
    fill(app.form, answers)
    assert app.submit()
    # what the grader returned (the same grading of the same variant) is what is shown:
    # before the answers are released (after the last of 3 attempts), the withheld feedback
    expected = exercise.grade(variant, app.form.answers(), "nl").withheld("nl")
    for item_id, shown in feedback_texts(app).items():
        for line in expected.feedback[item_id].split("\n"):  # one paragraph per line
            assert escape(line) in shown, item_id
    assert escape(expected.summary) in app.result.value
    score = t(
        "exercise_app.result.score",
        "nl",
        points=points_text(expected.points, "nl"),
        max=points_text(expected.max_points, "nl"),
    )
    assert escape(score) in app.result.value
    assert escape(t("exercise_app.result.heading", "nl", n=1)) in app.result.value
    counting = t(
        "exercise_app.counting",
        "nl",
        points=points_text(expected.points, "nl"),
        max=points_text(expected.max_points, "nl"),
        n=1,
        total=1,
    )
    assert escape(counting) in app.result.value
    # stored once, in the grader's gradebook, under the hub identity
    stored = grader.gradebook.attempts("ANNA01", exercise_id)
    assert len(stored) == 1
    assert stored[0].variant == variant.fingerprint
    assert stored[0].points == pytest.approx(expected.points)
    assert grader.gradebook.learner("ANNA01").identity_source == "hub"
    # ... and nowhere on the learner's side
    assert not side.local_db.exists()
    assert not side.local_db.parent.exists()
    holds_no_key(app)


def test_retry_counts_per_the_exercises_policy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, grader: RunningGrader
) -> None:
    side = kernel(tmp_path, monkeypatch, grader.url)
    exercise, variant = keyed("choose-knob")  # "last" counts
    assert exercise.retry == "last"
    app = build("choose-knob", "en", env=side.env)
    assert app.form is not None
    fill(app.form, perfect(variant))
    assert app.submit()
    # the next attempt is another variant: the grader serves it, the app holds no key
    assert app.next_pending and app.next_attempt()
    second = exercise.variant_for(variant_key(SECRET, "choose-knob", "ANNA01"), 2)
    assert app.form.view["variant"] == second.fingerprint != variant.fingerprint
    fill(app.form, wrong(second))
    assert app.submit()
    last = grader.gradebook.attempts("ANNA01", "choose-knob")[-1]
    counting = t(
        "exercise_app.counting",
        "en",
        points=points_text(last.points, "en"),
        max=points_text(last.max_points, "en"),
        n=2,
        total=2,
    )
    assert last.attempt_no == 2 and escape(counting) in app.result.value
    assert len(feedback_texts(app)) == len(app.form.items)  # replaced, not stacked
    assert not side.local_db.exists()


def test_malformed_answer_shows_the_graders_message_and_stores_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, grader: RunningGrader
) -> None:
    side = kernel(tmp_path, monkeypatch, grader.url)
    exercise, variant = keyed("choose-knob")
    app = build("choose-knob", "nl", env=side.env)
    assert app.form is not None
    (field,) = [f for f in app.form.sheet.fields if f.item == "interventions"]
    # complete for the form, but over budget: only the grader can refuse it
    fill(app.form, {**perfect(variant), "interventions": [o.id for o in field.options]})
    filled = app.form.answers()
    assert not app.submit()
    with pytest.raises(InvalidAnswer) as err:
        exercise.grade(variant, filled, "nl")
    message = t("exercise_app.not_saved", "nl", message=err.value.message("nl"))
    assert escape(message) in app.status.value  # beside the submit button
    assert 'role="alert"' in app.status.value
    assert escape(err.value.message("nl")) in app.form.control("interventions").error.value
    assert app.form.answers() == filled  # the form keeps what was filled in
    assert grader.gradebook.attempts() == []
    assert not side.local_db.exists()


def test_grader_down_keeps_the_form_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with grader_in_background(tmp_path / "grader.sqlite3") as grader:
        side = kernel(tmp_path, monkeypatch, grader.url)
        _, variant = keyed("score-case")
        app = build("score-case", "en", env=side.env)
        assert app.form is not None
        fill(app.form, perfect(variant))
        filled = app.form.answers()
    # the grader has stopped: nothing listens on its port any more
    assert not app.submit()
    assert escape(t("exercise_app.remote.unreachable", "en")) in app.status.value
    assert app.form.answers() == filled
    assert not app.submit_button.disabled  # the learner can send again
    assert not side.local_db.exists()


def test_grader_down_at_start_offers_to_try_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/services/igm-grader/"
    side = kernel(tmp_path, monkeypatch, url)
    app = build("compare-clients", "nl", env=side.env)
    assert app.form is None and app.view is None
    assert escape(t("exercise_app.remote.load_failed", "nl")) in app.message.value
    (again,) = app.body.children
    assert "igm-retry-load" in again._dom_classes
    with grader_in_background(tmp_path / "grader.sqlite3", port=port):
        again.click()
        assert app.form is not None and app.message.value == ""
        _, variant = keyed("compare-clients")
        assert app.form.view["variant"] == variant.fingerprint
    assert not side.local_db.exists()


def test_eleventh_attempt_in_a_minute_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, grader: RunningGrader
) -> None:
    side = kernel(tmp_path, monkeypatch, grader.url)
    # the trainer allows unlimited attempts on one variant here (exercises/settings.py)
    settings = tmp_path / "exercise-settings.yaml"
    settings.write_text("score-case:\n  attempts: 0\n  new_variant_per_attempt: false\n")
    monkeypatch.setenv("IGM_EXERCISE_SETTINGS", str(settings))
    _, variant = keyed("score-case")
    app = build("score-case", "nl", env=side.env)
    assert app.form is not None
    fill(app.form, wrong(variant))
    for _ in range(10):
        assert app.submit()
    assert not app.submit()
    assert 'role="alert"' in app.status.value
    refusals = [
        t(
            "exercise_app.not_saved",
            "nl",
            message=t("grader.rate_limited", "nl", limit=10, seconds=s),
        )
        for s in range(1, 61)
    ]
    assert any(f'<p role="alert">{escape(text)}</p>' == app.status.value for text in refusals)
    assert len(grader.gradebook.attempts("ANNA01")) == 10
    assert not side.local_db.exists()


def test_missing_hub_token_is_refused_without_a_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, grader: RunningGrader
) -> None:
    side = kernel(tmp_path, monkeypatch, grader.url)
    env = {k: v for k, v in side.env.items() if k != "JUPYTERHUB_API_TOKEN"}
    app = build("compare-clients", "en", env=env)
    assert app.form is None
    assert escape(t("exercise_app.identity.missing", "en")) in app.message.value
    assert not side.local_db.exists()


def test_token_the_grader_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, grader: RunningGrader
) -> None:
    side = kernel(tmp_path, monkeypatch, grader.url)
    app = build(
        "compare-clients", "en", env={**side.env, "JUPYTERHUB_API_TOKEN": "tok-carl-noscope"}
    )
    assert app.form is None
    assert escape(t("exercise_app.remote.refused", "en", status=403)) in app.message.value
    assert grader.gradebook.learners() == []


def test_answers_sent_are_only_the_forms(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, grader: RunningGrader
) -> None:
    """What the grader stores is exactly what the form holds: the app adds nothing."""
    side = kernel(tmp_path, monkeypatch, grader.url)
    _, variant = keyed("intervention-plan")
    app = build("intervention-plan", "en", env=side.env)
    assert app.form is not None
    fill(app.form, perfect(variant))
    assert app.submit()
    (stored,) = grader.gradebook.attempts("ANNA01")
    sent: Any = json.loads(json.dumps(app.form.answers()))
    assert stored.answers == sent
