"""Quiz settings (exercises/settings.py): defaults in the exercise data, a trainer's overrides,
strict checks, and their enforcement in local grading and in the grading service.

Real exercise apps on a real SQLite gradebook, and the real igm-grader with a fake hub
(tests/deploy/grader_helpers.py); a trainer's settings file is passed as a trainer passes it,
with ``IGM_EXERCISE_SETTINGS``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape

import exercises.app as ea
from exercises import EXERCISE_IDS, get_exercise, grade
from exercises._texts import exercise_meta, message
from exercises.app import ExerciseApp
from exercises.grading_service import variant_key
from exercises.settings import (
    DEFAULTS,
    SETTINGS_ENV,
    QuizSettings,
    SettingsError,
    answers_released,
    format_moment,
    quiz_settings,
    read_overrides,
    refusal,
)
from gradebook import Gradebook, open_gradebook
from tests.deploy.grader_helpers import SECRET, call, run_scenario
from tests.exercises.answers import perfect, wrong
from tests.exercises.app_helpers import fill
from tests.exercises.test_no_leak import answer_texts

CET = timezone(timedelta(hours=1))


@pytest.fixture
def gb(tmp_path: Path) -> Iterator[Gradebook]:
    with open_gradebook(f"sqlite:///{tmp_path / 'gb.sqlite3'}") as book:
        yield book


@pytest.fixture(autouse=True)
def fresh_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ea, "_KERNEL_LEARNER", None)
    monkeypatch.delenv(SETTINGS_ENV, raising=False)


def trainer_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> Path:
    """The trainer's settings file, passed as a trainer does: IGM_EXERCISE_SETTINGS."""
    path = tmp_path / f"exercise-settings-{abs(hash(text))}.yaml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv(SETTINGS_ENV, str(path))
    return path


# --- defaults, overrides, strict checks --------------------------------------------------------


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_every_exercise_has_its_settings_beside_its_retry_policy(exercise_id: str) -> None:
    own = exercise_meta(exercise_id).settings
    assert own == QuizSettings(
        attempts=3, new_variant_per_attempt=True, show_answers="after_last_attempt"
    )
    assert quiz_settings(exercise_id) == own


def test_defaults_are_sane() -> None:
    assert QuizSettings(3, None, None, True, "after_last_attempt") == DEFAULTS


def test_a_trainer_overrides_per_exercise(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    trainer_file(
        tmp_path,
        monkeypatch,
        "recognise-determinant:\n"
        "  attempts: 2\n"
        "  opens: 2026-12-01T09:00:00+01:00\n"
        "  closes: '2026-12-12T17:00:00+01:00'\n"
        "  show_answers: after_close\n"
        "score-case:\n"
        "  attempts: 0\n"
        "  new_variant_per_attempt: false\n"
        "  show_answers: immediately\n",
    )
    rec = quiz_settings("recognise-determinant")
    assert rec.attempts == 2 and rec.show_answers == "after_close"
    assert rec.opens == datetime(2026, 12, 1, 9, tzinfo=CET)
    assert rec.closes == datetime(2026, 12, 12, 17, tzinfo=CET)
    assert rec.new_variant_per_attempt  # not named: the exercise's own
    score = quiz_settings("score-case")
    assert score.attempts is None and not score.new_variant_per_attempt
    assert quiz_settings("compare-clients") == exercise_meta("compare-clients").settings


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("nope-exercise:\n  attempts: 2\n", "unknown exercise 'nope-exercise'"),
        ("score-case:\n  attemps: 2\n", "unknown field 'attemps'"),
        ("score-case:\n  attempts: -1\n", "score-case.attempts"),
        ("score-case:\n  attempts: true\n", "score-case.attempts"),
        ("score-case:\n  attempts: 'drie'\n", "score-case.attempts"),
        ("score-case:\n  closes: 2026-12-12T17:00:00\n", "score-case.closes"),
        ("score-case:\n  opens: 'volgende week'\n", "score-case.opens"),
        (
            "score-case:\n  opens: 2026-12-12T17:00:00+01:00\n  closes: 2026-12-01T17:00:00+01:00\n",
            "score-case.closes",
        ),
        ("score-case:\n  show_answers: never\n", "score-case.show_answers"),
        ("score-case:\n  show_answers: after_close\n", "after_close needs a closes time"),
        ("score-case:\n  new_variant_per_attempt: 'yes'\n", "new_variant_per_attempt"),
        ("score-case: 3\n", "score-case: expected a table"),
        ("- score-case\n", "expected one table per exercise id"),
        ("score-case: [\n", "not valid YAML"),
    ],
)
def test_a_wrong_setting_is_named_with_its_file_and_field(
    tmp_path: Path, text: str, field: str
) -> None:
    path = tmp_path / "exercise-settings.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as err:
        read_overrides(path)
    assert str(path) in str(err.value)
    assert field in str(err.value)


