"""The tool's state in the kit's database: short-lived login values and launches.

* :class:`ValueStore`: pylti1p3's launch data storage (``lti_values``), with expiry, and
  :meth:`ValueStore.consume`, which accepts a key once: a nonce is consumed by the launch
  that carries it, so the same ``id_token`` posted again is refused.
* :class:`LaunchStore`: valid resource-link launches (``lti_launches``) and their one-time
  tickets. The ticket goes to the browser (``?lti=``) and is redeemed once, by the exercise
  kernel of that page; the kernel then holds a key of its own for grade passback.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session

from database.models import Learner, LtiLaunch, LtiValue, utcnow

__all__ = ["TICKET_SECONDS", "LaunchStore", "NewLaunch", "Redeemed", "ValueStore"]

#: How long a launch's ticket may wait for its page (the page opens within seconds).
TICKET_SECONDS = 300


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ValueStore:
    """Key → JSON value with an expiry time, in ``lti_values``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def set(self, key: str, value: Any, seconds: int) -> None:
        expires = utcnow() + dt.timedelta(seconds=seconds)
        with Session(self.engine) as session, session.begin():
            row = session.get(LtiValue, key)
            if row is None:
                session.add(LtiValue(key=key, value=value, expires_at=expires))
            else:
                row.value, row.expires_at = value, expires
            # old rows go when new ones come: the table stays small without a cleaner
            session.execute(delete(LtiValue).where(LtiValue.expires_at < utcnow()))

    def get(self, key: str) -> Any:
        with Session(self.engine) as session:
            row = session.get(LtiValue, key)
            return row.value if row is not None and row.expires_at > utcnow() else None

    def has(self, key: str) -> bool:
        return self.get(key) is not None

    def consume(self, key: str) -> bool:
        """Delete ``key``; True only for the one caller that deleted a live value."""
        with Session(self.engine) as session, session.begin():
            result = session.execute(
                delete(LtiValue).where(LtiValue.key == key, LtiValue.expires_at > utcnow())
            )
            return bool(getattr(result, "rowcount", 0) == 1)


@dataclass(frozen=True)
class NewLaunch:
    """What :meth:`LaunchStore.create` stores, from a validated launch."""

    learner_number: str
    exercise_id: str
    issuer: str
    client_id: str
    deployment_id: str
    subject: str
    roles: list[str]
    lang: str
    lineitem: str | None
    ags_scopes: list[str]


@dataclass(frozen=True)
class Redeemed:
    """A redeemed ticket: the launch, its learner, and the key for passback."""

    launch_id: int
    learner_number: str
    display_name: str
    exercise_id: str
    kernel_key: str
    graded: bool


class LaunchStore:
    """``lti_launches``: create, redeem once, find for passback, note the passback result."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, launch: NewLaunch) -> str:
        """Store the launch; return its ticket (shown once, only its hash is kept)."""
        ticket = secrets.token_urlsafe(32)
        with Session(self.engine) as session, session.begin():
            learner = session.scalars(
                select(Learner).where(Learner.learner_number == launch.learner_number.upper())
            ).one()
            session.add(
                LtiLaunch(
                    learner_id=learner.id,
                    exercise_id=launch.exercise_id,
                    issuer=launch.issuer,
                    client_id=launch.client_id,
                    deployment_id=launch.deployment_id,
                    subject=launch.subject,
                    roles=launch.roles,
                    lang=launch.lang,
                    lineitem=launch.lineitem,
                    ags_scopes=launch.ags_scopes,
                    ticket_hash=_hash(ticket),
                    ticket_expires_at=utcnow() + dt.timedelta(seconds=TICKET_SECONDS),
                    created_at=utcnow(),
                )
            )
        return ticket

    def redeem(self, ticket: str, exercise_id: str) -> Redeemed | None:
        """The launch of ``ticket`` for ``exercise_id``, once; None for an unknown, used,
        expired ticket or another exercise."""
        kernel_key = secrets.token_urlsafe(32)
        now = utcnow()
        with Session(self.engine) as session, session.begin():
            # one UPDATE decides: of two pages with the same ticket, only one gets a row
            result = session.execute(
                update(LtiLaunch)
                .where(
                    LtiLaunch.ticket_hash == _hash(ticket),
                    LtiLaunch.redeemed_at.is_(None),
                    LtiLaunch.ticket_expires_at > now,
                    LtiLaunch.exercise_id == exercise_id,
                )
                .values(redeemed_at=now, kernel_key_hash=_hash(kernel_key))
            )
            if getattr(result, "rowcount", 0) != 1:
                return None
            launch = session.scalars(
                select(LtiLaunch).where(LtiLaunch.ticket_hash == _hash(ticket))
            ).one()
            learner = session.get(Learner, launch.learner_id)
            assert learner is not None
            return Redeemed(
                launch.id,
                learner.learner_number,
                learner.display_name,
                launch.exercise_id,
                kernel_key,
                bool(launch.lineitem),
            )

    def for_kernel(self, launch_id: int, kernel_key: str) -> tuple[LtiLaunch, str] | None:
        """The launch and its learner number, if ``kernel_key`` is the one its ticket gave."""
        with Session(self.engine, expire_on_commit=False) as session:
            launch = session.get(LtiLaunch, launch_id)
            if (
                launch is None
                or launch.kernel_key_hash is None
                or not secrets.compare_digest(launch.kernel_key_hash, _hash(kernel_key))
            ):
                return None
            learner = session.get(Learner, launch.learner_id)
            assert learner is not None
            session.expunge(launch)
            return launch, learner.learner_number

    def note_passback(self, launch_id: int, error: str | None) -> None:
        values: dict[str, Any] = {"send_error": error[:500] if error else None}
        if error is None:
            values["sent_at"] = utcnow()
        with Session(self.engine) as session, session.begin():
            session.execute(update(LtiLaunch).where(LtiLaunch.id == launch_id).values(**values))
