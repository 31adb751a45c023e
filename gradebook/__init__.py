"""igm-kit's gradebook: learners and every attempt they submit at graded exercises.

SQLite by default, PostgreSQL through a URL; schema changes go through Alembic migrations that
run when the gradebook is opened. See gradebook/README.md.

    from gradebook import open_gradebook
    with open_gradebook() as gb:
        gb.register_learner("s1234567", "Sam")
        gb.for_learner("s1234567").record_attempt("marja-levers", 7, {"q1": "b"}, {"q1": 1}, 1)
"""

from __future__ import annotations

from database.engine import default_url
from database.models import Attempt, Learner
from gradebook.api import (
    POLICIES,
    Gradebook,
    ImportResult,
    IssuedCode,
    LearnerView,
    Policy,
    RosterEntry,
    open_gradebook,
)
from gradebook.codes import RosterRow, parse_roster_csv
from gradebook.errors import (
    AccessDenied,
    AppendOnly,
    GradebookError,
    IdentityConflict,
    InvalidAttempt,
    InvalidIdentity,
    RosterError,
    SignInRefused,
    SignInThrottled,
    UnknownLearner,
)

__all__ = [
    "POLICIES",
    "AccessDenied",
    "AppendOnly",
    "Attempt",
    "Gradebook",
    "GradebookError",
    "IdentityConflict",
    "ImportResult",
    "InvalidAttempt",
    "InvalidIdentity",
    "IssuedCode",
    "Learner",
    "LearnerView",
    "Policy",
    "RosterEntry",
    "RosterError",
    "RosterRow",
    "SignInRefused",
    "SignInThrottled",
    "UnknownLearner",
    "default_url",
    "open_gradebook",
    "parse_roster_csv",
]
