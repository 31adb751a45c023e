"""Practice conversations: branching scenarios tied to the model, and the MI profile of a path.

A conversation (scenario) is a YAML file in the ``conversations/`` folder beside the cases
(schema: ``case_studies/conversations/README.md``). It names a case and holds client turns;
each turn that is not an ending offers 2–4 responses of the professional. A response carries
its motivational interviewing (MI) code, the next client turn, the change it makes to the
client's determinant scores (an author's estimate, in scale points) and a short explanation.

The file is read by the same strict, bounded reader as a case file and checked field by field
with the same :class:`igm.cases.Problem` messages (file, line, field, nl and en), plus the
checks a graph needs: every ``next`` names a turn, every turn can be reached from ``start``,
from every turn an ending can be reached (so a cycle always has a way out), and a good and a
poor ending exist.

Playing a path (:func:`play`) applies the changes step by step, each step clamped to the 1–7
scale; the predicted behaviour at any step is ``model_for(case.domain).predict(scores)`` of the
engine, so a conversation moves the same numbers as the sliders do. :func:`mi_profile`
summarises the professional's responses with the summary measures of the MITI 4.2.1 coding
manual (Moyers, Manuel & Ernst, 2014; Moyers et al., 2016): reflections per question, share of
complex reflections, MI-adherent and MI-non-adherent responses.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Any

from igm.cases import (  # one reader and one checker for every file a trainer writes
    CaseError,
    Problem,
    _Checker,
    _kind,
    _read_yaml,
    case_files,
    cases_dir,
)
from igm.determinants import DETERMINANTS, SCALE_MAX, SCALE_MIN, DeterminantScores
from igm.i18n import Text
from igm.resources import shipped_cases_dir

__all__ = [
    "CHANGE_MAX",
    "CONVERSATION_FIELDS",
    "ENDINGS",
    "MAX_STEPS",
    "MI_CLASS",
    "MI_CODES",
    "Conversation",
    "ConversationError",
    "ConversationScan",
    "MIProfile",
    "PathError",
    "Playthrough",
    "Response",
    "Step",
    "Turn",
    "conversation_files",
    "conversations_dir",
    "find_conversation",
    "list_conversations",
    "load_conversation",
    "mi_profile",
    "parse_conversation",
    "play",
    "scan_conversations",
    "validate_conversation_file",
]

#: The MI codes a response can carry, after the behaviour codes of MITI 4.2.1; "summary" and
#: the two kinds of advice are named apart because learners meet them as separate skills.
MI_CODES: tuple[str, ...] = (
    "open_question",
    "closed_question",
    "simple_reflection",
    "complex_reflection",
    "summary",
    "affirmation",
    "emphasising_autonomy",
    "seeking_collaboration",
    "giving_information",
    "advice_with_permission",
    "advice_without_permission",
    "confrontation",
)
#: MITI 4.2.1's classes: MI-adherent (affirm, emphasise autonomy, seek collaboration) and
#: MI-non-adherent (confront, persuade without permission); everything else is neither.
MI_CLASS: Mapping[str, str] = {
    code: (
        "adherent"
        if code in {"affirmation", "emphasising_autonomy", "seeking_collaboration"}
        else "non_adherent"
        if code in {"advice_without_permission", "confrontation"}
        else "neutral"
    )
    for code in MI_CODES
}
_QUESTIONS = frozenset({"open_question", "closed_question"})
#: A summary is coded as a (complex) reflection in MITI 4.2.1.
_COMPLEX_REFLECTIONS = frozenset({"complex_reflection", "summary"})
_REFLECTIONS = _COMPLEX_REFLECTIONS | {"simple_reflection"}

#: How a conversation can end, from best to worst.
ENDINGS: tuple[str, ...] = ("good", "mixed", "poor")
#: Largest change one response may make to one determinant, in scale points (either way),
#: and the step changes are given in: one response is one utterance, not an intervention.
CHANGE_MAX = 2.0
CHANGE_STEP = 0.5
#: Most determinants one response may change.
MAX_CHANGES = 3
#: Responses per turn that is not an ending, and turns per conversation.
MIN_RESPONSES, MAX_RESPONSES = 2, 4
MIN_TURNS, MAX_TURNS = 2, 40
#: Longest path a playthrough may take (a scenario with a loop still ends within it).
MAX_STEPS = 40

#: The top-level fields of a conversation file, in file order.
CONVERSATION_FIELDS: tuple[str, ...] = (
    "id",
    "fictional",
    "case",
    "speaker",
    "title",
    "summary",
    "role",
    "start",
    "turns",
)
_TURN_FIELDS: tuple[str, ...] = ("id", "client", "responses", "ending", "outcome")
_RESPONSE_FIELDS: tuple[str, ...] = ("id", "text", "mi", "next", "changes", "explanation")


@dataclass(frozen=True)
class Response:
    """One thing the professional can say, what it is in MI terms and what it does."""

    id: str
    text: Text
    mi: str  # one of MI_CODES
    next: str  # the id of the client turn that follows
    changes: Mapping[str, float]  # determinant -> scale points, an author's estimate
    explanation: Text

    @property
    def mi_class(self) -> str:
        """``adherent``, ``neutral`` or ``non_adherent`` (MITI 4.2.1)."""
        return MI_CLASS[self.mi]


@dataclass(frozen=True)
class Turn:
    """What the client says, and either the responses to choose from or how it ended."""

    id: str
    client: Text
    responses: tuple[Response, ...] = ()
    ending: str | None = None  # one of ENDINGS for an ending, else None
    outcome: Text | None = None  # what the conversation led to (endings only)

    @property
    def is_ending(self) -> bool:
        return self.ending is not None

    def response(self, response_id: str) -> Response:
        for item in self.responses:
            if item.id == response_id:
                return item
        raise KeyError(f"turn {self.id!r} has no response {response_id!r}")


@dataclass(frozen=True)
class Conversation:
    """A practice conversation with the client of one case."""

    id: str
    case_id: str
    title: Text
    summary: Text
    role: Text  # who the learner plays
    start: str
    turns: Mapping[str, Turn]  # by id, in file order
    path: Path
    speaker: str = ""  # the name of the person the learner talks to ("" : the case's name)

    def speaker_name(self, case_name: str) -> str:
        """Who speaks the client's turns: :attr:`speaker`, else the case's name."""
        return self.speaker or case_name

    def turn(self, turn_id: str) -> Turn:
        return self.turns[turn_id]

    def endings(self) -> list[Turn]:
        """The ending turns, in file order."""
        return [turn for turn in self.turns.values() if turn.is_ending]


class ConversationError(CaseError):
    """A conversation file that cannot be used; ``problems`` lists everything found."""


# ---- reading and checking ------------------------------------------------------------------


def _reachable(start: str, edges: Mapping[str, Iterable[str]]) -> set[str]:
    """The nodes reachable from ``start`` (``start`` included) along ``edges``."""
    seen = {start}
    todo = [start]
    while todo:
        for target in edges.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _known_case_ids(path: Path) -> list[str] | None:
    """The case ids a conversation file may name: the cases folder its ``conversations/``
    folder sits in, else :func:`igm.cases.cases_dir`; None when there is no cases folder."""
    beside = path.resolve().parent.parent
    try:
        if beside.is_dir() and (found := case_files(beside)):
            return [p.stem for p in found]
        return [p.stem for p in case_files(cases_dir())]
    except (FileNotFoundError, OSError):
        return None


def _change(check: _Checker, value: Any, where: str) -> float | None:
    """One change: a number from -2 to 2 in steps of 0.5."""
    number = check.number(value, where, -CHANGE_MAX, CHANGE_MAX)
    if number is None:
        return None
    if number / CHANGE_STEP != int(number / CHANGE_STEP):
        check.fail(where, "conversation.change_step", value=number)
        return None
    return number


def _response(check: _Checker, raw: Any, where: str) -> Response | None:
    item = check.mapping(raw, where)
    if item is None:
        return None
    for extra in sorted(set(item) - set(_RESPONSE_FIELDS), key=str):
        check.fail(f"{where}.{extra}", "unknown_field", allowed=_RESPONSE_FIELDS)
    rid = check.identifier(item, "id", where)
    text = check.text(item, "text", where)
    mi = check.choice(item, "mi", where, MI_CODES)
    target = check.identifier(item, "next", where)
    explanation = check.text(item, "explanation", where)
    changes: dict[str, float] = {}
    raw_changes = item.get("changes", {})
    if raw_changes is None:
        raw_changes = {}
    change_map = check.mapping(raw_changes, f"{where}.changes")
    if change_map is not None:
        if len(change_map) > MAX_CHANGES:
            check.fail(
                f"{where}.changes",
                "conversation.changes_count",
                count=len(change_map),
                max=MAX_CHANGES,
            )
        for key, delta in change_map.items():
            if key not in DETERMINANTS:
                check.fail(f"{where}.changes.{key}", "unknown_determinant", allowed=DETERMINANTS)
                continue
            number = _change(check, delta, f"{where}.changes.{key}")
            if number is not None and number != 0:
                changes[str(key)] = number
    return Response(rid, text, mi, target, changes, explanation)


def _turn(check: _Checker, raw: Any, where: str) -> Turn | None:
    item = check.mapping(raw, where)
    if item is None:
        return None
    for extra in sorted(set(item) - set(_TURN_FIELDS), key=str):
        check.fail(f"{where}.{extra}", "unknown_field", allowed=_TURN_FIELDS)
    tid = check.identifier(item, "id", where)
    client = check.text(item, "client", where)
    has_responses = item.get("responses") is not None
    has_ending = item.get("ending") is not None
    if has_responses and has_ending:
        check.fail(where, "conversation.both_responses_and_ending")
        return None
    if has_ending:
        ending = check.choice(item, "ending", where, ENDINGS)
        outcome = check.text(item, "outcome", where)
        return Turn(tid, client, (), ending or "poor", outcome)
    if "outcome" in item:
        check.fail(f"{where}.outcome", "conversation.outcome_without_ending")
    if not has_responses:
        check.fail(where, "conversation.no_responses", low=MIN_RESPONSES, high=MAX_RESPONSES)
        return Turn(tid, client)
    raw_responses = item["responses"]
    if not isinstance(raw_responses, list):
        check.fail(f"{where}.responses", "not_list", got=_kind(raw_responses))
        return Turn(tid, client)
    if not MIN_RESPONSES <= len(raw_responses) <= MAX_RESPONSES:
        check.fail(
            f"{where}.responses",
            "conversation.responses_count",
            count=len(raw_responses),
            low=MIN_RESPONSES,
            high=MAX_RESPONSES,
        )
    responses: list[Response] = []
    seen: set[str] = set()
    for j, raw_response in enumerate(raw_responses[:MAX_RESPONSES]):
        response = _response(check, raw_response, f"{where}.responses[{j}]")
        if response is None:
            continue
        if response.id and response.id in seen:
            check.fail(
                f"{where}.responses[{j}].id", "conversation.duplicate_response", value=response.id
            )
        seen.add(response.id)
        responses.append(response)
    return Turn(tid, client, tuple(responses))


def parse_conversation(
    data: Any, path: Path | str, lines: Mapping[str, int] | None = None
) -> Conversation:
    """Check parsed YAML field by field and as a graph; build a :class:`Conversation`.

    Raises :class:`ConversationError` listing every problem found.
    """
    path = Path(path)
    check = _Checker(str(path), lines)
    root = check.mapping(data, "")
    if root is None:
        raise ConversationError(check.problems)
    for extra in sorted(set(root) - set(CONVERSATION_FIELDS), key=str):
        check.fail(str(extra), "unknown_field", allowed=CONVERSATION_FIELDS)

    conversation_id = check.identifier(root, "id", "")
    if conversation_id and path.suffix in {".yaml", ".yml"} and path.stem != conversation_id:
        check.fail("id", "id_not_file_name", value=conversation_id, stem=path.stem)
    if root.get("fictional") is not True:
        check.fail("fictional", "not_fictional")
    case_id = check.identifier(root, "case", "")
    if case_id:
        known = _known_case_ids(path)
        if known is not None and case_id not in known:
            check.fail("case", "conversation.unknown_case", value=case_id, known=known)
    speaker = check.string(root, "speaker", "") if "speaker" in root else ""
    title = check.text(root, "title", "")
    summary = check.text(root, "summary", "")
    role = check.text(root, "role", "")
    start = check.identifier(root, "start", "")

    turns: dict[str, Turn] = {}
    where_of: dict[str, str] = {}
    raw_turns = check.required(root, "turns", "")
    if raw_turns is not None and not isinstance(raw_turns, list):
        check.fail("turns", "not_list", got=_kind(raw_turns))
        raw_turns = None
    if raw_turns is not None:
        if not MIN_TURNS <= len(raw_turns) <= MAX_TURNS:
            check.fail(
                "turns",
                "conversation.turns_count",
                count=len(raw_turns),
                low=MIN_TURNS,
                high=MAX_TURNS,
            )
        for i, raw_turn in enumerate(raw_turns[:MAX_TURNS]):
            where = f"turns[{i}]"
            turn = _turn(check, raw_turn, where)
            if turn is None or not turn.id:
                continue
            if turn.id in turns:
                check.fail(f"{where}.id", "conversation.duplicate_turn", value=turn.id)
                continue
            turns[turn.id] = turn
            where_of[turn.id] = where

    if turns:
        _check_graph(check, start, turns, where_of)

    if check.problems:
        raise ConversationError(check.problems)
    return Conversation(
        id=conversation_id,
        case_id=case_id,
        title=title,
        summary=summary,
        role=role,
        start=start,
        turns=turns,
        path=path,
        speaker=speaker,
    )


def _check_graph(
    check: _Checker, start: str, turns: Mapping[str, Turn], where_of: Mapping[str, str]
) -> None:
    """Targets exist, every turn is reachable, every turn can reach an ending, both kinds of
    ending exist."""
    known = list(turns)
    for turn in turns.values():
        for j, response in enumerate(turn.responses):
            if response.next and response.next not in turns:
                check.fail(
                    f"{where_of[turn.id]}.responses[{j}].next",
                    "conversation.unknown_target",
                    value=response.next,
                    known=known,
                )
    if start and start not in turns:
        check.fail("start", "conversation.unknown_target", value=start, known=known)
        return
    if not start:
        return
    if turns[start].is_ending:
        check.fail("start", "conversation.start_is_ending")
    edges = {
        tid: [r.next for r in turn.responses if r.next in turns] for tid, turn in turns.items()
    }
    reachable = _reachable(start, edges)
    for tid in turns:
        if tid not in reachable:
            check.fail(f"{where_of[tid]}.id", "conversation.unreachable", value=tid, start=start)
    backwards: dict[str, list[str]] = {}
    for source, targets in edges.items():
        for target in targets:
            backwards.setdefault(target, []).append(source)
    can_end: set[str] = set()
    for ending in (tid for tid, turn in turns.items() if turn.is_ending):
        can_end |= _reachable(ending, backwards)
    for tid in turns:
        if tid in reachable and tid not in can_end:
            check.fail(f"{where_of[tid]}.id", "conversation.no_way_out", value=tid)
    endings_reached = {turns[tid].ending for tid in reachable if turns[tid].is_ending}
    for kind in ("good", "poor"):
        if kind not in endings_reached:
            check.fail("turns", f"conversation.no_{kind}_ending")


def load_conversation(path: Path | str) -> Conversation:
    """Load and check one conversation file; raise :class:`ConversationError`."""
    path = Path(path)
    try:
        data, lines = _read_yaml(path)
    except CaseError as exc:
        raise ConversationError(exc.problems) from None
    return parse_conversation(data, path, lines)


def validate_conversation_file(path: Path | str) -> list[Problem]:
    """Every problem in one conversation file (an empty list when it is valid)."""
    try:
        load_conversation(path)
    except CaseError as exc:
        return exc.problems
    return []


def conversations_dir(cases_folder: Path | str | None = None) -> Path:
    """The folder of conversation files: ``conversations/`` in the cases folder (default
    :func:`igm.cases.cases_dir`). A trainer's own cases folder made by an older kit has none:
    then the conversations the kit ships (their cases are shipped beside them)."""
    if cases_folder is not None:
        return Path(cases_folder) / "conversations"
    folder = cases_dir() / "conversations"
    return folder if folder.is_dir() else shipped_cases_dir() / "conversations"


def conversation_files(directory: Path | str | None = None) -> list[Path]:
    """The conversation files in a folder (default :func:`conversations_dir`), by name;
    an empty list when the folder does not exist."""
    folder = Path(directory) if directory is not None else conversations_dir()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in {".yaml", ".yml"} and p.is_file())


@dataclass(frozen=True)
class ConversationScan:
    """The valid conversations in a folder and the problems of the files that were skipped."""

    conversations: tuple[Conversation, ...]
    problems: tuple[Problem, ...]

    def skipped_files(self) -> list[str]:
        return list(dict.fromkeys(p.file for p in self.problems))


def scan_conversations(directory: Path | str | None = None) -> ConversationScan:
    """The valid conversations in a folder (default :func:`conversations_dir`) and why the others
    were skipped; never raises for a bad file."""
    found: list[Conversation] = []
    problems: list[Problem] = []
    for path in conversation_files(directory):
        try:
            found.append(load_conversation(path))
        except CaseError as exc:
            problems.extend(exc.problems)
    return ConversationScan(tuple(found), tuple(problems))


def list_conversations(directory: Path | str | None = None) -> list[Conversation]:
    """The valid conversations in a folder (default :func:`conversations_dir`), by file name."""
    return list(scan_conversations(directory).conversations)


def find_conversation(id_or_path: str, directory: Path | str | None = None) -> Conversation:
    """A conversation by its id (in the conversations folder) or by a path to its file."""
    candidate = Path(id_or_path)
    if candidate.suffix in {".yaml", ".yml"} or os.sep in id_or_path:
        return load_conversation(candidate)
    folder = Path(directory) if directory is not None else conversations_dir()
    for path in conversation_files(folder):
        if path.stem == id_or_path:
            return load_conversation(path)
    known = [p.stem for p in conversation_files(folder)]
    raise ConversationError(
        [Problem(id_or_path, "", "conversation.no_such_conversation", {"known": known})]
    )


# ---- playing a path ------------------------------------------------------------------------


class PathError(ValueError):
    """A response that is not on offer at this point of the conversation."""

    def __init__(self, key: str, **values: object) -> None:
        self.key = key  # catalogue conversation.path.<key>
        self.values = values
        super().__init__(f"{key}: {values}")


@dataclass(frozen=True)
class Step:
    """One choice: the turn it answered, the response, and the scores before and after.

    ``applied`` is the change that took effect after clamping to the 1–7 scale (a raise at 7
    applies 0), per determinant the response names.
    """

    turn_id: str
    response: Response
    scores_before: DeterminantScores
    scores_after: DeterminantScores
    applied: Mapping[str, float]


def apply_changes(
    scores: DeterminantScores, changes: Mapping[str, float]
) -> tuple[DeterminantScores, dict[str, float]]:
    """The scores after ``changes`` (scale points), each kept within 1–7, and what applied."""
    new = {
        key: min(SCALE_MAX, max(SCALE_MIN, scores[key] + delta)) for key, delta in changes.items()
    }
    applied = {key: new[key] - scores[key] for key in changes}
    return scores.with_values(new), applied


@dataclass(frozen=True)
class Playthrough:
    """A conversation played from its start along some responses (immutable)."""

    conversation: Conversation
    start_scores: DeterminantScores
    steps: tuple[Step, ...] = ()

    @property
    def turn(self) -> Turn:
        """The client turn the conversation is at now."""
        if not self.steps:
            return self.conversation.turn(self.conversation.start)
        return self.conversation.turn(self.steps[-1].response.next)

    @property
    def scores(self) -> DeterminantScores:
        """The client's scores now."""
        return self.steps[-1].scores_after if self.steps else self.start_scores

    @property
    def finished(self) -> bool:
        return self.turn.is_ending

    @property
    def ending(self) -> str | None:
        return self.turn.ending

    @property
    def response_ids(self) -> list[str]:
        return [step.response.id for step in self.steps]

    @property
    def mi_codes(self) -> list[str]:
        return [step.response.mi for step in self.steps]

    def turns_seen(self) -> list[Turn]:
        """Every client turn so far, the current one last."""
        seen = [self.conversation.turn(self.conversation.start)]
        seen += [self.conversation.turn(step.response.next) for step in self.steps]
        return seen

    def choose(self, response_id: str) -> Playthrough:
        """The playthrough after the professional says ``response_id``."""
        turn = self.turn
        if turn.is_ending:
            raise PathError("ended", turn=turn.id)
        if len(self.steps) >= MAX_STEPS:
            raise PathError("too_long", max=MAX_STEPS)
        try:
            response = turn.response(response_id)
        except KeyError:
            raise PathError(
                "not_offered",
                response=response_id,
                turn=turn.id,
                offered=", ".join(r.id for r in turn.responses),
            ) from None
        after, applied = apply_changes(self.scores, response.changes)
        step = Step(turn.id, response, self.scores, after, applied)
        return replace(self, steps=(*self.steps, step))

    def back(self) -> Playthrough:
        """The playthrough without its last choice (unchanged at the start)."""
        return replace(self, steps=self.steps[:-1])

    def total_change(self) -> dict[str, float]:
        """Per determinant, how far it moved from the start (scale points)."""
        return {key: self.scores[key] - self.start_scores[key] for key in DETERMINANTS}


