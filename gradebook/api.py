"""The :class:`Gradebook` facade: the only way the kit reads or writes grades.

Every transaction goes through :meth:`Gradebook._run`, the one place that commits, rolls back
and retries. Attempts are append-only: there is no method to change or delete one, and a
session guard refuses it even for code that reaches past the facade to the ORM objects.

A teacher (or the export) uses the whole gradebook; a learner's session gets
:meth:`Gradebook.for_learner`, a :class:`LearnerView` that can only read and record that
learner's attempts.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal, TypeVar

from sqlalchemy import Engine, event, func, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, contains_eager, sessionmaker

from database.engine import make_engine, upgrade
from database.locks import writer_queue
from database.models import (
    Attempt,
    ClassMember,
    Learner,
    Retirement,
    SchoolClass,
    SignInFailure,
    utcnow,
)
from gradebook.codes import (
    DUMMY_HASH,
    RosterProblem,
    RosterRow,
    code_matches,
    format_code,
    hash_code,
    new_code,
    wait_after,
)
from gradebook.errors import (
    AccessDenied,
    AppendOnly,
    IdentityConflict,
    InvalidIdentity,
    RosterError,
    SignInRefused,
    SignInThrottled,
    UnknownLearner,
)
from gradebook.validation import (
    check_answers,
    check_display_name,
    check_exercise_id,
    check_identity_source,
    check_item_scores,
    check_max_points,
    check_variant,
    normalise_learner_number,
)

__all__ = [
    "POLICIES",
    "Gradebook",
    "ImportResult",
    "IssuedCode",
    "LearnerView",
    "Policy",
    "RosterEntry",
    "open_gradebook",
]

T = TypeVar("T")
Policy = Literal["best", "last"]
#: "best": the highest score (the earliest attempt on a tie); "last": the latest attempt.
POLICIES: tuple[Policy, ...] = ("best", "last")

# PostgreSQL SQLSTATEs worth a retry: serialization failure, deadlock.
_RETRY_SQLSTATES = {"40001", "40P01"}


def _guard_append_only(session: Session, _context: Any, _instances: Any) -> None:
    """Refuse, at flush time, any change to a stored attempt or learner and any deletion."""
    for obj in session.deleted:
        if isinstance(obj, (Attempt, Learner)):
            raise AppendOnly(f"refused to delete {obj!r}: the gradebook keeps everything")
    for obj in session.dirty:
        if isinstance(obj, (Attempt, Learner)) and session.is_modified(obj):
            raise AppendOnly(f"refused to change {obj!r}: stored attempts are never overwritten")


def _retryable(exc: BaseException) -> bool:
    """A clash with a concurrent writer that a fresh transaction resolves."""
    if isinstance(exc, IntegrityError):
        return True  # a unique key taken meanwhile (attempt number, learner number)
    if isinstance(exc, DBAPIError):
        state = getattr(exc.orig, "sqlstate", None)
        return state in _RETRY_SQLSTATES or "database is locked" in str(exc.orig)
    return False


def _check_policy(policy: str) -> Policy:
    if policy == "best":
        return "best"
    if policy == "last":
        return "last"
    raise ValueError(f"policy {policy!r}: allowed: {', '.join(POLICIES)}")


def select_attempts(attempts: Iterable[Attempt], policy: str) -> dict[tuple[str, str], Attempt]:
    """One attempt per (learner number, exercise id) according to ``policy``."""
    chosen_policy = _check_policy(policy)
    chosen: dict[tuple[str, str], Attempt] = {}
    for attempt in attempts:
        key = (attempt.learner.learner_number, attempt.exercise_id)
        current = chosen.get(key)
        if current is None:
            chosen[key] = attempt
        elif chosen_policy == "last":
            if attempt.attempt_no > current.attempt_no:
                chosen[key] = attempt
        elif (attempt.score, -attempt.attempt_no) > (current.score, -current.attempt_no):
            chosen[key] = attempt
    return chosen


@dataclass(frozen=True)
class IssuedCode:
    """A personal code just made for a learner: shown once (code sheet), never stored."""

    class_name: str
    number: str
    name: str
    #: As the learner types it, e.g. ``KX7P-M3QD``.
    code: str


@dataclass(frozen=True)
class RosterEntry:
    """A learner of a class as the trainer's roster shows it."""

    class_name: str
    number: str
    name: str
    has_code: bool
    code_issued_at: dt.datetime | None
    first_signed_in_at: dt.datetime | None
    last_signed_in_at: dt.datetime | None


