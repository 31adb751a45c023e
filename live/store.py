"""Reading and writing live sessions in the gradebook database (sync; the web layer runs these
calls in a small thread pool so the event loop never waits for the database)."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import secrets
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from database.engine import make_engine, upgrade
from database.live_models import (
    ANSWER_KINDS,
    LiveAnswer,
    LiveConversation,
    LiveConversationStep,
    LiveConversationVote,
    LiveParticipant,
    LiveSession,
)
from database.models import utcnow
from igm.cases import Case, CaseError, Problem, find_case, scan_cases
from igm.conversations import (
    Conversation,
    ConversationError,
    PathError,
    Playthrough,
    conversation_files,
    conversations_dir,
    find_conversation,
    load_conversation,
    play,
)
from igm.determinants import DETERMINANTS
from igm.i18n import DEFAULT_LANGUAGE, LANGUAGES

__all__ = [
    "CODE_ALPHABET",
    "ConversationRoom",
    "LiveError",
    "LiveStore",
    "PathStep",
    "RoomAnswers",
    "cached_case",
    "cached_conversation",
    "conversation_playthrough",
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


#: The conversations this process has read, by id: (file, mtime, size) and the conversation.
_CONVERSATIONS: dict[str, tuple[tuple[str, int, int], Conversation]] = {}
_CONVERSATION_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


def _conversation_file(conversation_id: str) -> Path | None:
    folder = conversations_dir()
    for suffix in (".yaml", ".yml"):
        path = folder / f"{conversation_id}{suffix}"
        if path.is_file():
            return path
    return None


def cached_conversation(conversation_id: str, *, fresh: bool = False) -> Conversation:
    """The conversation with this id (``conversations/<id>.yaml`` in the cases folder), read
    again only when its file changed, so the votes of a room do not parse YAML.

    As for cases (:func:`cached_case`), a file that became invalid or went away while the
    server runs keeps its last valid version, so a running session goes on. ``fresh``: only
    the file as it is now counts (a new session starts from a valid file). Raises
    :class:`igm.conversations.ConversationError` for an id that names no valid conversation.
    """
    if not isinstance(conversation_id, str) or not _CONVERSATION_ID.match(conversation_id):
        known_ids = [p.stem for p in conversation_files()]  # an id only, never a path
        raise ConversationError(
            [
                Problem(
                    str(conversation_id),
                    "",
                    "conversation.no_such_conversation",
                    {"known": known_ids},
                )
            ]
        )
    known = _CONVERSATIONS.get(conversation_id)
    try:
        path = _conversation_file(conversation_id)
        if path is not None:
            stat = path.stat()
            key = (str(path), stat.st_mtime_ns, stat.st_size)
            if known is not None and known[0] == key:
                return known[1]
            conversation = load_conversation(path)
            _CONVERSATIONS[conversation_id] = (key, conversation)
            return conversation
    except (CaseError, OSError):
        if fresh or known is None:
            raise
        return known[1]
    if known is not None and not fresh:
        return known[1]
    return find_conversation(conversation_id)  # no such file: raises, naming the known ones


def conversation_playthrough(conversation_id: str, response_ids: list[str]) -> Playthrough:
    """The conversation played along the room's path, from its case's scores."""
    conversation = cached_conversation(conversation_id)
    case = cached_case(conversation.case_id)
    try:
        return play(conversation, case.scores, response_ids)
    except PathError:  # the file changed under a running session: its path no longer plays
        raise LiveError("live.conversation.error.scenario_changed", 409) from None


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


@dataclass(frozen=True)
class PathStep:
    """One decided turn of a conversation session, with the room's final vote at that turn."""

    position: int
    turn_id: str
    response_id: str
    chosen_by: str  # "room" or "trainer"
    counts: dict[str, int]  # response id -> votes (the latest per participant)


