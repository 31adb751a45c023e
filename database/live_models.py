"""Tables of the live sessions, in the gradebook database (same ``Base`` and metadata).

* ``live_sessions``: one row per session (join code, case, language, open/closed, round).
* ``live_participants``: one row per participant; only a hash of the participant's token.
* ``live_answers``: append-only; a re-submit adds a row, the latest per kind counts.

A session of the kind "conversation" (issue 18, migration 0008) has, besides its row in
``live_sessions`` (its ``case_id`` is the conversation's case):

* ``live_conversations``: which conversation, how many turns are decided, and the phase.
* ``live_conversation_steps``: the path the room took, one row per decided turn.
* ``live_conversation_votes``: append-only; a new vote adds a row, the latest per participant
  and turn counts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from database.models import Base, JSONType, UTCDateTime, utcnow

__all__ = [
    "ANSWER_KINDS",
    "CHOSEN_BY",
    "CONVERSATION_PHASES",
    "LiveAnswer",
    "LiveConversation",
    "LiveConversationStep",
    "LiveConversationVote",
    "LiveParticipant",
    "LiveSession",
]

#: Kind of answer per round: 1 scores, 2 prediction, 3 vote.
ANSWER_KINDS: dict[int, str] = {1: "scores", 2: "prediction", 3: "vote"}
#: The phases of a conversation session, in the order of one turn: the room votes; the vote is
#: closed without a majority (the trainer decides); the chosen response and what it did are
#: shown; the conversation reached an ending.
CONVERSATION_PHASES = ("voting", "deciding", "shown", "ended")
#: Who chose a step: the room's majority, or the trainer (a tie, or the trainer's own pick).
CHOSEN_BY = ("room", "trainer")


class LiveSession(Base):
    """One inspiration session about one case."""

    __tablename__ = "live_sessions"
    __table_args__ = (
        UniqueConstraint("code", name="uq_live_sessions_code"),
        CheckConstraint("status IN ('open', 'closed')", name="ck_live_sessions_status"),
        CheckConstraint("current_round BETWEEN 1 AND 3", name="ck_live_sessions_round"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The short join code, e.g. ``K7MPQ`` (no 0/O, 1/I/L).
    code: Mapped[str] = mapped_column(String(12), nullable=False)
    case_id: Mapped[str] = mapped_column(String(100), nullable=False)
    lang: Mapped[str] = mapped_column(String(5), nullable=False, default="nl")
    status: Mapped[str] = mapped_column(String(8), nullable=False, default="open")
    current_round: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    #: Whether the trainer has shown the reference scores and the model's view.
    revealed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "case_id": self.case_id,
            "lang": self.lang,
            "status": self.status,
            "round": self.current_round,
            "revealed": self.revealed,
        }


class LiveParticipant(Base):
    """A participant of one session, known by a random token (only its hash is stored)."""

    __tablename__ = "live_participants"
    __table_args__ = (UniqueConstraint("token_hash", name="uq_live_participants_token"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    #: SHA-256 of the participant token, hex.
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    #: Optional nickname as typed (untrusted; escaped wherever shown; may be empty).
    nickname: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    joined_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class LiveAnswer(Base):
    """One submitted answer. Never updated or deleted: the latest row per kind counts."""

    __tablename__ = "live_answers"
    __table_args__ = (
        CheckConstraint("kind IN ('scores', 'prediction', 'vote')", name="ck_live_answers_kind"),
        Index("ix_live_answers_session", "session_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="RESTRICT"), nullable=False
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("live_participants.id", ondelete="RESTRICT"), nullable=False
    )
    kind: Mapped[str] = mapped_column(String(12), nullable=False)
    #: scores: ``{key: 1..7}``; prediction: ``{"percent": 0..100}``; vote: ``{"key": key}``.
    payload: Mapped[Any] = mapped_column(JSONType, nullable=False)
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class LiveConversation(Base):
    """The conversation of a session of the kind "conversation" (one row per such session)."""

    __tablename__ = "live_conversations"
    __table_args__ = (
        CheckConstraint(
            "phase IN ('voting', 'deciding', 'shown', 'ended')", name="ck_live_conversations_phase"
        ),
        CheckConstraint("step >= 0", name="ck_live_conversations_step"),
    )

    session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="RESTRICT"), primary_key=True
    )
    #: The scenario's id (``case_studies/conversations/<id>.yaml``).
    conversation_id: Mapped[str] = mapped_column(String(100), nullable=False)
    #: How many turns are decided: the turn the room votes on is number ``step`` (from 0).
    step: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    phase: Mapped[str] = mapped_column(String(10), nullable=False, default="voting")


class LiveConversationStep(Base):
    """One decided turn: the response the room (or the trainer) chose at position ``position``."""

    __tablename__ = "live_conversation_steps"
    __table_args__ = (
        UniqueConstraint("session_id", "position", name="uq_live_conversation_steps_position"),
        CheckConstraint("chosen_by IN ('room', 'trainer')", name="ck_live_conversation_steps_by"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="RESTRICT"), nullable=False
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    turn_id: Mapped[str] = mapped_column(String(100), nullable=False)
    response_id: Mapped[str] = mapped_column(String(100), nullable=False)
    chosen_by: Mapped[str] = mapped_column(String(8), nullable=False)
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class LiveConversationVote(Base):
    """One vote of a participant for a response at turn ``position``. Never updated or deleted:
    the latest row per participant and position counts."""

    __tablename__ = "live_conversation_votes"
    __table_args__ = (Index("ix_live_conversation_votes_session", "session_id", "position", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="RESTRICT"), nullable=False
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("live_participants.id", ondelete="RESTRICT"), nullable=False
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    turn_id: Mapped[str] = mapped_column(String(100), nullable=False)
    response_id: Mapped[str] = mapped_column(String(100), nullable=False)
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