@dataclass(frozen=True)
class ImportResult:
    """What :meth:`Gradebook.import_roster` did: new codes (print them now: only hashes are
    kept), the numbers already in the class (nothing changed), and learners whose stored name
    differs from the roster's (``(number, stored, roster)``; the stored name is kept)."""

    class_name: str
    issued: list[IssuedCode]
    already: list[str]
    kept_names: list[tuple[str, str, str]]


def _check_class_name(name: object) -> str:
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 80 or not name.isprintable():
        raise InvalidIdentity(
            f"class name {name!r}: use 1 to 80 printable characters",
            key="gradebook.error.class_name",
            value=repr(name),
        )
    return name.strip()


class Gradebook:
    """Learners and their attempts. Use as a context manager, or call :meth:`close`.

    One facade holds one database session: give each thread or request its own facade
    (they may share an engine; :func:`open_gradebook` makes one per facade).
    """

    #: How often a write is retried after a clash with a concurrent writer.
    max_retries = 50

    def __init__(self, engine: Engine, *, owns_engine: bool = False) -> None:
        self.engine = engine
        self._owns_engine = owns_engine
        self._session = sessionmaker(engine, expire_on_commit=False)()
        event.listen(self._session, "before_flush", _guard_append_only)

    # -- lifecycle -------------------------------------------------------------------------
    def __enter__(self) -> Gradebook:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """End the session (and dispose of the engine when this facade created it)."""
        self._session.close()
        if self._owns_engine:
            self.engine.dispose()

    def __repr__(self) -> str:
        from database.engine import safe_url

        return f"Gradebook({safe_url(self.engine.url)!r})"

    # -- the one transaction helper ----------------------------------------------------------
    def _run(self, work: Callable[[Session], T], *, retry: bool = False) -> T:
        """Run ``work`` in one transaction: commit on success, roll back on any error.

        With ``retry``, a clash with a concurrent writer (a unique key taken meanwhile, a
        deadlock, a locked SQLite file) rolls back and runs ``work`` again, with jitter.
        """
        tries = 0
        while True:
            tries += 1
            try:
                with writer_queue(self.engine):  # SQLite: wait in line, do not poll
                    try:
                        result = work(self._session)
                        self._session.commit()
                        return result
                    except BaseException:
                        self._session.rollback()
                        raise
            except BaseException as exc:
                if not (retry and tries < self.max_retries and _retryable(exc)):
                    raise
            time.sleep(random.uniform(0, 0.002 * tries))

    # -- learners ----------------------------------------------------------------------------
    @staticmethod
    def _find_learner(session: Session, number: str, *, lock: bool = False) -> Learner:
        query = select(Learner).where(Learner.learner_number == number)
        if lock:  # PostgreSQL: serialise this learner's writers (SQLite: BEGIN IMMEDIATE does)
            query = query.with_for_update()
        learner = session.scalars(query).one_or_none()
        if learner is None:
            raise UnknownLearner(f"no learner with number {number!r}", number=number)
        return learner

    def register_learner(
        self, learner_number: str, display_name: str, *, identity_source: str = "standalone"
    ) -> Learner:
        """Register a learner, or return the one already registered under this number.

        Raises :class:`InvalidIdentity` for a malformed number or name, and
        :class:`IdentityConflict` when the number is registered under another name (the
        stored name is never overwritten).
        """
        source = check_identity_source(identity_source)
        number = normalise_learner_number(learner_number, source)
        name = check_display_name(display_name)

        def work(session: Session) -> Learner:
            existing = session.scalars(
                select(Learner).where(Learner.learner_number == number)
            ).one_or_none()
            if existing is None:
                learner = Learner(
                    learner_number=number,
                    display_name=name,
                    identity_source=source,
                    created_at=utcnow(),
                )
                session.add(learner)
                session.flush()
                return learner
            if existing.display_name != name:
                raise IdentityConflict(
                    f"learner number {number!r} is already registered under another name; "
                    "the stored name is kept",
                    number=number,
                )
            return existing

        return self._run(work, retry=True)

    def learner(self, learner_number: str) -> Learner:
        """The learner with this number, or :class:`UnknownLearner`."""
        number = normalise_learner_number(learner_number)
        return self._run(lambda session: self._find_learner(session, number))

    def learners(self) -> list[Learner]:
        """All learners, by learner number."""
        return self._run(
            lambda session: list(session.scalars(select(Learner).order_by(Learner.learner_number)))
        )

    # -- attempts ----------------------------------------------------------------------------
    def record_attempt(
        self,
        learner_number: str,
        exercise_id: str,
        variant: int | str | None,
        answers: Any,
        item_scores: Mapping[str, float],
        max_points: float,
    ) -> Attempt:
        """Store a new attempt and return it, numbered 1, 2, 3, ... per learner and exercise.

        Numbering is race-free: the learner row is locked (PostgreSQL) or the write lock is
        taken at BEGIN (SQLite), and the unique key (learner, exercise, number) catches
        anything else, after which the insert is retried with the next number.
        """
        number = normalise_learner_number(learner_number)
        exercise = check_exercise_id(exercise_id)
        variant_text = check_variant(variant)
        stored_answers = check_answers(answers)
        maximum = check_max_points(max_points)
        scores = check_item_scores(item_scores, maximum)
        points = min(sum(scores.values()), maximum)

        def work(session: Session) -> Attempt:
            learner = self._find_learner(session, number, lock=True)
            last = session.scalar(
                select(func.max(Attempt.attempt_no)).where(
                    Attempt.learner_id == learner.id, Attempt.exercise_id == exercise
                )
            )
            attempt = Attempt(
                learner=learner,
                exercise_id=exercise,
                variant=variant_text,
                attempt_no=(last or 0) + 1,
                answers=stored_answers,
                item_scores=scores,
                points=points,
                max_points=maximum,
                score=points / maximum,
                submitted_at=utcnow(),
            )
            session.add(attempt)
            session.flush()
            return attempt

        return self._run(work, retry=True)

    def attempts(
        self, learner_number: str | None = None, exercise_id: str | None = None
    ) -> list[Attempt]:
        """Stored attempts, by learner number, exercise and attempt number; optionally filtered.

        An unknown ``learner_number`` raises :class:`UnknownLearner` (not an empty list).
        """
        number = None if learner_number is None else normalise_learner_number(learner_number)
        exercise = None if exercise_id is None else check_exercise_id(exercise_id)

        def work(session: Session) -> list[Attempt]:
            query = select(Attempt).join(Attempt.learner).options(contains_eager(Attempt.learner))
            if number is not None:
                query = query.where(Attempt.learner_id == self._find_learner(session, number).id)
            if exercise is not None:
                query = query.where(Attempt.exercise_id == exercise)
            query = query.order_by(Learner.learner_number, Attempt.exercise_id, Attempt.attempt_no)
            return list(session.scalars(query))

        return self._run(work)

    def exercise_ids(self) -> list[str]:
        """Every exercise id with at least one attempt, sorted."""
        return self._run(
            lambda session: list(
                session.scalars(
                    select(Attempt.exercise_id).distinct().order_by(Attempt.exercise_id)
                )
            )
        )

    def retired_exercises(self) -> dict[str, Retirement]:
        """The exercises taken out of the course, by id (their attempts stay stored)."""
        return self._run(
            lambda session: {
                r.exercise_id: r
                for r in session.scalars(select(Retirement).order_by(Retirement.exercise_id))
            }
        )

    def best_or_last(
        self,
        policy: str,
        *,
        learner_number: str | None = None,
        exercise_id: str | None = None,
    ) -> dict[tuple[str, str], Attempt]:
        """One attempt per (learner number, exercise id): the ``"best"`` or the ``"last"``."""
        _check_policy(policy)
        return select_attempts(self.attempts(learner_number, exercise_id), policy)

    # -- the class roster and personal codes (standalone sign-in) -----------------------------
    def has_classes(self) -> bool:
        """Whether a trainer made at least one class (the kit then asks for personal codes)."""
        return (
            self._run(lambda session: session.scalar(select(SchoolClass.id).limit(1))) is not None
        )

    def classes(self) -> list[str]:
        """The classes' names, sorted."""
        return self._run(
            lambda session: list(
                session.scalars(select(SchoolClass.name).order_by(SchoolClass.name))
            )
        )

    def import_roster(self, class_name: str, rows: Sequence[RosterRow]) -> ImportResult:
        """Put the learners of ``rows`` in class ``class_name`` (made if new) and give each new
        member a personal code; all or nothing.

        A number not yet in the gradebook is registered (``standalone``) with the roster's name;
        one already registered keeps its stored name (listed in ``kept_names``). A number already
        in this class is left as it is (``already``); one in another class, or one that came
        from a hub, proxy or LMS, is a problem: :class:`RosterError` names every such row and
        nothing is imported.
        """
        name = _check_class_name(class_name)
        # scrypt before the transaction: the write lock is held for the inserts only
        fresh = {row.number: new_code() for row in rows}
        hashes = {number: hash_code(code) for number, code in fresh.items()}

        def work(session: Session) -> ImportResult:
            school_class = self._class(session, name, create=True)
            now = utcnow()
            issued: list[IssuedCode] = []
            already: list[str] = []
            kept: list[tuple[str, str, str]] = []
            problems: list[RosterProblem] = []
            for row in rows:
                learner = session.scalars(
                    select(Learner).where(Learner.learner_number == row.number)
                ).one_or_none()
                if learner is None:
                    learner = Learner(
                        learner_number=row.number,
                        display_name=row.name,
                        identity_source="standalone",
                        created_at=now,
                    )
                    session.add(learner)
                    session.flush()
                elif learner.identity_source != "standalone":
                    problems.append(RosterProblem(row.row, "number", "not_standalone", row.number))
                    continue
                member = session.get(ClassMember, learner.id)
                if member is not None and member.class_id != school_class.id:
                    other = member.school_class.name
                    problems.append(RosterProblem(row.row, "number", "other_class", other))
                    continue
                if learner.display_name != row.name:
                    kept.append((row.number, learner.display_name, row.name))
                if member is not None:
                    already.append(row.number)
                    continue
                session.add(
                    ClassMember(
                        learner_id=learner.id,
                        class_id=school_class.id,
                        code_hash=hashes[row.number],
                        code_issued_at=now,
                        joined_at=now,
                    )
                )
                issued.append(
                    IssuedCode(
                        name, row.number, learner.display_name, format_code(fresh[row.number])
                    )
                )
            if problems:
                raise RosterError(problems)  # rolls everything back
            session.flush()
            return ImportResult(name, issued, already, kept)

        return self._run(work, retry=True)

    @staticmethod
    def _class(session: Session, name: str, *, create: bool = False) -> SchoolClass:
        found = session.scalars(select(SchoolClass).where(SchoolClass.name == name)).one_or_none()
        if found is not None:
            return found
        if not create:
            raise UnknownLearner(
                f"no class named {name!r}", key="gradebook.error.unknown_class", name=name
            )
        school_class = SchoolClass(name=name, created_at=utcnow())
        session.add(school_class)
        session.flush()
        return school_class

    def issue_codes(
        self, class_name: str | None = None, *, adopt: bool = False
    ) -> list[IssuedCode]:
        """Personal codes for the learners who have none yet (of ``class_name``, or of every
        class); learners who have a code keep it.

        With ``adopt`` (and a ``class_name``), typed-in learners of an older gradebook who are
        in no class yet are put in that class too (made if new) and get a code: until then
        they cannot sign in on a kit that asks for codes.
        """
        name = None if class_name is None else _check_class_name(class_name)
        if adopt and name is None:
            raise ValueError("adopt needs a class name")

        def work(session: Session) -> list[IssuedCode]:
            now = utcnow()
            if adopt:
                assert name is not None
                school_class = self._class(session, name, create=True)
                members = select(ClassMember.learner_id)
                orphans = session.scalars(
                    select(Learner)
                    .where(Learner.identity_source == "standalone")
                    .where(Learner.id.not_in(members))
                    .order_by(Learner.learner_number)
                )
                for learner in orphans:
                    session.add(
                        ClassMember(learner_id=learner.id, class_id=school_class.id, joined_at=now)
                    )
                session.flush()
            query = (
                select(ClassMember)
                .join(ClassMember.learner)
                .join(ClassMember.school_class)
                .where(ClassMember.code_hash.is_(None))
                .order_by(SchoolClass.name, Learner.learner_number)
            )
            if name is not None:
                query = query.where(ClassMember.class_id == self._class(session, name).id)
            issued = []
            for member in session.scalars(query):
                code = new_code()
                member.code_hash = hash_code(code)
                member.code_issued_at = now
                learner = member.learner
                issued.append(
                    IssuedCode(
                        member.school_class.name,
                        learner.learner_number,
                        learner.display_name,
                        format_code(code),
                    )
                )
            session.flush()
            return issued

        return self._run(work, retry=True)

    def reset_code(self, learner_number: str) -> IssuedCode:
        """A new personal code for a learner in a class (a lost code): the old one stops
        working at once, and the learner's failed sign-ins are forgotten.
        :class:`UnknownLearner` when the number is in no class."""
        number = normalise_learner_number(learner_number)
        code = new_code()
        code_hash = hash_code(code)

        def work(session: Session) -> IssuedCode:
            learner = self._find_learner(session, number)
            member = session.get(ClassMember, learner.id)
            if member is None:
                raise UnknownLearner(
                    f"learner {number!r} is in no class",
                    key="gradebook.error.not_in_class",
                    number=number,
                )
            member.code_hash = code_hash
            member.code_issued_at = utcnow()
            failure = session.get(SignInFailure, number)
            if failure is not None:
                session.delete(failure)
            session.flush()
            return IssuedCode(
                member.school_class.name, number, learner.display_name, format_code(code)
            )

        return self._run(work, retry=True)

    def roster(self, class_name: str | None = None) -> list[RosterEntry]:
        """The learners of ``class_name`` (or of every class), by class and number."""
        name = None if class_name is None else _check_class_name(class_name)

        def work(session: Session) -> list[RosterEntry]:
            query = (
                select(ClassMember)
                .join(ClassMember.learner)
                .join(ClassMember.school_class)
                .order_by(SchoolClass.name, Learner.learner_number)
            )
            if name is not None:
                query = query.where(ClassMember.class_id == self._class(session, name).id)
            return [
                RosterEntry(
                    m.school_class.name,
                    m.learner.learner_number,
                    m.learner.display_name,
                    m.code_hash is not None,
                    m.code_issued_at,
                    m.first_signed_in_at,
                    m.last_signed_in_at,
                )
                for m in session.scalars(query)
            ]

        return self._run(work)

    def has_code(self, learner_number: str) -> bool:
        """Whether this learner signs in with a personal code (is in a class with a code)."""
        number = normalise_learner_number(learner_number)
        return self._run(lambda session: self._stored_hash(session, number)) is not None

    @staticmethod
    def _stored_hash(session: Session, number: str) -> str | None:
        return session.scalar(
            select(ClassMember.code_hash)
            .join(ClassMember.learner)
            .where(Learner.learner_number == number)
        )

    def sign_in(self, learner_number: str, code: str) -> Learner:
        """The learner whose number and personal code these are.

        :class:`SignInRefused`, with one message, for a wrong code, an unknown number and a
        learner without a code; the typed code is hashed in every case, so the answer takes
        as long. After :data:`gradebook.codes.FREE_TRIES` failures in a row for a number
        (known or not) each try waits longer (:class:`SignInThrottled`); the count is stored
        here, so a new page does not reset it. A malformed number is
        :class:`InvalidIdentity` (that says nothing about who exists).
        """
        number = normalise_learner_number(learner_number, "standalone")
        typed = code if isinstance(code, str) else ""

        def look(session: Session) -> tuple[int, str | None]:
            failure = session.get(SignInFailure, number)
            waiting = 0
            if failure is not None:
                since = (utcnow() - failure.last_failure_at).total_seconds()
                waiting = max(0, int(wait_after(failure.failures) - since + 0.999))
            return waiting, self._stored_hash(session, number)

        waiting, stored = self._run(look)
        if waiting:
            raise SignInThrottled(
                f"too many failed sign-ins for this number; wait {waiting} s", seconds=waiting
            )
        matched = code_matches(typed, stored or DUMMY_HASH) and stored is not None

        def record(session: Session) -> Learner | None:
            now = utcnow()
            if not matched:
                done = session.execute(
                    update(SignInFailure)
                    .where(SignInFailure.number == number)
                    .values(failures=SignInFailure.failures + 1, last_failure_at=now)
                )
                if not getattr(done, "rowcount", 0):
                    session.add(SignInFailure(number=number, failures=1, last_failure_at=now))
                session.flush()
                return None
            failure = session.get(SignInFailure, number)
            if failure is not None:
                session.delete(failure)
            learner = self._find_learner(session, number)
            member = session.get(ClassMember, learner.id)
            assert member is not None
            member.first_signed_in_at = member.first_signed_in_at or now
            member.last_signed_in_at = now
            session.flush()
            return learner

        learner = self._run(record, retry=True)
        if learner is None:
            raise SignInRefused("this learner number and code do not belong together")
        return learner

    def for_learner(self, learner_number: str) -> LearnerView:
        """A view bound to one registered learner; it cannot see or write anyone else's data."""
        return LearnerView(self, self.learner(learner_number).learner_number)


