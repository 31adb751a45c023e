"""The Gradebook facade: registration, recording, reading, choosing, and nothing overwritten."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from gradebook import (
    AppendOnly,
    Gradebook,
    IdentityConflict,
    InvalidAttempt,
    InvalidIdentity,
    UnknownLearner,
)


def record(gb: Gradebook, number: str, exercise: str, points: float, max_points: float = 2):
    return gb.record_attempt(number, exercise, 7, {"q1": "b"}, {"q1": points}, max_points)


def test_register_returns_the_same_learner_for_the_same_number(gb: Gradebook) -> None:
    """Does registering a number twice (any case, same name) give one learner?"""
    first = gb.register_learner("s1234567", "Sam de Vries")
    again = gb.register_learner("S1234567", "  Sam de Vries ")
    assert first.id == again.id
    assert first.learner_number == "S1234567"
    assert [learner.learner_number for learner in gb.learners()] == ["S1234567"]
    assert first.identity_source == "standalone"
    assert first.created_at.tzinfo is not None


def test_a_different_name_for_a_known_number_is_refused_not_overwritten(gb: Gradebook) -> None:
    """Can someone rename a learner by registering their number with another name?"""
    gb.register_learner("s1234567", "Sam")
    with pytest.raises(IdentityConflict, match="already registered"):
        gb.register_learner("s1234567", "Mallory")
    assert gb.learner("s1234567").display_name == "Sam"


@pytest.mark.parametrize(
    ("number", "name"),
    [
        ("abc", "Sam"),  # too short
        ("1234567890123", "Sam"),  # too long
        ("s12-345", "Sam"),  # not a letter or digit
        ("s123 4567", "Sam"),
        (1234567, "Sam"),  # not text
        ("s1234567", ""),
        ("s1234567", "   "),
        ("s1234567", "x" * 81),
        ("s1234567", "Sam\nSmith"),
        ("s1234567", "Sam\tSmith"),
        ("s1234567", None),
    ],
)
def test_bad_numbers_and_names_are_refused_with_a_clear_message(
    gb: Gradebook, number: object, name: object
) -> None:
    """Does each malformed identity raise InvalidIdentity naming the bad value?"""
    with pytest.raises(InvalidIdentity) as info:
        gb.register_learner(number, name)  # type: ignore[arg-type]
    assert repr(number) in str(info.value) or repr(name) in str(info.value)
    assert gb.learners() == []


def test_attempts_are_numbered_per_learner_and_exercise(gb: Gradebook) -> None:
    """Are attempt numbers 1, 2, ... per learner and exercise, independent of each other?"""
    gb.register_learner("s0000001", "A")
    gb.register_learner("s0000002", "B")
    numbers = [
        record(gb, "s0000001", "ex-a", 1).attempt_no,
        record(gb, "s0000001", "ex-a", 2).attempt_no,
        record(gb, "s0000001", "ex-b", 2).attempt_no,
        record(gb, "s0000002", "ex-a", 0).attempt_no,
        record(gb, "s0000001", "ex-a", 0).attempt_no,
    ]
    assert numbers == [1, 2, 1, 1, 3]


def test_an_attempt_is_stored_as_given(gb: Gradebook) -> None:
    """Does every field come back as stored, with the total, the score and a UTC time?"""
    gb.register_learner("s0000001", "A")
    before = dt.datetime.now(dt.timezone.utc)
    gb.record_attempt(
        "s0000001", "marja.levers", "v2", {"q1": ["a", "c"], "q2": 3}, {"q1": 1, "q2": 0.5}, 4
    )
    (attempt,) = gb.attempts()
    data = attempt.to_dict()
    assert data["learner_number"] == "S0000001"
    assert data["variant"] == "v2"
    assert data["answers"] == {"q1": ["a", "c"], "q2": 3}
    assert data["item_scores"] == {"q1": 1.0, "q2": 0.5}
    assert (data["points"], data["max_points"], data["score"]) == (1.5, 4.0, 0.375)
    assert attempt.submitted_at.tzinfo == dt.timezone.utc
    assert (
        before - dt.timedelta(seconds=5)
        <= attempt.submitted_at
        <= before + dt.timedelta(seconds=60)
    )
    assert "marja.levers" in repr(attempt)


@pytest.mark.parametrize(
    ("exercise", "variant", "answers", "scores", "max_points", "field"),
    [
        ("", 1, {}, {"q": 1}, 1, "exercise id"),
        ("-bad", 1, {}, {"q": 1}, 1, "exercise id"),
        ("ex", 1.5, {}, {"q": 1}, 1, "variant"),
        ("ex", True, {}, {"q": 1}, 1, "variant"),
        ("ex", 1, {"f": object()}, {"q": 1}, 1, "answers"),
        ("ex", 1, {"f": float("nan")}, {"q": 1}, 1, "answers"),
        ("ex", 1, {}, [1], 1, "item_scores"),
        ("ex", 1, {}, {"q": -1}, 1, "item_scores"),
        ("ex", 1, {}, {"q": "1"}, 1, "item_scores"),
        ("ex", 1, {}, {"q": 2}, 1, "item_scores"),
        ("ex", 1, {}, {"q": 0}, 0, "max_points"),
        ("ex", 1, {}, {"q": 0}, float("inf"), "max_points"),
    ],
)
def test_bad_attempts_are_refused_and_nothing_is_stored(
    gb: Gradebook,
    exercise: str,
    variant: object,
    answers: object,
    scores: object,
    max_points: float,
    field: str,
) -> None:
    """Does a malformed attempt raise InvalidAttempt naming the field, storing nothing?"""
    gb.register_learner("s0000001", "A")
    with pytest.raises(InvalidAttempt, match=field):
        gb.record_attempt("s0000001", exercise, variant, answers, scores, max_points)  # type: ignore[arg-type]
    assert gb.attempts() == []


def test_unknown_learners_are_an_error_not_an_empty_list(gb: Gradebook) -> None:
    """Does asking about, or recording for, an unregistered number raise UnknownLearner?"""
    with pytest.raises(UnknownLearner):
        record(gb, "s9999999", "ex", 1)
    with pytest.raises(UnknownLearner):
        gb.attempts("s9999999")
    with pytest.raises(UnknownLearner):
        gb.for_learner("s9999999")


def test_attempts_filter_by_learner_and_exercise(gb: Gradebook) -> None:
    """Do the filters of attempts() select what they say?"""
    for number in ("s0000001", "s0000002"):
        gb.register_learner(number, number)
        record(gb, number, "ex-a", 1)
        record(gb, number, "ex-b", 1)
    assert len(gb.attempts()) == 4
    assert {a.exercise_id for a in gb.attempts("s0000001")} == {"ex-a", "ex-b"}
    assert {a.learner.learner_number for a in gb.attempts(exercise_id="ex-b")} == {
        "S0000001",
        "S0000002",
    }
    assert len(gb.attempts("s0000002", "ex-a")) == 1
    assert gb.exercise_ids() == ["ex-a", "ex-b"]


def test_best_takes_the_highest_score_and_last_the_latest(gb: Gradebook) -> None:
    """Does 'best' pick the highest score (earliest on a tie) and 'last' the newest attempt?"""
    gb.register_learner("s0000001", "A")
    for points in (1, 2, 0.5, 2):
        record(gb, "s0000001", "ex", points)
    best = gb.best_or_last("best")[("S0000001", "ex")]
    last = gb.best_or_last("last")[("S0000001", "ex")]
    assert (best.points, best.attempt_no) == (2, 2)
    assert (last.points, last.attempt_no) == (2, 4)
    with pytest.raises(ValueError, match="policy 'mean'"):
        gb.best_or_last("mean")


def test_the_facade_refuses_to_change_or_delete_a_stored_attempt(gb: Gradebook) -> None:
    """Can code that reaches the ORM object through the facade overwrite or delete it?"""
    gb.register_learner("s0000001", "A")
    attempt = record(gb, "s0000001", "ex", 1)
    attempt.points = 2
    with pytest.raises(AppendOnly):
        gb._run(lambda session: session.flush())
    with pytest.raises(AppendOnly):
        gb._run(lambda session: session.delete(attempt))
    (stored,) = gb.attempts()
    assert stored.points == 1
    assert not hasattr(gb, "update_attempt") and not hasattr(gb, "delete_attempt")


@pytest.mark.parametrize("statement", ["UPDATE attempts SET points = 0", "DELETE FROM attempts"])
def test_the_database_refuses_to_change_or_delete_a_stored_attempt(
    gb: Gradebook, statement: str
) -> None:
    """Does the database itself (trigger) refuse UPDATE and DELETE on attempts?"""
    gb.register_learner("s0000001", "A")
    record(gb, "s0000001", "ex", 1)
    with pytest.raises(DBAPIError, match="append-only"), gb.engine.begin() as connection:
        connection.execute(text(statement))
    (stored,) = gb.attempts()
    assert stored.points == 1


def test_the_session_stays_usable_after_an_error(gb: Gradebook) -> None:
    """After a refused write, do later writes and reads still work (the rollback happened)?"""
    gb.register_learner("s0000001", "A")
    with pytest.raises(IdentityConflict):
        gb.register_learner("s0000001", "B")
    with pytest.raises(UnknownLearner):
        record(gb, "s0000002", "ex", 1)
    assert record(gb, "s0000001", "ex", 1).attempt_no == 1
