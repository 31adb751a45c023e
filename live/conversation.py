"""A conversation played by the room (issue 18, point 4): what the projector and the phones show.

The store (:mod:`live.store`) knows the path the room took and the votes; this module turns them
into plain data for the templates (``conversation_*.html``) and the phones' JSON: sentences,
bar geometry, the client's words. Every text of a scenario stays a plain string (the templates
escape it; the phone's script inserts it with ``textContent``). Every model number comes from
the engine: ``model_for(case.domain).predict(play(...).scores)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from igm.conversations import MI_CLASS, Playthrough, Turn, mi_profile
from igm.determinants import DETERMINANTS, DeterminantScores
from igm.i18n import fmt_number, t
from igm.model import Prediction, model_for
from live.store import ConversationRoom, cached_case, conversation_playthrough

__all__ = [
    "LETTERS",
    "RESPONSE_COLOURS",
    "ConversationView",
    "Decision",
    "EndingView",
    "Move",
    "Option",
    "PathLine",
    "conversation_view",
    "phone_view",
]

#: How the room names the responses of a turn (a turn offers two to four).
LETTERS = "ABCD"
#: Okabe–Ito colours of the responses' bars (orange, sky blue, bluish green, reddish purple),
#: each drawn with a black outline and its letter and count beside it: colour is never the
#: only cue.
RESPONSE_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7")
BEFORE_COLOUR = "#D55E00"  # Okabe–Ito vermillion: where a score was before the response
AFTER_COLOUR = "#0072B2"  # Okabe–Ito blue: the score now
#: Width of a vote bar and of a score bar, in SVG user units.
VOTE_BAR_WIDTH = 300
SCORE_BAR_WIDTH = 210


@dataclass(frozen=True)
class Option:
    """One response the room can vote for, with its votes so far."""

    id: str
    letter: str
    text: str
    colour: str
    count: int
    share: str  # "47%", or "" without votes
    bar: float  # bar length in SVG units (0..VOTE_BAR_WIDTH)
    chosen: bool
    tied: bool  # among the most voted when the vote closed without a majority


@dataclass(frozen=True)
class Move:
    """A number before and after the last response (equal while the room votes)."""

    key: str
    name: str
    before: str
    after: str
    change: str | None  # "+0,5", "−1", or None when it did not move
    before_x: float  # score bars only: SVG x of the value before and after
    after_x: float


@dataclass(frozen=True)
class Decision:
    """The response the room took at the last turn, and what it did."""

    letter: str
    text: str
    colour: str
    by: str  # who chose, as a sentence
    mi: str  # the MI code's name
    mi_class: str  # adherent / neutral / non-adherent, in words
    explanation: str
    answer: str  # what the client says next
    answer_is_ending: bool


@dataclass(frozen=True)
class PathLine:
    """One step of the room's path, for the ending screen."""

    number: int
    letter: str
    text: str
    mi: str
    by: str


@dataclass(frozen=True)
class EndingView:
    ending: str  # good / mixed / poor
    label: str
    outcome: str
    last_words: str
    path: tuple[PathLine, ...]
    profile: tuple[str, ...]  # the room's MI profile, one sentence a line
    advice: tuple[str, ...]


@dataclass(frozen=True)
class ConversationView:
    """Every text and shape of the projector's conversation (and, in part, of the phones)."""

    code: str
    title: str
    role: str
    client_name: str
    phase: str
    step: int
    turn_number: int
    status: str
    client_heading: str
    client: str  # what the client said at the turn the room votes (or voted) on
    options: tuple[Option, ...]
    votes_summary: str
    voters: int
    participants: int
    tie: str | None  # the trainer's cue when the vote closed without a majority
    decision: Decision | None
    scores: tuple[Move, ...]
    outputs: tuple[Move, ...]
    moves_heading: str
    ending: EndingView | None


def _fmt(x: float, lang: str) -> str:
    return fmt_number(round(x, 2), lang, None)


def _change(before: float, after: float, lang: str, decimals: int | None = None) -> str | None:
    delta = round(after - before, 2 if decimals is None else decimals)
    if delta == 0:
        return None
    text = fmt_number(abs(delta), lang, decimals)
    return ("+" if delta > 0 else "−") + text


def _score_x(value: float) -> float:
    """Where a 1–7 score sits on a score bar."""
    return round(SCORE_BAR_WIDTH * (value - 1) / 6, 1)


def _predict(domain: str, scores: DeterminantScores) -> Prediction:
    return model_for(domain).predict(scores)


