"""The ORM models: documented columns, to_dict, __repr__, UTC timestamps."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from database.models import Attempt, Learner, Retirement, UTCDateTime
from gradebook import Gradebook


def test_learner_to_dict_and_repr(gb: Gradebook) -> None:
    learner = gb.register_learner("s0000001", "Anna", identity_source="hub")
    data = learner.to_dict()
    assert set(data) == {"id", "learner_number", "display_name", "identity_source", "created_at"}
    assert data["identity_source"] == "hub"
    assert dt.datetime.fromisoformat(data["created_at"]).utcoffset() == dt.timedelta(0)
    assert "S0000001" in repr(learner) and "Anna" in repr(learner)


def test_attempt_to_dict_has_every_column(gb: Gradebook) -> None:
    gb.register_learner("s0000001", "Anna")
    attempt = gb.record_attempt("s0000001", "ex", None, [1, 2], {"a": 1}, 1)
    columns = {c.name for c in Attempt.__table__.columns} - {"learner_id"}
    assert columns | {"learner_number"} == set(attempt.to_dict())
    assert attempt.variant == ""


def test_every_column_is_documented() -> None:
    """Is each column's definition directly preceded by a '#:' comment?"""
    import inspect
    import re

    import database.models as models

    lines = inspect.getsource(models).splitlines()
    documented = {
        match.group(1)
        for before, line in itertools.pairwise(lines)
        if (match := re.match(r"    (\w+): Mapped\[", line)) and before.strip().startswith("#:")
    }
    for model in (Learner, Attempt, Retirement):
        for column in model.__table__.columns:
            assert column.name in documented, f"{model.__name__}.{column.name} has no #: comment"


def test_utc_datetime_refuses_naive_times() -> None:
    from sqlalchemy.dialects import sqlite

    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(dt.datetime(2026, 1, 1), sqlite.dialect())
    cet = dt.timezone(dt.timedelta(hours=1))
    stored = UTCDateTime().process_bind_param(
        dt.datetime(2026, 1, 1, 12, tzinfo=cet), sqlite.dialect()
    )
    assert stored == dt.datetime(2026, 1, 1, 11)
