"""Exercise conversation: play a practice conversation to an ending, graded on the ending and
on the MI profile of the responses.

The conversation is a scenario of the conversation simulator (:mod:`igm.conversations`,
``case_studies/conversations/``), drawn per learner and attempt from the valid scenarios whose
case is a valid published case. The learner reads the client's turn and chooses one of the
responses, turn after turn, until the conversation ends; the answer is that path. A real
conversation has no undo, so neither has an attempt: the learner can only begin again from
the start before sending it in (the retry policy gives new attempts).

What the learner's browser gets (the public view) is what is needed to play: the case, the
learner's role, the client's turns and the responses' texts, which turn follows which
response, and which turns end the conversation. Not the key: no MI code, no change to the
determinants, no explanation, no outcome and no kind of ending. The ids in the view are opaque
too (turns ``t1``, ``t2``, … in file order; responses ``a``–``d`` in the learner's own order of
the buttons), because an author's ids ("confronteren", "goed-einde") would give the key away.

Points (6, ``items/exercises.yaml``): the ending reached, good 3, mixed 1.5, poor 0; and the
MI profile of the path (:func:`igm.conversations.mi_profile`, MITI 4.2.1 thresholds), 1 point
each for: no MI-inconsistent response (advice without permission, confrontation); at least as
many reflections as questions, with at least one reflection (R:Q "fair", 1:1); and at least
40 % complex reflections (summaries count as complex, as in MITI; no reflection, no point).
Only scenarios in which a path to all 6 points exists take part (:func:`full_points_path`), so
every learner can reach the maximum.

The feedback names every step: what the learner said, its MI code and the author's
explanation, and how the determinants moved; then how the determinants, intention, ability and
the behaviour probability moved over the whole conversation (``model_for(domain).predict``),
the MI profile with the point of each criterion, and the engine's advice for next time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from exercises._base import (
    AnswerField,
    AnswerItem,
    AnswerSheet,
    Dialogue,
    DialogueResponse,
    DialogueTurn,
    Exercise,
    GradeResult,
    InvalidAnswer,
    Paragraph,
    Variant,
    check_items,
    fmt,
    percent,
    points_text,
)
from exercises._shared import all_cases, case_view, dname
from exercises._texts import exercise_text
from igm import Case
from igm.conversations import (
    MAX_STEPS,
    Conversation,
    ConversationScan,
    MIProfile,
    PathError,
    Playthrough,
    mi_profile,
    play,
    scan_conversations,
)
from igm.determinants import DETERMINANTS
from igm.i18n import fmt_number, t
from igm.model import model_for

__all__ = [
    "ENDING_POINTS",
    "ITEM",
    "MI_CRITERIA",
    "ConversationExercise",
    "ConversationVariant",
    "eligible_conversations",
    "full_points_path",
    "mi_points",
]

EXERCISE_ID = "conversation"
#: The one graded item: the path through the conversation.
ITEM = "conversation"
#: Points for the ending reached.
ENDING_POINTS: Mapping[str, float] = {"good": 3.0, "mixed": 1.5, "poor": 0.0}
#: The MI criteria, one point each, in the order the feedback names them.
MI_CRITERIA: tuple[str, ...] = ("consistent", "reflections", "complex")
#: The opaque response ids of the view, one per button in the learner's order.
RESPONSE_IDS = ("a", "b", "c", "d")


def mi_points(profile: MIProfile) -> dict[str, float]:
    """The point (0 or 1) of each MI criterion for a profile, against MITI 4.2.1's "fair"."""
    return {
        "consistent": 1.0 if profile.non_adherent == 0 else 0.0,
        "reflections": 1.0 if profile.rq_level() != "below" else 0.0,
        "complex": 1.0 if profile.complex_level() in ("fair", "good") else 0.0,
    }


