"""ORM models of the gradebook: who the learners are, and every attempt they submitted.

Two tables, both append-only in practice:

* ``learners``: one row per learner number. A display name is never overwritten.
* ``attempts``: one row per submission. Rows are never updated or deleted (the facade has no API
  for it, an ORM guard refuses it, and database triggers from migration 0002 refuse it too).

And one table of facts about the course: ``retired_exercises`` (migration 0005), the exercise
ids taken out of the course, whose attempts the exports keep and mark as retired.

And the tables of LTI 1.3 launches (migration 0006, package ``lti``): ``lti_launches`` (a
valid launch, its one-time ticket and where its grade goes) and ``lti_values`` (nonces and
launch data of the OIDC login, short-lived).

And the class roster of the standalone kit (migration 0007): ``classes`` (a class a trainer
made), ``class_members`` (which class a learner is in, and the salted hash of their personal
sign-in code; never the code) and ``sign_in_failures`` (failed sign-ins per learner number, for
throttling that a new kernel does not reset).

Times are stored as UTC. On SQLite, which has no time zone type, they are stored as naive UTC
and come back as aware UTC datetimes (see :class:`UTCDateTime`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

__all__ = [
    "IDENTITY_SOURCES",
    "Attempt",
    "Base",
    "ClassMember",
    "Learner",
    "LtiLaunch",
    "LtiValue",
    "Retirement",
    "SchoolClass",
    "SignInFailure",
    "UTCDateTime",
    "utcnow",
]

#: Where a learner's identity came from: typed in the standalone kit, given by JupyterHub,
#: taken from a trusted reverse-proxy header, or from a signed LTI 1.3 launch (migration 0006).
IDENTITY_SOURCES = ("standalone", "hub", "header", "lti")

#: JSON on SQLite, JSONB on PostgreSQL.
JSONType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> dt.datetime:
    """The current time, aware, in UTC."""
    return dt.datetime.now(dt.timezone.utc)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp that is always UTC: aware datetimes in, aware UTC datetimes out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give an aware datetime (UTC)")
        value = value.astimezone(dt.timezone.utc)
        # SQLite keeps no offset: store naive UTC there.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


class Base(DeclarativeBase):
    """Declarative base of the gradebook tables."""


class Learner(Base):
    """A learner, known by a learner number (student number or hub user name)."""

    __tablename__ = "learners"
    __table_args__ = (
        UniqueConstraint("learner_number", name="uq_learners_number"),
        CheckConstraint(
            "identity_source IN ('standalone', 'hub', 'header', 'lti')", name="ck_learners_source"
        ),
    )

    #: Surrogate key, used by foreign keys only; never shown.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The learner id, stored upper case; unique. Typed in the standalone kit: 4–12 letters or
    #: digits; from JupyterHub or a proxy header: a user name of up to 64 characters.
    learner_number: Mapped[str] = mapped_column(String(64), nullable=False)
    #: The name shown to teachers, 1–80 printable characters, stored exactly as given.
    display_name: Mapped[str] = mapped_column(String(80), nullable=False)
    #: Where the identity came from: one of :data:`IDENTITY_SOURCES`.
    identity_source: Mapped[str] = mapped_column(String(16), nullable=False, default="standalone")
    #: When the learner was first registered (UTC).
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    @property
    def lms_id(self) -> str:
        """The id as exports write it: a typed learner number as stored, a user name from
        JupyterHub or a proxy in lower case (as JupyterHub writes user names, and as an LMS
        that gave the hub its logins knows them)."""
        if self.identity_source == "standalone":
            return self.learner_number
        return self.learner_number.lower()

    def to_dict(self) -> dict[str, Any]:
        """The learner as plain JSON-ready values."""
        return {
            "id": self.id,
            "learner_number": self.learner_number,
            "display_name": self.display_name,
            "identity_source": self.identity_source,
            "created_at": self.created_at.isoformat() if self.created_at else None,
        }

    def __repr__(self) -> str:
        return (
            f"Learner(id={self.id!r}, learner_number={self.learner_number!r}, "
            f"display_name={self.display_name!r}, identity_source={self.identity_source!r})"
        )


class Attempt(Base):
    """One submitted attempt at one exercise. Never updated, never deleted."""

    __tablename__ = "attempts"
    __table_args__ = (
        # Race-free numbering: two writers that pick the same number cannot both commit.
        UniqueConstraint("learner_id", "exercise_id", "attempt_no", name="uq_attempts_number"),
        CheckConstraint("attempt_no >= 1", name="ck_attempts_number"),
        CheckConstraint("max_points > 0", name="ck_attempts_max_points"),
        CheckConstraint("points >= 0 AND points <= max_points", name="ck_attempts_points"),
        Index("ix_attempts_exercise", "exercise_id"),
    )

    #: Surrogate key; also the order in which attempts were stored.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The learner who submitted (``learners.id``).
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="RESTRICT"), nullable=False
    )
    #: The exercise, e.g. ``marja-levers``: letters, digits, ``.``, ``_``, ``-``, ``:``.
    exercise_id: Mapped[str] = mapped_column(String(100), nullable=False)
    #: The variant shown (a seed or a variant id), as text; empty when there is one variant.
    variant: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    #: 1 for the learner's first attempt at this exercise, then 2, 3, ... without gaps.
    attempt_no: Mapped[int] = mapped_column(Integer, nullable=False)
    #: The answers as given (any JSON value).
    answers: Mapped[Any] = mapped_column(JSONType, nullable=False)
    #: Points per item, ``{item_id: points}``.
    item_scores: Mapped[dict[str, float]] = mapped_column(JSONType, nullable=False)
    #: Sum of the item points.
    points: Mapped[float] = mapped_column(Float, nullable=False)
    #: Maximum points of the exercise (> 0).
    max_points: Mapped[float] = mapped_column(Float, nullable=False)
    #: ``points / max_points``, from 0 to 1.
    score: Mapped[float] = mapped_column(Float, nullable=False)
    #: When the attempt was stored (UTC, set by the gradebook, not by the client).
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    #: The learner, loaded with the attempt (one JOIN), so ``to_dict`` needs no extra query.
    learner: Mapped[Learner] = relationship(lazy="joined")

    def to_dict(self) -> dict[str, Any]:
        """The attempt as plain JSON-ready values (with the learner number, not the row id)."""
        return {
            "id": self.id,
            "learner_number": self.learner.learner_number,
            "exercise_id": self.exercise_id,
            "variant": self.variant,
            "attempt_no": self.attempt_no,
            "answers": self.answers,
            "item_scores": dict(self.item_scores),
            "points": self.points,
            "max_points": self.max_points,
            "score": self.score,
            "submitted_at": self.submitted_at.isoformat() if self.submitted_at else None,
        }

    def __repr__(self) -> str:
        return (
            f"Attempt(id={self.id!r}, learner_id={self.learner_id!r}, "
            f"exercise_id={self.exercise_id!r}, attempt_no={self.attempt_no!r}, "
            f"points={self.points!r}, max_points={self.max_points!r})"
        )


class Retirement(Base):
    """An exercise taken out of the course. Its attempts stay stored and exported, marked as
    attempts on a retired exercise (gradebook/export.py)."""

    __tablename__ = "retired_exercises"

    #: The retired exercise's id, as its attempts carry it in ``attempts.exercise_id``.
    exercise_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    #: The day it was taken out of the course.
    retired_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    #: The exercise that took its place (``None``: none did).
    replaced_by: Mapped[str | None] = mapped_column(String(100), nullable=True)

    def to_dict(self) -> dict[str, Any]:
        """The retirement as plain JSON-ready values."""
        return {
            "exercise_id": self.exercise_id,
            "retired_on": self.retired_on.isoformat(),
            "replaced_by": self.replaced_by,
        }

    def __repr__(self) -> str:
        return (
            f"Retirement(exercise_id={self.exercise_id!r}, retired_on={self.retired_on!r}, "
            f"replaced_by={self.replaced_by!r})"
        )


class LtiLaunch(Base):
    """A valid LTI 1.3 resource-link launch (migration 0006): who, which exercise, where the
    grade goes, and the one-time ticket that binds the exercise page to the learner.

    Only a hash of the ticket is stored. The ticket is redeemed once (``redeemed_at``), by the
    exercise kernel of the page the launch opened; ``kernel_key_hash`` is the hash of the key
    that kernel then holds to ask for grade passback of this launch.
    """

    __tablename__ = "lti_launches"
    __table_args__ = (
        UniqueConstraint("ticket_hash", name="uq_lti_launches_ticket"),
        Index("ix_lti_launches_learner", "learner_id", "exercise_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="RESTRICT"), nullable=False
    )
    exercise_id: Mapped[str] = mapped_column(String(100), nullable=False)
    #: The platform (``iss``), its client id and deployment, and the user there (``sub``).
    issuer: Mapped[str] = mapped_column(String(255), nullable=False)
    client_id: Mapped[str] = mapped_column(String(255), nullable=False)
    deployment_id: Mapped[str] = mapped_column(String(255), nullable=False)
    subject: Mapped[str] = mapped_column(String(255), nullable=False)
    #: LTI roles of the launch (URIs), and the page language (``nl``/``en``).
    roles: Mapped[Any] = mapped_column(JSONType, nullable=False)
    lang: Mapped[str] = mapped_column(String(8), nullable=False)
    #: Assignment and Grade Services: the line item URL and the scopes granted (None: no AGS).
    lineitem: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    ags_scopes: Mapped[Any] = mapped_column(JSONType, nullable=False)
    ticket_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    ticket_expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
    redeemed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    kernel_key_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    #: The last grade passback: when it reached the platform, or why it did not.
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    send_error: Mapped[str | None] = mapped_column(String(500), nullable=True)


class LtiValue(Base):
    """Short-lived values of the LTI 1.3 login and launch (migration 0006): the nonces the
    tool sent to a platform (each accepted once), and validated launch data (deep linking)."""

    __tablename__ = "lti_values"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONType, nullable=False)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)


class SchoolClass(Base):
    """A class of the standalone kit (migration 0007): the trainer imports its roster, and each
    learner in it signs in with a learner number and a personal code."""

    __tablename__ = "classes"
    __table_args__ = (UniqueConstraint("name", name="uq_classes_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The class as the trainer calls it, e.g. ``2B werkcoaches``: 1–80 printable characters.
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class ClassMember(Base):
    """A learner in a class, with the salted hash of their personal code (migration 0007).

    One row per learner (a learner number is in one class). ``code_hash`` is replaced when the
    trainer resets a lost code (the old code stops working); ``None``: no code issued yet.
    """

    __tablename__ = "class_members"
    __table_args__ = (Index("ix_class_members_class", "class_id"),)

    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="RESTRICT"), primary_key=True
    )
    class_id: Mapped[int] = mapped_column(
        ForeignKey("classes.id", ondelete="RESTRICT"), nullable=False
    )
    #: ``scrypt$n$r$p$salt$hash`` (gradebook/codes.py); never the code itself.
    code_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    code_issued_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: The first and the latest sign-in with a code (None: not signed in yet).
    first_signed_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_signed_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    joined_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    learner: Mapped[Learner] = relationship(lazy="joined")
    school_class: Mapped[SchoolClass] = relationship(lazy="joined")


class SignInFailure(Base):
    """Failed sign-ins in a row for one learner number, known or not (migration 0007).

    Kept in the database so that opening a new page (a new kernel) does not reset the count;
    a successful sign-in or a code reset by the trainer clears it.
    """

    __tablename__ = "sign_in_failures"

    #: The learner number as typed and normalised (upper case), whether or not it exists.
    number: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_failure_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False)