def test_a_missing_settings_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SETTINGS_ENV, str(tmp_path / "missing.yaml"))
    with pytest.raises(SettingsError, match=r"IGM_EXERCISE_SETTINGS=.*missing\.yaml"):
        quiz_settings("score-case")


def test_limits_times_and_release() -> None:
    opens = datetime(2026, 12, 1, 9, tzinfo=CET)
    closes = datetime(2026, 12, 12, 17, tzinfo=CET)
    during = datetime(2026, 12, 5, 12, tzinfo=CET)
    s = QuizSettings(2, opens, closes, True, "after_last_attempt")
    assert refusal(s, 0, during) is None and refusal(s, 1, during) is None
    third = refusal(s, 2, during)
    assert third is not None and third.key == "no_attempts_left"
    assert "2" in third.message("nl") and "2" in third.message("en")
    early = refusal(s, 0, opens - timedelta(seconds=1))
    assert early is not None and early.message("nl") == message(
        "not_open_yet", "nl", opens="dinsdag 1 december 2026 om 09:00"
    )
    late = refusal(s, 0, closes)
    assert late is not None and "zaterdag 12 december 2026 om 17:00" in late.message("nl")
    assert "Saturday 12 December 2026 at 17:00" in late.message("en")
    # release: after the last attempt, or once closed; never with unlimited attempts and no close
    assert not answers_released(s, 1, during) and answers_released(s, 2, during)
    assert answers_released(s, 1, closes)
    assert not answers_released(QuizSettings(None, None, None, True, "after_last_attempt"), 50)
    after_close = QuizSettings(2, None, closes, True, "after_close")
    assert not answers_released(after_close, 2, during) and answers_released(after_close, 0, closes)
    assert answers_released(QuizSettings(None, None, None, False, "immediately"), 0)


def test_dutch_date_format() -> None:
    moment = datetime(2027, 3, 1, 8, 5, tzinfo=CET)
    assert format_moment(moment, "nl") == "maandag 1 maart 2027 om 08:05"
    assert format_moment(moment, "en") == "Monday 1 March 2027 at 08:05"