def full_points_path(conversation: Conversation) -> tuple[str, ...] | None:
    """A path (response ids) to a good ending with every MI point, or ``None``.

    A search over (turn, questions, reflections, complex reflections) with no MI-inconsistent
    response on the way: two paths that agree on those reach the same points from there on,
    so one of them is enough. Bounded by :data:`MAX_STEPS`.
    """
    start = (conversation.start, 0, 0, 0)
    frontier: list[tuple[tuple[str, int, int, int], tuple[str, ...], tuple[str, ...]]] = [
        (start, (), ())
    ]
    seen = {start}
    for _step in range(MAX_STEPS + 1):
        following = []
        for (turn_id, q, r, c), path, codes in frontier:
            turn = conversation.turn(turn_id)
            if turn.is_ending:
                if turn.ending == "good" and sum(mi_points(mi_profile(codes)).values()) == len(
                    MI_CRITERIA
                ):
                    return path
                continue
            for response in turn.responses:
                if response.mi_class == "non_adherent":
                    continue
                one = mi_profile([response.mi])
                state = (
                    response.next,
                    q + one.questions,
                    r + one.reflections,
                    c + one.complex_reflections,
                )
                if state not in seen:
                    seen.add(state)
                    following.append((state, (*path, response.id), (*codes, response.mi)))
        frontier = following
    return None


@cache
def _scan() -> ConversationScan:
    """The conversations folder as this process first read it (why: a variant is made and
    graded in one process, see :func:`exercises._shared._case_scan`)."""
    return scan_conversations()


@cache
def eligible_conversations() -> tuple[tuple[Conversation, Case], ...]:
    """The valid conversations whose case is a valid published case and in which all points
    can be reached, with that case; by id."""
    cases = {case.id: case for case in all_cases()}
    return tuple(
        (conversation, cases[conversation.case_id])
        for conversation in sorted(_scan().conversations, key=lambda c: c.id)
        if conversation.case_id in cases and full_points_path(conversation) is not None
    )


def unavailable_text(lang: str) -> str:
    return exercise_text(EXERCISE_ID, "unavailable", lang)


@dataclass(frozen=True)
class ConversationVariant(Variant):
    """The learner's conversation with its case, and the opaque ids the view uses: per turn
    id its view id (``t1``…), per turn the response ids in the learner's button order.
    ``conversation`` is ``None`` where there is no scenario to play (the view says so)."""

    conversation: Conversation | None
    case: Case | None
    turn_ids: Mapping[str, str]
    orders: Mapping[str, tuple[str, ...]]

    def response_for(self, turn_id: str, view_id: str) -> str | None:
        """The scenario's response id behind a button of a turn (``None``: no such button)."""
        order = self.orders.get(turn_id, ())
        if view_id not in RESPONSE_IDS[: len(order)]:
            return None
        return order[RESPONSE_IDS.index(view_id)]

    def view_path(self, response_ids: Sequence[str]) -> list[str]:
        """A path of scenario response ids as the view's ids (what the form sends)."""
        assert self.conversation is not None
        out: list[str] = []
        turn = self.conversation.turn(self.conversation.start)
        for response_id in response_ids:
            out.append(RESPONSE_IDS[self.orders[turn.id].index(response_id)])
            turn = self.conversation.turn(turn.response(response_id).next)
        return out

    def public_view(self, lang: str) -> dict[str, Any]:
        view = self._header(lang)
        if self.conversation is None or self.case is None:
            view["instructions"] = view["unavailable"] = unavailable_text(lang)
            view["items"] = []
            return view
        conversation, case = self.conversation, self.case
        speaker = conversation.speaker_name(case.name)  # an employer's contact, say
        view["case"] = case_view(case, lang, with_scores=False)
        turns = []
        for turn in conversation.turns.values():
            responses = [turn.response(rid) for rid in self.orders.get(turn.id, ())]
            turns.append(
                {
                    "id": self.turn_ids[turn.id],
                    "client": turn.client(lang),
                    "ending": turn.is_ending,
                    "responses": [
                        {
                            "id": view_id,
                            "text": response.text(lang),
                            "next": self.turn_ids[response.next],
                        }
                        for view_id, response in zip(RESPONSE_IDS, responses, strict=False)
                    ],
                }
            )
        view["items"] = [
            {
                "id": ITEM,
                "label": exercise_text(EXERCISE_ID, "label", lang, name=speaker),
                "title": conversation.title(lang),
                "summary": conversation.summary(lang),
                "role": conversation.role(lang),
                "client": speaker,
                "start": self.turn_ids[conversation.start],
                "turns": turns,
            }
        ]
        return view


