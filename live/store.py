"""Reading and writing live sessions in the gradebook database (sync; the web layer runs these
calls in a small thread pool so the event loop never waits for the database)."""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from database.engine import make_engine, upgrade
from database.live_models import ANSWER_KINDS, LiveAnswer, LiveParticipant, LiveSession
from database.models import utcnow
from igm.cases import Case, CaseError, find_case, scan_cases
from igm.determinants import DETERMINANTS
from igm.i18n import DEFAULT_LANGUAGE, LANGUAGES

__all__ = [
    "CODE_ALPHABET",
    "LiveError",
    "LiveStore",
    "RoomAnswers",
    "cached_case",
    "device_token",
    "hash_token",
    "validate_answer",
]

T = TypeVar("T")
#: Join codes: no 0/O, 1/I/L, so they are easy to read off a projector and type on a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 5
NICKNAME_MAX = 40
ROUND_OF = {kind: number for number, kind in ANSWER_KINDS.items()}


class LiveError(Exception):
    """A request that cannot be honoured; ``key`` is a catalogue key (``live.error.*``)."""

    def __init__(self, key: str, status: int = 400, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.status = status
        self.values = values


#: The last valid version of each case this process has seen, by id.
_LAST_GOOD: dict[str, Case] = {}


def cached_case(case_id: str) -> Case:
    """The case with this id as its file is now (files that did not change are not parsed
    again), so a case fixed or edited while the server runs shows at the next page view.

    A case whose file became invalid (or went away) while the server runs stays at the last
    valid version this process saw: a running session keeps working. Raises
    :class:`igm.cases.CaseError` for a case that has not been valid since the server started.
    """
    try:
        case = next((c for c in scan_cases().cases if c.id == case_id), None)
    except OSError:  # the cases folder itself is gone
        case = None
    if case is None:
        try:
            case = find_case(case_id)  # a path, or the file's own message (unknown, invalid)
        except CaseError:
            if case_id not in _LAST_GOOD:
                raise
            case = _LAST_GOOD[case_id]
    _LAST_GOOD[case_id] = _LAST_GOOD[case.id] = case
    return case


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def device_token(device: str, code: str) -> str:
    """The participant token of a device in a session: the same device and session always
    give the same token, and neither the device id nor another session's token can be read
    from it (a one-way hash of a secret random id)."""
    return hashlib.sha256(f"igm-live-participant:{code}:{device}".encode()).hexdigest()


def validate_answer(kind: str, value: Any) -> dict[str, Any]:
    """The payload to store for a ``kind`` answer, or :class:`LiveError` (strict: no coercion)."""
    if kind == "scores":
        if not isinstance(value, Mapping) or set(value) != set(DETERMINANTS):
            raise LiveError("live.error.scores")
        out: dict[str, Any] = {}
        for key in DETERMINANTS:
            v = value[key]
            if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 7:
                raise LiveError("live.error.scores")
            out[key] = v
        return out
    if kind == "prediction":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            raise LiveError("live.error.prediction")
        return {"percent": value}
    if kind == "vote":
        if not isinstance(value, str) or value not in DETERMINANTS:
            raise LiveError("live.error.vote")
        return {"key": value}
    raise LiveError("live.error.kind")


@dataclass(frozen=True)
class RoomAnswers:
    """The latest answer per participant and kind, for one session."""

    session: dict[str, Any]
    participants: int
    scores: list[dict[str, int]]
    predictions: list[int]
    votes: list[str]
    answers_stored: int


class LiveStore:
    """The live tables of one database. Thread-safe (one short transaction per call)."""

    def __init__(self, url: str | None = None, *, engine: Engine | None = None) -> None:
        self.engine = engine or make_engine(url)
        upgrade(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()

    def _run(self, work: Callable[[Session], T]) -> T:
        with self._sessions.begin() as session:
            return work(session)

    @staticmethod
    def _find(session: Session, code: str) -> LiveSession:
        code = (code or "").strip().upper()
        row = session.scalars(select(LiveSession).where(LiveSession.code == code)).first()
        if row is None:
            raise LiveError("live.error.unknown_session", 404)
        return row

    # --- trainer ---------------------------------------------------------------------------
    def create_session(self, case_id: str, lang: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
        case = cached_case(case_id)  # raises CaseError for an unknown case
        if lang not in LANGUAGES:
            raise LiveError("live.error.lang")
        for _ in range(20):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))

            def work(session: Session, code: str = code) -> dict[str, Any]:
                row = LiveSession(
                    code=code,
                    case_id=case.id,
                    lang=lang,
                    status="open",
                    current_round=1,
                    revealed=False,
                )
                session.add(row)
                session.flush()
                return row.to_dict()

            try:
                return self._run(work)
            except IntegrityError:  # code already taken: draw another
                continue
        raise RuntimeError("could not draw a free join code")

    def session(self, code: str) -> dict[str, Any]:
        return self._run(lambda s: self._find(s, code).to_dict())

    def sessions(self) -> list[dict[str, Any]]:
        def work(session: Session) -> list[dict[str, Any]]:
            rows = session.scalars(select(LiveSession).order_by(LiveSession.id.desc())).all()
            return [r.to_dict() for r in rows]

        return self._run(work)

    def update(
        self,
        code: str,
        *,
        status: str | None = None,
        round: int | None = None,
        revealed: bool | None = None,
    ) -> dict[str, Any]:
        """Open/close, move to a round, show/hide the reference (trainer only)."""
        if status is not None and status not in ("open", "closed"):
            raise LiveError("live.error.status")
        if round is not None and (
            isinstance(round, bool) or not isinstance(round, int) or round not in ANSWER_KINDS
        ):
            raise LiveError("live.error.round")
        if revealed is not None and not isinstance(revealed, bool):
            raise LiveError("live.error.reveal")

        def work(session: Session) -> dict[str, Any]:
            row = self._find(session, code)
            if status is not None and status != row.status:
                row.status = status
                row.closed_at = utcnow() if status == "closed" else None
            if round is not None:
                row.current_round = round
            if revealed is not None:
                row.revealed = revealed
            return row.to_dict()

        return self._run(work)

    # --- participants ----------------------------------------------------------------------
    def join(
        self, code: str, nickname: str = "", device: str | None = None
    ) -> tuple[str, dict[str, Any]]:
        """A participant: returns (token, session). The token is shown once, never stored.

        ``device`` (the id in the phone's signed cookie) makes one device one participant:
        its token is derived from the device and the session, so joining again from the same
        device returns the same participant (a new nickname replaces the old one) instead of
        a second one. Without a device every join is a new participant.
        """
        if not isinstance(nickname, str):
            raise LiveError("live.error.nickname")
        nickname = " ".join(nickname.split())
        if len(nickname) > NICKNAME_MAX or any(not c.isprintable() for c in nickname):
            raise LiveError("live.error.nickname")

        def work(session: Session) -> tuple[str, dict[str, Any]]:
            row = self._find(session, code)
            if row.status != "open":
                raise LiveError("live.error.closed", 409)
            token = device_token(device, row.code) if device else secrets.token_urlsafe(24)
            known = session.scalars(
                select(LiveParticipant).where(
                    LiveParticipant.token_hash == hash_token(token),
                    LiveParticipant.session_id == row.id,
                )
            ).first()
            if known is None:
                session.add(
                    LiveParticipant(
                        session_id=row.id, token_hash=hash_token(token), nickname=nickname
                    )
                )
            elif nickname:
                known.nickname = nickname
            return token, row.to_dict()

        try:
            return self._run(work)
        except IntegrityError:  # the same device joined twice at once: the other one won
            return self._run(work)

    def _participant(self, session: Session, row: LiveSession, token: str) -> LiveParticipant:
        if not isinstance(token, str) or not token:
            raise LiveError("live.error.unknown_participant", 403)
        p = session.scalars(
            select(LiveParticipant).where(
                LiveParticipant.token_hash == hash_token(token),
                LiveParticipant.session_id == row.id,
            )
        ).first()
        if p is None:
            raise LiveError("live.error.unknown_participant", 403)
        return p

    def submit(self, code: str, token: str, kind: str, value: Any) -> int:
        """Store one answer (append-only); returns its id."""
        payload = validate_answer(kind, value)

        def work(session: Session) -> int:
            row = self._find(session, code)
            if row.status != "open":
                raise LiveError("live.error.closed", 409)
            p = self._participant(session, row, token)
            if ROUND_OF[kind] > row.current_round:
                raise LiveError("live.error.round_not_open", 409)
            answer = LiveAnswer(session_id=row.id, participant_id=p.id, kind=kind, payload=payload)
            session.add(answer)
            session.flush()
            return answer.id

        return self._run(work)

    def my_answers(self, code: str, token: str) -> dict[str, Any]:
        """A participant's session and latest answers (for a participant who reconnects)."""

        def work(session: Session) -> dict[str, Any]:
            row = self._find(session, code)
            p = self._participant(session, row, token)
            answers = session.scalars(
                select(LiveAnswer).where(LiveAnswer.participant_id == p.id).order_by(LiveAnswer.id)
            ).all()
            latest = {a.kind: a.payload for a in answers}
            return {"session": row.to_dict(), "nickname": p.nickname, "answers": latest}

        return self._run(work)

    # --- the room --------------------------------------------------------------------------
    def room(self, code: str) -> RoomAnswers:
        def work(session: Session) -> RoomAnswers:
            row = self._find(session, code)
            participants = session.scalars(
                select(LiveParticipant.id).where(LiveParticipant.session_id == row.id)
            ).all()
            answers = session.execute(
                select(LiveAnswer.participant_id, LiveAnswer.kind, LiveAnswer.payload)
                .where(LiveAnswer.session_id == row.id)
                .order_by(LiveAnswer.id)
            ).all()
            latest: dict[tuple[int, str], Any] = {}
            for pid, kind, payload in answers:
                latest[(pid, kind)] = payload
            return RoomAnswers(
                session=row.to_dict(),
                participants=len(participants),
                scores=[v for (_, k), v in latest.items() if k == "scores"],
                predictions=[v["percent"] for (_, k), v in latest.items() if k == "prediction"],
                votes=[v["key"] for (_, k), v in latest.items() if k == "vote"],
                answers_stored=len(answers),
            )

        return self._run(work)

    def export_csv(self, code: str, *, all_rows: bool = False) -> str:
        """One row per participant with their latest answers (or every stored answer)."""

        def work(session: Session) -> str:
            row = self._find(session, code)
            people = session.scalars(
                select(LiveParticipant)
                .where(LiveParticipant.session_id == row.id)
                .order_by(LiveParticipant.id)
            ).all()
            answers = session.scalars(
                select(LiveAnswer).where(LiveAnswer.session_id == row.id).order_by(LiveAnswer.id)
            ).all()
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\n")
            if all_rows:
                writer.writerow(["session", "participant", "kind", "payload", "submitted_at"])
                for a in answers:
                    writer.writerow(
                        [row.code, a.participant_id, a.kind, _cell(a.payload), a.submitted_at]
                    )
                return out.getvalue()
            latest: dict[tuple[int, str], Any] = {(a.participant_id, a.kind): a for a in answers}
            writer.writerow(
                ["session", "case", "participant", "nickname", *DETERMINANTS, "prediction", "vote"]
            )
            for p in people:
                s = latest.get((p.id, "scores"))
                pr = latest.get((p.id, "prediction"))
                v = latest.get((p.id, "vote"))
                writer.writerow(
                    [
                        row.code,
                        row.case_id,
                        p.id,
                        _safe(p.nickname),
                        *[s.payload[k] if s else "" for k in DETERMINANTS],
                        pr.payload["percent"] if pr else "",
                        v.payload["key"] if v else "",
                    ]
                )
            return out.getvalue()

        return self._run(work)


def _safe(text: str) -> str:
    """Untrusted text for a spreadsheet: a leading = + - @ (a formula) is defused with '."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _cell(payload: Any) -> str:
    import json

    return json.dumps(payload, sort_keys=True)