def play(
    conversation: Conversation, start_scores: DeterminantScores, response_ids: Sequence[str]
) -> Playthrough:
    """Play ``response_ids`` from the start; raise :class:`PathError` at the first that is not
    on offer (or that comes after an ending)."""
    playthrough = Playthrough(conversation, start_scores)
    for response_id in response_ids:
        playthrough = playthrough.choose(response_id)
    return playthrough


# ---- the MI profile ------------------------------------------------------------------------

#: MITI 4.2.1 thresholds for "fair" and "good" competence (Moyers et al., 2016, table 1).
RQ_FAIR, RQ_GOOD = 1.0, 2.0
COMPLEX_FAIR, COMPLEX_GOOD = 0.40, 0.50


@dataclass(frozen=True)
class MIProfile:
    """The MI summary of a professional's responses (MITI 4.2.1 summary measures)."""

    counts: Mapping[str, int] = dataclass_field(default_factory=dict)  # per MI code, all codes

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def questions(self) -> int:
        return sum(self.counts[c] for c in _QUESTIONS)

    @property
    def open_questions(self) -> int:
        return self.counts["open_question"]

    @property
    def reflections(self) -> int:
        """Simple and complex reflections, summaries counted as complex reflections."""
        return sum(self.counts[c] for c in _REFLECTIONS)

    @property
    def complex_reflections(self) -> int:
        return sum(self.counts[c] for c in _COMPLEX_REFLECTIONS)

    @property
    def rq_ratio(self) -> float | None:
        """Reflections per question; None when there was no question."""
        return self.reflections / self.questions if self.questions else None

    @property
    def complex_share(self) -> float | None:
        """Share of the reflections that are complex; None without reflections."""
        return self.complex_reflections / self.reflections if self.reflections else None

    @property
    def open_share(self) -> float | None:
        """Share of the questions that are open; None without questions."""
        return self.open_questions / self.questions if self.questions else None

    @property
    def adherent(self) -> int:
        return sum(n for code, n in self.counts.items() if MI_CLASS[code] == "adherent")

    @property
    def non_adherent(self) -> int:
        """MI-inconsistent responses: confrontation and advice without permission."""
        return sum(n for code, n in self.counts.items() if MI_CLASS[code] == "non_adherent")

    def rq_level(self) -> str:
        """``good``, ``fair`` or ``below`` against MITI's R:Q thresholds (no question: by
        reflections alone)."""
        ratio = self.rq_ratio
        if ratio is None:
            return "good" if self.reflections else "below"
        return "good" if ratio >= RQ_GOOD else "fair" if ratio >= RQ_FAIR else "below"

    def complex_level(self) -> str | None:
        """``good``, ``fair`` or ``below`` against MITI's %CR thresholds; None without
        reflections."""
        share = self.complex_share
        if share is None:
            return None
        return "good" if share >= COMPLEX_GOOD else "fair" if share >= COMPLEX_FAIR else "below"

    def advice(self) -> list[str]:
        """What to try next time, as keys of ``conversation.advice.<key>``, most important first."""
        keys: list[str] = []
        if self.counts["advice_without_permission"]:
            keys.append("ask_permission")
        if self.counts["confrontation"]:
            keys.append("roll_with_resistance")
        if self.rq_level() == "below":  # with no question at all: reflect, nothing to cut back
            keys.append("more_reflections" if self.questions else "start_reflecting")
        if self.complex_level() == "below":
            keys.append("complex_reflections")
        if self.questions and (self.open_share or 0) < 0.5:
            keys.append("open_questions")
        if self.adherent == 0:
            keys.append("affirm_autonomy")
        if self.counts["summary"] == 0 and self.total >= 3:
            keys.append("summarise")
        return keys or ["keep_going"]


def mi_profile(codes: Iterable[str]) -> MIProfile:
    """The MI profile of a sequence of MI codes (e.g. :attr:`Playthrough.mi_codes`)."""
    counts = dict.fromkeys(MI_CODES, 0)
    for code in codes:
        if code not in counts:
            raise ValueError(f"unknown MI code {code!r}; allowed: {', '.join(MI_CODES)}")
        counts[code] += 1
    return MIProfile(counts)