class LearnerView:
    """The gradebook as one learner may use it: their own attempts only.

    Methods take no learner number; where one is accepted for convenience, any other number
    than the bound one raises :class:`AccessDenied`. This is an API boundary for the kit's own
    code, not a sandbox: code running in the learner's kernel can open the database itself.
    """

    def __init__(self, gradebook: Gradebook, learner_number: str) -> None:
        self._gradebook = gradebook
        self._number = learner_number

    @property
    def learner_number(self) -> str:
        return self._number

    def __repr__(self) -> str:
        return f"LearnerView(learner_number={self._number!r})"

    def _check(self, learner_number: str | None) -> None:
        if learner_number is None:
            return
        if normalise_learner_number(learner_number) != self._number:
            raise AccessDenied(
                f"this view belongs to learner {self._number!r}, not {learner_number!r}",
                number=learner_number,
            )

    def learner(self) -> Learner:
        return self._gradebook.learner(self._number)

    def record_attempt(
        self,
        exercise_id: str,
        variant: int | str | None,
        answers: Any,
        item_scores: Mapping[str, float],
        max_points: float,
        *,
        learner_number: str | None = None,
    ) -> Attempt:
        """Store an attempt of the bound learner (see :meth:`Gradebook.record_attempt`)."""
        self._check(learner_number)
        return self._gradebook.record_attempt(
            self._number, exercise_id, variant, answers, item_scores, max_points
        )

    def attempts(
        self, exercise_id: str | None = None, *, learner_number: str | None = None
    ) -> list[Attempt]:
        """The bound learner's attempts, optionally for one exercise."""
        self._check(learner_number)
        return self._gradebook.attempts(self._number, exercise_id)

    def best_or_last(self, policy: str, *, exercise_id: str | None = None) -> dict[str, Attempt]:
        """The bound learner's best or last attempt per exercise id."""
        chosen = self._gradebook.best_or_last(
            policy, learner_number=self._number, exercise_id=exercise_id
        )
        return {exercise: attempt for (_, exercise), attempt in chosen.items()}


def open_gradebook(url: str | None = None, *, migrate: bool = True, **kwargs: Any) -> Gradebook:
    """Open (and by default migrate) the gradebook at ``url``; close it, or use ``with``.

    ``url`` defaults to :func:`database.engine.default_url`.
    """
    engine = make_engine(url, **kwargs)
    try:
        if migrate:
            upgrade(engine)
    except BaseException:
        engine.dispose()
        raise
    return Gradebook(engine, owns_engine=True)