def _moves(
    domain: str, before: DeterminantScores, after: DeterminantScores, lang: str
) -> tuple[tuple[Move, ...], tuple[Move, ...]]:
    """The determinants and the model's three outputs, before and after (engine numbers)."""
    scores = tuple(
        Move(
            key=key,
            name=t(f"determinant.{key}.name", lang),
            before=_fmt(before[key], lang),
            after=_fmt(after[key], lang),
            change=_change(before[key], after[key], lang),
            before_x=_score_x(before[key]),
            after_x=_score_x(after[key]),
        )
        for key in DETERMINANTS
    )
    p0, p1 = _predict(domain, before), _predict(domain, after)
    pairs = (
        ("intention", "output.intention", p0.intention, p1.intention),
        ("ability", "output.ability", p0.ability, p1.ability),
        (
            "behaviour",
            "output.behaviour",
            100 * p0.behaviour_probability,
            100 * p1.behaviour_probability,
        ),
    )
    outputs = tuple(
        Move(
            key=key,
            name=t(name, lang),
            before=fmt_number(round(b), lang, 0) + ("%" if key == "behaviour" else ""),
            after=fmt_number(round(a), lang, 0) + ("%" if key == "behaviour" else ""),
            change=_change(round(b), round(a), lang, 0),
            before_x=0.0,
            after_x=0.0,
        )
        for key, name, b, a in pairs
    )
    return scores, outputs


def _options(
    turn: Turn, counts: Mapping[str, int], chosen: str | None, phase: str, lang: str
) -> tuple[Option, ...]:
    total = sum(counts.get(r.id, 0) for r in turn.responses)
    top = max((counts.get(r.id, 0) for r in turn.responses), default=0)
    out = []
    for i, response in enumerate(turn.responses):
        n = counts.get(response.id, 0)
        out.append(
            Option(
                id=response.id,
                letter=LETTERS[i],
                text=response.text(lang),
                colour=RESPONSE_COLOURS[i],
                count=n,
                share=f"{round(100 * n / total)}%" if total else "",
                bar=round(VOTE_BAR_WIDTH * n / total, 1) if total else 0.0,
                chosen=response.id == chosen,
                tied=phase == "deciding" and n == top,
            )
        )
    return tuple(out)


def _letter(turn: Turn, response_id: str) -> tuple[str, str]:
    """The letter and colour of a response within its turn."""
    for i, response in enumerate(turn.responses):
        if response.id == response_id:
            return LETTERS[i], RESPONSE_COLOURS[i]
    return "?", "#000000"


def _votes_summary(options: tuple[Option, ...], participants: int, lang: str) -> str:
    n = sum(o.count for o in options)
    if not n:
        return t("live.conversation.no_votes", lang, participants=participants)
    top = max(o.count for o in options)
    leaders = [o.letter for o in options if o.count == top]
    if len(leaders) > 1:
        return t(
            "live.conversation.votes_tie",
            lang,
            n=n,
            participants=participants,
            letters=_and(leaders, lang),
            top_n=top,
        )
    return t(
        "live.conversation.votes_summary",
        lang,
        n=n,
        participants=participants,
        letter=leaders[0],
        top_n=top,
    )


def _and(items: list[str], lang: str) -> str:
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {t('live.conversation.and', lang)} {items[-1]}"


def _by(step_by: str, counts: Mapping[str, int], response_id: str, letter: str, lang: str) -> str:
    if step_by == "room":
        return t(
            "live.conversation.chosen_room",
            lang,
            letter=letter,
            count=counts.get(response_id, 0),
            n=sum(counts.values()),
        )
    return t("live.conversation.chosen_trainer", lang, letter=letter)