@dataclass(frozen=True)
class ConversationRoom:
    """A conversation session as it is now: the path so far and the votes at the open turn."""

    session: dict[str, Any]
    conversation_id: str
    phase: str
    step: int
    path: tuple[PathStep, ...]
    counts: dict[str, int]  # votes at turn ``step`` by response id (the latest per participant)
    participants: int
    votes_stored: int

    @property
    def response_ids(self) -> list[str]:
        return [s.response_id for s in self.path]


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


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

    @staticmethod
    def _as_dict(session: Session, row: LiveSession) -> dict[str, Any]:
        """The session as plain values; a conversation session also says which conversation,
        the turn the room is at (``step``) and the ``phase``."""
        data = row.to_dict()
        conversation = session.get(LiveConversation, row.id)
        if conversation is not None:
            data.update(
                kind="conversation",
                conversation_id=conversation.conversation_id,
                step=conversation.step,
                phase=conversation.phase,
            )
        return data

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
        return self._run(lambda s: self._as_dict(s, self._find(s, code)))

    def sessions(self) -> list[dict[str, Any]]:
        def work(session: Session) -> list[dict[str, Any]]:
            rows = session.scalars(select(LiveSession).order_by(LiveSession.id.desc())).all()
            talks = {
                c.session_id: c.conversation_id
                for c in session.scalars(select(LiveConversation)).all()
            }
            out = []
            for r in rows:
                data = r.to_dict()
                if r.id in talks:
                    data.update(kind="conversation", conversation_id=talks[r.id])
                out.append(data)
            return out

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
            return token, self._as_dict(session, row)

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
            return {
                "session": self._as_dict(session, row),
                "nickname": p.nickname,
                "answers": latest,
            }

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
            conversation = session.get(LiveConversation, row.id)
            if conversation is not None:
                return self._export_conversation(session, row, conversation, all_rows)
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

    # --- conversation sessions (issue 18) -------------------------------------------------
    def create_conversation_session(
        self, conversation_id: str, lang: str = DEFAULT_LANGUAGE
    ) -> dict[str, Any]:
        """A session in which the room plays conversation ``conversation_id`` together.

        Raises :class:`igm.cases.CaseError` (a ``ConversationError``) for an unknown or invalid
        conversation, or when its case is not available.
        """
        conversation = cached_conversation(conversation_id, fresh=True)
        cached_case(conversation.case_id)  # raises CaseError when the case is not available
        session = self.create_session(conversation.case_id, lang)

        def work(s: Session) -> dict[str, Any]:
            row = self._find(s, session["code"])
            s.add(
                LiveConversation(
                    session_id=row.id,
                    conversation_id=conversation.id,
                    step=0,
                    phase="voting",
                )
            )
            s.flush()
            return self._as_dict(s, row)

        return self._run(work)

    def _conversation(
        self, session: Session, code: str, *, lock: str | None = None
    ) -> tuple[LiveSession, LiveConversation]:
        """The session and its conversation row; ``lock``: ``"share"`` (a vote) or
        ``"update"`` (the trainer moves the conversation on), so that on PostgreSQL a vote and
        the closing of that vote cannot interleave (SQLite's BEGIN IMMEDIATE serialises all)."""
        row = self._find(session, code)
        query = select(LiveConversation).where(LiveConversation.session_id == row.id)
        if lock == "share":
            query = query.with_for_update(read=True)
        elif lock == "update":
            query = query.with_for_update()
        conversation = session.scalars(query).first()
        if conversation is None:
            raise LiveError("live.conversation.error.not_conversation", 409)
        return row, conversation

    @staticmethod
    def _path(session: Session, row: LiveSession) -> list[LiveConversationStep]:
        return list(
            session.scalars(
                select(LiveConversationStep)
                .where(LiveConversationStep.session_id == row.id)
                .order_by(LiveConversationStep.position)
            ).all()
        )

    @staticmethod
    def _latest_votes(session: Session, row: LiveSession) -> tuple[dict[int, Counter[str]], int]:
        """Per position, the votes by response id (each participant's latest vote only), and
        how many vote rows are stored."""
        rows = session.execute(
            select(
                LiveConversationVote.participant_id,
                LiveConversationVote.position,
                LiveConversationVote.response_id,
            )
            .where(LiveConversationVote.session_id == row.id)
            .order_by(LiveConversationVote.id)
        ).all()
        latest: dict[tuple[int, int], str] = {}
        for participant, position, response in rows:
            latest[(participant, position)] = response
        counts: dict[int, Counter[str]] = {}
        for (_, position), response in latest.items():
            counts.setdefault(position, Counter())[response] += 1
        return counts, len(rows)

    def conversation_room(self, code: str) -> ConversationRoom:
        """The path so far and the votes at the turn the room is at."""

        def work(session: Session) -> ConversationRoom:
            row, conversation = self._conversation(session, code)
            counts, stored = self._latest_votes(session, row)
            participants = session.scalars(
                select(LiveParticipant.id).where(LiveParticipant.session_id == row.id)
            ).all()
            path = tuple(
                PathStep(
                    position=p.position,
                    turn_id=p.turn_id,
                    response_id=p.response_id,
                    chosen_by=p.chosen_by,
                    counts=dict(counts.get(p.position, {})),
                )
                for p in self._path(session, row)
            )
            return ConversationRoom(
                session=self._as_dict(session, row),
                conversation_id=conversation.conversation_id,
                phase=conversation.phase,
                step=conversation.step,
                path=path,
                counts=dict(counts.get(conversation.step, {})),
                participants=len(participants),
                votes_stored=stored,
            )

        return self._run(work)

    def vote(self, code: str, token: str, step: Any, response_id: Any) -> int:
        """Store a participant's vote for ``response_id`` at turn ``step`` (append-only: a new
        vote of the same participant at the same turn replaces the old one in the count).

        Refused: a closed session, an unknown participant, a turn whose vote is not open
        (closed, decided, or not the turn the room is at), a response the turn does not offer.
        """
        position = _int(step)
        if position is None or not isinstance(response_id, str) or len(response_id) > 100:
            raise LiveError("live.conversation.error.response")

        def work(session: Session) -> int:
            row, conversation = self._conversation(session, code, lock="share")
            if row.status != "open":
                raise LiveError("live.error.closed", 409)
            p = self._participant(session, row, token)
            if conversation.phase != "voting" or position != conversation.step:
                raise LiveError("live.conversation.error.vote_closed", 409)
            path = [s.response_id for s in self._path(session, row)]
            turn = conversation_playthrough(conversation.conversation_id, path).turn
            if response_id not in {r.id for r in turn.responses}:
                raise LiveError("live.conversation.error.response")
            vote = LiveConversationVote(
                session_id=row.id,
                participant_id=p.id,
                position=position,
                turn_id=turn.id,
                response_id=response_id,
            )
            session.add(vote)
            session.flush()
            return vote.id

        return self._run(work)

    def my_vote(self, code: str, token: str) -> dict[str, Any]:
        """A participant's session and latest vote at the turn the room is at (or None)."""

        def work(session: Session) -> dict[str, Any]:
            row, conversation = self._conversation(session, code)
            p = self._participant(session, row, token)
            vote = session.scalars(
                select(LiveConversationVote.response_id)
                .where(
                    LiveConversationVote.participant_id == p.id,
                    LiveConversationVote.position == conversation.step,
                )
                .order_by(LiveConversationVote.id.desc())
                .limit(1)
            ).first()
            return {"session": self._as_dict(session, row), "step": conversation.step, "vote": vote}

        return self._run(work)

    def _decide(
        self,
        session: Session,
        row: LiveSession,
        conversation: LiveConversation,
        response_id: str,
        chosen_by: str,
    ) -> None:
        path = [s.response_id for s in self._path(session, row)]
        playthrough = conversation_playthrough(conversation.conversation_id, path)
        turn = playthrough.turn
        if response_id not in {r.id for r in turn.responses}:
            raise LiveError("live.conversation.error.response")
        session.add(
            LiveConversationStep(
                session_id=row.id,
                position=conversation.step,
                turn_id=turn.id,
                response_id=response_id,
                chosen_by=chosen_by,
            )
        )
        conversation.step += 1
        conversation.phase = "shown"

    def _trainer_step(
        self, code: str, step: Any, phases: tuple[str, ...], act: Callable[..., None]
    ) -> dict[str, Any]:
        """Run ``act(session, row, conversation)`` when the room is at turn ``step`` in one of
        ``phases`` (a second trainer screen, or a double click, cannot act twice)."""
        position = _int(step)

        def work(session: Session) -> dict[str, Any]:
            row, conversation = self._conversation(session, code, lock="update")
            if position != conversation.step or conversation.phase not in phases:
                raise LiveError("live.conversation.error.stale", 409)
            act(session, row, conversation)
            session.flush()
            return self._as_dict(session, row)

        try:
            return self._run(work)
        except IntegrityError:  # another screen decided this turn at the same moment
            raise LiveError("live.conversation.error.stale", 409) from None

    def close_vote(self, code: str, step: Any) -> dict[str, Any]:
        """Close the vote at turn ``step``: a single most-voted response is chosen (by the
        room); a tie, or no vote at all, waits for the trainer (phase ``deciding``)."""

        def act(session: Session, row: LiveSession, conversation: LiveConversation) -> None:
            counts, _ = self._latest_votes(session, row)
            ranked = counts.get(conversation.step, Counter()).most_common()
            if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
                self._decide(session, row, conversation, ranked[0][0], "room")
            else:
                conversation.phase = "deciding"

        return self._trainer_step(code, step, ("voting",), act)

    def choose(self, code: str, step: Any, response_id: Any) -> dict[str, Any]:
        """The trainer's pick at turn ``step`` (also the way to break a tie); closes the vote."""
        if not isinstance(response_id, str):
            raise LiveError("live.conversation.error.response")

        def act(session: Session, row: LiveSession, conversation: LiveConversation) -> None:
            self._decide(session, row, conversation, response_id, "trainer")

        return self._trainer_step(code, step, ("voting", "deciding"), act)

    def next_turn(self, code: str, step: Any) -> dict[str, Any]:
        """After the chosen response was shown: open the vote at the next turn, or show the
        ending when the conversation reached one. ``step``: the room's step now (the number
        of decided turns)."""

        def act(session: Session, row: LiveSession, conversation: LiveConversation) -> None:
            path = [s.response_id for s in self._path(session, row)]
            finished = conversation_playthrough(conversation.conversation_id, path).finished
            conversation.phase = "ended" if finished else "voting"

        return self._trainer_step(code, step, ("shown",), act)

    def _export_conversation(
        self, session: Session, row: LiveSession, conversation: LiveConversation, all_rows: bool
    ) -> str:
        """A conversation session as CSV: one row per participant and turn (their latest vote,
        beside the response the room took there), or every stored vote."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        votes = session.scalars(
            select(LiveConversationVote)
            .where(LiveConversationVote.session_id == row.id)
            .order_by(LiveConversationVote.id)
        ).all()
        if all_rows:
            writer.writerow(
                ["session", "participant", "position", "turn", "response", "submitted_at"]
            )
            for v in votes:
                writer.writerow(
                    [
                        row.code,
                        v.participant_id,
                        v.position,
                        v.turn_id,
                        v.response_id,
                        v.submitted_at,
                    ]
                )
            return out.getvalue()
        people = {
            p.id: p.nickname
            for p in session.scalars(
                select(LiveParticipant).where(LiveParticipant.session_id == row.id)
            ).all()
        }
        chosen = {s.position: s for s in self._path(session, row)}
        latest = {(v.position, v.participant_id): v for v in votes}
        writer.writerow(
            [
                "session",
                "conversation",
                "position",
                "turn",
                "participant",
                "nickname",
                "vote",
                "chosen",
                "chosen_by",
            ]
        )
        for (position, participant), v in sorted(latest.items()):
            step = chosen.get(position)
            writer.writerow(
                [
                    row.code,
                    conversation.conversation_id,
                    position,
                    v.turn_id,
                    participant,
                    _safe(people.get(participant, "")),
                    v.response_id,
                    step.response_id if step else "",
                    step.chosen_by if step else "",
                ]
            )
        return out.getvalue()


def _safe(text: str) -> str:
    """Untrusted text for a spreadsheet: a leading = + - @ (a formula) is defused with '."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _cell(payload: Any) -> str:
    import json

    return json.dumps(payload, sort_keys=True)