class ConversationExercise(Exercise):
    id = EXERCISE_ID
    variant_type = ConversationVariant

    def available(self) -> bool:
        return bool(eligible_conversations())

    def unavailable_text(self, lang: str) -> str:
        return unavailable_text(lang)

    def make_variant(self, learner_id: str) -> ConversationVariant:
        seeder = self.seeder(learner_id)
        eligible = eligible_conversations()
        if not eligible:
            return ConversationVariant(self.id, learner_id, seeder.fingerprint, None, None, {}, {})
        conversation, case = seeder.choice(eligible, "conversation")
        turn_ids = {tid: f"t{n}" for n, tid in enumerate(conversation.turns, 1)}
        orders = {
            turn.id: tuple(seeder.shuffle([r.id for r in turn.responses], f"order-{turn.id}"))
            for turn in conversation.turns.values()
            if not turn.is_ending
        }
        return ConversationVariant(
            exercise_id=self.id,
            learner_id=learner_id,
            fingerprint=seeder.fingerprint,
            conversation=conversation,
            case=case,
            turn_ids=turn_ids,
            orders=orders,
        )

    def answer_sheet(self, view: Mapping[str, Any]) -> AnswerSheet:
        """The conversation's title, summary and the learner's role; then the conversation,
        played turn by turn."""
        lang = view["lang"]
        if view.get("unavailable"):
            return AnswerSheet(intro=(Paragraph(str(view["unavailable"])),), items=())
        (data,) = view["items"]
        dialogue = Dialogue(
            client=str(data["client"]),
            start=str(data["start"]),
            turns=tuple(
                DialogueTurn(
                    id=str(turn["id"]),
                    client=str(turn["client"]),
                    responses=tuple(
                        DialogueResponse(str(r["id"]), str(r["text"]), str(r["next"]))
                        for r in turn["responses"]
                    ),
                )
                for turn in data["turns"]
            ),
        )
        label = str(data["label"])
        intro = (
            Paragraph(str(data["title"]), style="heading"),
            Paragraph(str(data["summary"])),
            Paragraph(str(data["role"]), lead=exercise_text(self.id, "role", lang)),
            Paragraph(exercise_text(self.id, "no_undo", lang)),
        )
        field = AnswerField.dialogue(ITEM, label, dialogue)
        return AnswerSheet(items=(AnswerItem(ITEM, label, (field,), intro),))

    # grading ------------------------------------------------------------------------------

    def _playthrough(self, variant: ConversationVariant, value: Any) -> Playthrough:
        """The learner's path played on the scenario; :class:`InvalidAnswer` naming the item
        for anything that is not a path from the start to an ending."""
        conversation, case = variant.conversation, variant.case
        assert conversation is not None and case is not None
        if (
            not isinstance(value, list)
            or not all(isinstance(v, str) for v in value)
            or len(value) > MAX_STEPS
        ):
            raise InvalidAnswer("not_a_path", item=ITEM, high=MAX_STEPS)
        playthrough = Playthrough(conversation, case.scores)
        for step, view_id in enumerate(value, 1):
            if playthrough.finished:
                raise InvalidAnswer("path_past_ending", item=ITEM, step=step)
            response_id = variant.response_for(playthrough.turn.id, view_id)
            if response_id is None:
                offered = ", ".join(RESPONSE_IDS[: len(playthrough.turn.responses)])
                raise InvalidAnswer(
                    "path_not_offered", item=ITEM, step=step, value=view_id, allowed=offered
                )
            playthrough = playthrough.choose(response_id)
        if not playthrough.finished:
            raise InvalidAnswer("path_unfinished", item=ITEM, steps=len(value))
        return playthrough

    def _grade(
        self, variant: ConversationVariant, answers: Mapping[str, Any], lang: str
    ) -> GradeResult:
        if variant.conversation is None or variant.case is None:
            raise InvalidAnswer("conversation_unavailable")
        check_items(answers, [ITEM])
        playthrough = self._playthrough(variant, answers[ITEM])
        # the same path again through the engine's own player: what the app's simulator does
        try:
            played = play(variant.conversation, variant.case.scores, playthrough.response_ids)
        except PathError:  # pragma: no cover - _playthrough walked the same responses
            raise InvalidAnswer("path_unfinished", item=ITEM, steps=0) from None
        ending = played.ending or "poor"
        profile = mi_profile(played.mi_codes)
        criteria = mi_points(profile)
        points = ENDING_POINTS[ending] + sum(criteria.values())
        ending_line = self._ending_line(played, lang, outcome=True)
        steps = self._step_lines(variant, played, lang)
        moved = self._movement_lines(variant.case, played, lang)
        mi_lines = self._mi_lines(profile, criteria, lang)
        advice = self._advice_lines(profile, lang)
        feedback = "\n".join([ending_line, *steps, *moved, *mi_lines, *advice])
        # before the answers are released: the ending and the profile, never what each
        # response was in MI terms nor the author's explanations
        hint = "\n".join([self._ending_line(played, lang, outcome=False), *mi_lines, *advice])
        return self.result(
            {ITEM: points},
            {ITEM: feedback},
            lang,
            hints={ITEM: hint},
            ending=t(f"conversation.ending.{ending}", lang),
            mi_points=points_text(sum(criteria.values()), lang),
            mi_max=len(MI_CRITERIA),
        )

    def _ending_line(self, played: Playthrough, lang: str, *, outcome: bool) -> str:
        ending = played.ending or "poor"
        line = exercise_text(
            self.id,
            f"ending_{ending}",
            lang,
            points=points_text(ENDING_POINTS[ending], lang),
            max=points_text(ENDING_POINTS["good"], lang),
        )
        if outcome and played.turn.outcome is not None:
            line += " " + played.turn.outcome(lang)
        return line

    def _step_lines(
        self, variant: ConversationVariant, played: Playthrough, lang: str
    ) -> list[str]:
        lines = [exercise_text(self.id, "steps", lang)]
        for n, step in enumerate(played.steps, 1):
            response = step.response
            applied = [
                f"{dname(key, lang)} {_signed(v, lang)}" for key, v in step.applied.items() if v
            ]
            moved = (
                exercise_text(self.id, "step_changes", lang, changes="; ".join(applied))
                if applied
                else exercise_text(self.id, "step_no_change", lang)
            )
            lines.append(
                exercise_text(
                    self.id,
                    "step",
                    lang,
                    n=n,
                    text=response.text(lang),
                    code=t(f"conversation.mi.{response.mi}", lang),
                    explanation=response.explanation(lang),
                    changes=moved,
                )
            )
        return lines

    def _movement_lines(self, case: Case, played: Playthrough, lang: str) -> list[str]:
        """How the determinants moved over the conversation, and what the model makes of it."""
        model = model_for(case.domain)
        before, after = model.predict(played.start_scores), model.predict(played.scores)
        moved = [
            exercise_text(
                self.id,
                "moved",
                lang,
                determinant=dname(key, lang),
                before=fmt_number(played.start_scores[key], lang, None),
                after=fmt_number(played.scores[key], lang, None),
            )
            for key in DETERMINANTS
            if played.scores[key] != played.start_scores[key]
        ]
        first = (
            exercise_text(self.id, "determinants", lang, moved="; ".join(moved))
            if moved
            else exercise_text(self.id, "determinants_same", lang)
        )
        model_line = exercise_text(
            self.id,
            "model",
            lang,
            name=case.name,
            intention_before=fmt(before.intention, lang),
            intention_after=fmt(after.intention, lang),
            ability_before=fmt(before.ability, lang),
            ability_after=fmt(after.ability, lang),
            behaviour_before=percent(before.behaviour_probability, lang),
            behaviour_after=percent(after.behaviour_probability, lang),
        )
        return [first, model_line]

    def _mi_lines(self, profile: MIProfile, criteria: Mapping[str, float], lang: str) -> list[str]:
        ratio = profile.rq_ratio
        share = profile.complex_share
        lines = [
            exercise_text(
                self.id,
                "profile",
                lang,
                reflections=profile.reflections,
                questions=profile.questions,
                ratio=fmt(ratio, lang, 1)
                if ratio is not None
                else exercise_text(self.id, "not_applicable", lang),
                complex=percent(share, lang)
                if share is not None
                else exercise_text(self.id, "no_share", lang),
                non_adherent=profile.non_adherent,
                points=points_text(sum(criteria.values()), lang),
                max=len(MI_CRITERIA),
            )
        ]
        for key in MI_CRITERIA:
            verdict = "met" if criteria[key] else "missed"
            lines.append(
                "– "
                + exercise_text(
                    self.id,
                    f"criterion_{key}_{verdict}",
                    lang,
                    points=points_text(criteria[key], lang),
                )
            )
        return lines

    def _advice_lines(self, profile: MIProfile, lang: str) -> list[str]:
        return [
            exercise_text(self.id, "advice", lang),
            *(f"– {t(f'conversation.advice.{key}', lang)}" for key in profile.advice()),
        ]


def _signed(value: float, lang: str) -> str:
    """A change with its sign: +1, −0,5."""
    return ("+" if value > 0 else "−") + fmt_number(abs(value), lang, None)