def _profile(playthrough: Playthrough, lang: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The room's MI profile (the engine's :func:`igm.conversations.mi_profile`) in sentences,
    and what to try next time."""
    profile = mi_profile(playthrough.mi_codes)
    ratio = profile.rq_ratio
    complex_share = profile.complex_share
    open_share = profile.open_share
    level = profile.complex_level()
    lines = (
        t(
            "live.conversation.profile.counts",
            lang,
            total=profile.total,
            questions=profile.questions,
            reflections=profile.reflections,
        ),
        t("live.conversation.profile.rq_none", lang)
        if ratio is None
        else t(
            "live.conversation.profile.rq",
            lang,
            value=fmt_number(ratio, lang, 1),
            level=t(f"conversation.level.{profile.rq_level()}", lang),
        ),
        t("live.conversation.profile.complex_none", lang)
        if complex_share is None or level is None
        else t(
            "live.conversation.profile.complex",
            lang,
            value=f"{round(100 * complex_share)}%",
            level=t(f"conversation.level.{level}", lang),
        ),
        t("live.conversation.profile.open_none", lang)
        if open_share is None
        else t("live.conversation.profile.open", lang, value=f"{round(100 * open_share)}%"),
        t(
            "live.conversation.profile.adherence",
            lang,
            adherent=profile.adherent,
            non_adherent=profile.non_adherent,
        ),
    )
    advice = tuple(t(f"conversation.advice.{key}", lang) for key in profile.advice())
    return lines, advice


def conversation_view(room: ConversationRoom, lang: str) -> ConversationView:
    """The projector's view of a conversation session as it is now (plain data)."""
    playthrough = conversation_playthrough(room.conversation_id, room.response_ids)
    conversation = playthrough.conversation
    case = cached_case(conversation.case_id)
    name = case.name  # whose scores move: the case's
    # who speaks the client's turns: the scenario's speaker (an employer's contact), else the case
    speaker = conversation.speaker_name(case.name)
    phase, step = room.phase, room.step
    decision = None
    ending = None
    tie = None
    if phase in ("voting", "deciding"):
        turn = playthrough.turn
        options = _options(turn, room.counts, None, phase, lang)
        counts = room.counts
        before = after = playthrough.scores
        if phase == "deciding":
            tied = [o.letter for o in options if o.tied]
            tie = (
                t("live.conversation.tie", lang, letters=_and(tied, lang))
                if any(o.count for o in options)
                else t("live.conversation.tie_none", lang)
            )
        moves_heading = t("live.conversation.moves_now", lang, name=name)
        turn_number = step + 1
    else:
        last = playthrough.steps[-1]
        voted = room.path[-1]
        turn = conversation.turn(last.turn_id)
        counts = voted.counts
        options = _options(turn, counts, last.response.id, phase, lang)
        letter, colour = _letter(turn, last.response.id)
        answer = playthrough.turn
        decision = Decision(
            letter=letter,
            text=last.response.text(lang),
            colour=colour,
            by=_by(voted.chosen_by, counts, last.response.id, letter, lang),
            mi=t(f"conversation.mi.{last.response.mi}", lang),
            mi_class=t(f"conversation.mi_class.{MI_CLASS[last.response.mi]}", lang),
            explanation=last.response.explanation(lang),
            answer=answer.client(lang),
            answer_is_ending=answer.is_ending,
        )
        before, after = last.scores_before, last.scores_after
        moves_heading = t("live.conversation.moves_step", lang, name=name)
        turn_number = step
        if phase == "ended":
            before = playthrough.start_scores
            moves_heading = t("live.conversation.moves_all", lang, name=name)
            ending = _ending(room, playthrough, lang)
    scores, outputs = _moves(case.domain, before, after, lang)
    voters = sum(counts.values())
    return ConversationView(
        code=room.session["code"],
        title=conversation.title(lang),
        role=conversation.role(lang),
        client_name=speaker,
        phase=phase,
        step=step,
        turn_number=turn_number,
        status=t(f"live.conversation.phase.{phase}", lang, n=turn_number),
        client_heading=t("live.conversation.client_says", lang, name=speaker, n=turn_number),
        client=turn.client(lang),
        options=options,
        votes_summary=_votes_summary(options, room.participants, lang),
        voters=voters,
        participants=room.participants,
        tie=tie,
        decision=decision,
        scores=scores,
        outputs=outputs,
        moves_heading=moves_heading,
        ending=ending,
    )


def _ending(room: ConversationRoom, playthrough: Playthrough, lang: str) -> EndingView:
    conversation = playthrough.conversation
    end = playthrough.turn
    lines = []
    for number, (step, voted) in enumerate(zip(playthrough.steps, room.path, strict=True), 1):
        turn = conversation.turn(step.turn_id)
        letter, _ = _letter(turn, step.response.id)
        lines.append(
            PathLine(
                number=number,
                letter=letter,
                text=step.response.text(lang),
                mi=t(f"conversation.mi.{step.response.mi}", lang),
                by=(
                    t(
                        "live.conversation.path_room",
                        lang,
                        count=voted.counts.get(step.response.id, 0),
                        n=sum(voted.counts.values()),
                    )
                    if voted.chosen_by == "room"
                    else t("live.conversation.path_trainer", lang)
                ),
            )
        )
    profile, advice = _profile(playthrough, lang)
    ending = end.ending or "mixed"
    return EndingView(
        ending=ending,
        label=t(f"conversation.ending.{ending}", lang),
        outcome=end.outcome(lang) if end.outcome else "",
        last_words=end.client(lang),
        path=tuple(lines),
        profile=profile,
        advice=advice,
    )


def phone_view(view: ConversationView, lang: str) -> dict[str, Any]:
    """What a phone needs, as JSON: texts only (its script inserts them as text)."""
    decision = view.decision
    return {
        "phase": view.phase,
        "step": view.step,
        "turn_number": view.turn_number,
        "phase_text": view.status,
        "client_heading": view.client_heading,
        "client": view.client,
        "options": [{"id": o.id, "letter": o.letter, "text": o.text} for o in view.options],
        "decision": (
            {
                **asdict(decision),
                "heading": t("live.conversation.chosen_heading", lang, letter=decision.letter),
                "answer_heading": t(
                    "live.conversation.answer_heading", lang, name=view.client_name
                ),
            }
            if decision
            else None
        ),
        "ending": (
            {
                "heading": t("live.conversation.ending_heading", lang, ending=view.ending.label),
                "label": view.ending.label,
                "outcome": view.ending.outcome,
                "last_words": view.ending.last_words,
            }
            if view.ending
            else None
        ),
    }