# --- a variant per attempt --------------------------------------------------------------------


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_each_attempt_gets_its_own_variant(
    exercise_id: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ex = get_exercise(exercise_id)
    first, second, third = (ex.variant_for("S1234567", n) for n in (1, 2, 3))
    assert first.fingerprint == ex.make_variant("S1234567").fingerprint  # as it always was
    assert len({first.fingerprint, second.fingerprint, third.fingerprint}) == 3
    assert {v.learner_id for v in (first, second, third)} == {"S1234567"}
    assert ex.variant_for("S1234567", 2).fingerprint == second.fingerprint  # stable
    trainer_file(tmp_path, monkeypatch, f"{exercise_id}:\n  new_variant_per_attempt: false\n")
    assert ex.variant_for("S1234567", 2).fingerprint == first.fingerprint


# --- enforcement in local grading ---------------------------------------------------------------


def started(gb: Gradebook, exercise_id: str, lang: str = "nl") -> ExerciseApp:
    app = ExerciseApp(exercise_id, lang, gb, env={})
    assert app.identify("Sam de Vries", "s1234567")
    assert app.form is not None and app.variant is not None
    return app


def test_a_third_attempt_beyond_a_limit_of_two_is_refused_locally(
    gb: Gradebook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trainer_file(tmp_path, monkeypatch, "recognise-determinant:\n  attempts: 2\n")
    app = started(gb, "recognise-determinant")
    assert "Pogingen: 0 van 2 gebruikt." in app.result.value
    variants = []
    for n in (1, 2):
        if n == 2:
            assert app.next_attempt()
        assert app.variant is not None and app.form is not None
        variants.append(app.variant)
        fill(app.form, wrong(app.variant))
        assert app.submit()
        assert f"Pogingen: {n} van 2 gebruikt." in app.result.value
    # the grade of each attempt is that of its own variant
    stored = gb.attempts("S1234567", "recognise-determinant")
    assert [a.variant for a in stored] == [v.fingerprint for v in variants]
    assert variants[0].fingerprint != variants[1].fingerprint
    # used up: no new attempt is offered, and a third submit is refused with the limit
    assert not app.next_pending
    assert not app.submit()
    refused = message("no_attempts_left", "nl", limit=2)
    assert escape(refused) in app.status.value
    assert len(gb.attempts("S1234567", "recognise-determinant")) == 2
    # a fresh page (another tab) is refused as well
    monkeypatch.setattr(ea, "_KERNEL_LEARNER", None)
    again = started(gb, "recognise-determinant")
    assert again.form is not None and again.variant is not None
    fill(again.form, perfect(again.variant))
    assert not again.submit()
    assert len(gb.attempts("S1234567", "recognise-determinant")) == 2


def test_before_opening_and_after_closing_nothing_is_stored(
    gb: Gradebook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    soon = datetime.now(CET) + timedelta(days=2)
    past = datetime.now(CET) - timedelta(days=1)
    for setting, key, moment in (("opens", "not_open_yet", soon), ("closes", "closed", past)):
        trainer_file(tmp_path, monkeypatch, f"score-case:\n  {setting}: {moment.isoformat()}\n")
        monkeypatch.setattr(ea, "_KERNEL_LEARNER", None)
        app = started(gb, "score-case")
        assert app.form is not None and app.variant is not None
        assert format_moment(moment, "nl") in app.result.value  # the page says when
        fill(app.form, perfect(app.variant))
        assert not app.submit()
        text = message(key, "nl", **{setting: format_moment(moment, "nl")})
        assert escape(text) in app.status.value
        assert gb.attempts() == []


def test_feedback_is_withheld_until_the_last_attempt(
    gb: Gradebook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trainer_file(tmp_path, monkeypatch, "recognise-determinant:\n  attempts: 2\n")
    app = started(gb, "recognise-determinant")
    for n in (1, 2):
        if n == 2:
            assert app.next_attempt()
        assert app.variant is not None and app.form is not None
        variant = app.variant
        fill(app.form, wrong(variant))
        assert app.submit()
        shown = " ".join(
            c.value for box in app.form.items.values() for c in box.children if hasattr(c, "value")
        )
        secrets = [str(escape(s)) for s in answer_texts(variant, "nl")]
        if n == 1:  # withheld: explains, names no right answer
            assert not [s for s in secrets if s in shown]
            assert escape(message("answers_withheld", "nl")) in app.result.value
        else:  # the last attempt: released, with the reference
            assert [s for s in secrets if s in shown]
            assert escape(message("answers_withheld", "nl")) not in app.result.value


def test_practice_settings_show_the_answers_at_once(
    gb: Gradebook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trainer_file(
        tmp_path,
        monkeypatch,
        "recognise-determinant:\n  attempts: 0\n  show_answers: immediately\n"
        "  new_variant_per_attempt: false\n",
    )
    app = started(gb, "recognise-determinant")
    assert app.variant is not None and app.form is not None
    variant = app.variant
    for _ in range(4):  # unlimited, the same questions
        fill(app.form, wrong(variant))
        assert app.submit() and not app.next_pending
        assert app.variant is variant
    shown = " ".join(
        c.value for box in app.form.items.values() for c in box.children if hasattr(c, "value")
    )
    assert [s for s in answer_texts(variant, "nl") if str(escape(s)) in shown]
    assert message("settings_unlimited", "nl") in app.result.value


# --- enforcement in the grading service ---------------------------------------------------------


def test_the_grading_service_enforces_the_same_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trainer_file(tmp_path, monkeypatch, "score-case:\n  attempts: 2\n")
    ex = get_exercise("score-case")
    key = variant_key(SECRET, "score-case", "ANNA01")

    async def scenario(base: str, gb: Any) -> None:
        url = base + "exercises/score-case/attempts"
        for n in (1, 2):
            status, view = await call(base + "exercises/score-case?lang=nl", "tok-anna")
            variant = ex.variant_for(key, n)
            assert status == 200 and view["variant"] == variant.fingerprint
            assert view["quiz"]["attempts"] == 2 and view["quiz"]["used"] == n - 1
            status, body = await call(url, "tok-anna", {"answers": wrong(variant), "lang": "nl"})
            assert status == 200 and body["attempt_no"] == n
            text = str(body["result"])
            secrets = answer_texts(variant, "nl")
            if n == 1:
                assert body["released"] is False and body["next_is_new"] is True
                assert not [s for s in secrets if s in text]
            else:
                assert body["released"] is True and body["next_is_new"] is False
                assert [s for s in secrets if s in text]
            expected = grade(variant, wrong(variant), "nl")
            assert body["result"]["points"] == expected.points
        stored = gb.attempts("ANNA01", "score-case")
        assert [a.variant for a in stored] == [ex.variant_for(key, n).fingerprint for n in (1, 2)]
        # the third attempt: refused with the limit in both languages, nothing stored
        status, body = await call(url, "tok-anna", {"answers": wrong(ex.variant_for(key, 3))})
        assert status == 403 and body["error"] == "no_attempts_left"
        assert body["messages"] == {
            lang: message("no_attempts_left", lang, limit=2) for lang in ("nl", "en")
        }
        assert len(gb.attempts("ANNA01", "score-case")) == 2

    run_scenario(tmp_path, scenario)


def test_the_grading_service_refuses_after_closing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    past = datetime(2026, 1, 9, 17, 0, tzinfo=CET)
    trainer_file(tmp_path, monkeypatch, f"score-case:\n  closes: {past.isoformat()}\n")
    variant = get_exercise("score-case").variant_for(variant_key(SECRET, "score-case", "ANNA01"), 1)

    async def scenario(base: str, gb: Any) -> None:
        url = base + "exercises/score-case/attempts"
        status, body = await call(url, "tok-anna", {"answers": perfect(variant)})
        assert status == 403 and body["error"] == "closed"
        assert "vrijdag 9 januari 2026 om 17:00" in body["messages"]["nl"]
        assert gb.attempts() == []

    run_scenario(tmp_path, scenario)


# --- the trainer's dashboard ---------------------------------------------------------------------


def test_the_dashboard_shows_each_exercises_settings_under_its_heading(
    gb: Gradebook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exercises.dashboard import Dashboard

    trainer_file(
        tmp_path,
        monkeypatch,
        "score-case:\n  attempts: 2\n  closes: 2026-12-12T17:00:00+01:00\n"
        "  show_answers: after_close\n",
    )
    dash = Dashboard("nl", gb, "trainer-secret-123")
    assert dash.unlock("trainer-secret-123")
    texts = repr([getattr(c, "value", "") for c in dash.widget.children]) + repr(
        [
            getattr(child, "value", "")
            for section in dash.body.children
            for child in getattr(section, "children", ())
        ]
    )
    assert (
        "2 pogingen · nieuwe vragen per poging · sluit zaterdag 12 december 2026 om 17:00"
        " · antwoorden na sluiting"
    ) in texts
    assert "3 pogingen · nieuwe vragen per poging · antwoorden na de laatste poging" in texts
    dash.stop()


def test_a_broken_settings_file_stops_the_page_politely_and_the_dashboard_names_it(
    gb: Gradebook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exercises.dashboard import _settings_line

    path = trainer_file(tmp_path, monkeypatch, "score-case:\n  attempts: -2\n")
    app = ExerciseApp("score-case", "nl", gb, env={})
    assert app.identify("Sam de Vries", "s1234567")
    assert app.form is None and app.variant is None
    assert escape(message("settings_broken", "nl")) in app.message.value
    assert str(path) not in app.message.value  # the learner gets no file paths
    line = _settings_line("score-case", "nl")
    assert str(path) in line and "score-case.attempts" in line
    assert gb.attempts() == []
