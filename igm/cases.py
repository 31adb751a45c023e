"""Fictional cases: load them from YAML files and check them field by field.

The one loader for cases in the kit. A case file's schema is documented in
``case_studies/README.md``. Every problem found names the file, the field and what is
allowed, so that a trainer who writes a case can fix it without reading code.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from igm.determinants import DETERMINANTS, SCALE_MAX, SCALE_MIN, DeterminantScores
from igm.i18n import LANGUAGES, Text
from igm.weights import DOMAINS

__all__ = [
    "GROUPS",
    "Case",
    "CaseError",
    "Intervention",
    "Problem",
    "TargetBehaviour",
    "cases_dir",
    "find_case",
    "list_cases",
    "load_case",
    "parse_case",
    "validate_file",
]

#: The groups the IGM is used for; every case belongs to one.
GROUPS: tuple[str, ...] = (
    "long_term_job_seeker",
    "return_after_sickness",
    "employer",
    "professional",
    "young_person",
    "statushouder",
)
#: Allowed effort of an intervention: 1 (one conversation) to 5 (months of intensive support).
EFFORT_MIN, EFFORT_MAX = 1, 5
#: Largest raise one intervention may give one determinant, in scale points: a bigger jump
#: from one intervention would not be credible.
EFFECT_MAX = 3
#: Most determinants one intervention may name: an intervention that raises everything teaches nothing.
MAX_EFFECTS = 3

_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_TACT = ("action", "target", "context", "time")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a case file."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return (
            f"{self.file}: {self.field}: {self.message}"
            if self.field
            else (f"{self.file}: {self.message}")
        )


class CaseError(ValueError):
    """A case file that cannot be used; ``problems`` lists everything found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class TargetBehaviour:
    """The behaviour by action, target, context and time (Fishbein & Ajzen's TACT)."""

    action: Text
    target: Text
    context: Text
    time: Text

    def sentence(self, lang: str) -> str:
        return " · ".join(getattr(self, part)(lang) for part in _TACT)


@dataclass(frozen=True)
class Intervention:
    """A suggested intervention: which determinants it raises, by about how much, at what effort."""

    id: str
    label: Text
    description: Text
    effects: Mapping[str, float]  # determinant -> points raised on the 1–7 scale
    effort: int  # 1 (one conversation) to 5 (months of intensive support)


@dataclass(frozen=True)
class Case:
    """A fictional case: a person (or employer), their target behaviour and their scores."""

    id: str
    name: str
    group: str
    domain: str
    title: Text
    summary: Text
    narrative: Text
    target_behaviour: TargetBehaviour
    scores: DeterminantScores
    evidence: Mapping[str, Text]
    interventions: tuple[Intervention, ...]
    path: Path

    def intervention(self, intervention_id: str) -> Intervention:
        for item in self.interventions:
            if item.id == intervention_id:
                return item
        raise KeyError(f"case {self.id!r} has no intervention {intervention_id!r}")


class _Checker:
    """Walks one parsed case file and collects every problem instead of stopping at the first."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(Problem(self.file, where, message))

    def mapping(self, data: Any, where: str) -> Mapping[str, Any] | None:
        if not isinstance(data, Mapping):
            self.fail(where, f"expected a mapping of fields, got {_kind(data)}")
            return None
        return data

    def required(self, data: Mapping[str, Any], key: str, where: str) -> Any:
        if key not in data or data[key] is None:
            self.fail(_join(where, key), "is missing")
            return None
        return data[key]

    def string(self, data: Mapping[str, Any], key: str, where: str) -> str:
        value = self.required(data, key, where)
        if value is None:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.fail(_join(where, key), f"expected non-empty text, got {_kind(value)}")
            return ""
        return value.strip()

    def identifier(self, data: Mapping[str, Any], key: str, where: str) -> str:
        value = self.string(data, key, where)
        if value and not _ID_PATTERN.match(value):
            self.fail(
                _join(where, key),
                f"{value!r} is not allowed; use lowercase letters, digits and hyphens",
            )
        return value

    def choice(
        self, data: Mapping[str, Any], key: str, where: str, allowed: tuple[str, ...]
    ) -> str:
        value = self.string(data, key, where)
        if value and value not in allowed:
            self.fail(_join(where, key), f"{value!r} is not allowed; allowed: {', '.join(allowed)}")
            return ""
        return value

    def text(self, data: Mapping[str, Any], key: str, where: str) -> Text:
        path = _join(where, key)
        value = self.required(data, key, where)
        if value is None:
            return Text("", "")
        if not isinstance(value, Mapping):
            self.fail(
                path,
                f"expected text in both languages ({', '.join(LANGUAGES)}), got {_kind(value)}",
            )
            return Text("", "")
        for lang in LANGUAGES:
            if lang not in value or value[lang] is None:
                self.fail(f"{path}.{lang}", "is missing; every text needs nl and en")
            elif not isinstance(value[lang], str) or not value[lang].strip():
                self.fail(f"{path}.{lang}", f"expected non-empty text, got {_kind(value[lang])}")
        for extra in sorted(set(value) - set(LANGUAGES), key=str):
            self.fail(f"{path}.{extra}", f"unknown language; allowed: {', '.join(LANGUAGES)}")
        return Text(*(str(value.get(lang) or "").strip() for lang in LANGUAGES))

    def number(
        self, value: Any, path: str, low: float, high: float, *, integer: bool = False
    ) -> float | None:
        kind = "a whole number" if integer else "a number"
        allowed = f"allowed: {kind} from {_fmt(low)} to {_fmt(high)}"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(path, f"expected {kind}, got {_kind(value)}; {allowed}")
            return None
        if integer and value != int(value):
            self.fail(path, f"{value!r} is not a whole number; {allowed}")
            return None
        if not low <= value <= high or value != value:
            self.fail(path, f"{value!r} is out of range; {allowed}")
            return None
        return float(value)


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _fmt(x: float) -> str:
    return f"{x:g}"


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"a yes/no value ({value})"
    if isinstance(value, str):
        return f"text {value!r}" if len(value) < 40 else "text"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return type(value).__name__


def parse_case(data: Any, path: Path | str) -> Case:
    """Check parsed YAML field by field and build a :class:`Case`; raise :class:`CaseError`."""
    path = Path(path)
    check = _Checker(str(path))
    root = check.mapping(data, "")
    if root is None:
        raise CaseError(check.problems)

    known = {
        "id",
        "name",
        "fictional",
        "group",
        "domain",
        "title",
        "summary",
        "narrative",
        "target_behaviour",
        "scores",
        "interventions",
    }
    for extra in sorted(set(root) - known, key=str):
        check.fail(str(extra), f"unknown field; allowed: {', '.join(sorted(known))}")

    case_id = check.identifier(root, "id", "")
    if case_id and path.suffix in {".yaml", ".yml"} and path.stem != case_id:
        check.fail("id", f"{case_id!r} must equal the file name without extension ({path.stem!r})")
    name = check.string(root, "name", "")
    if root.get("fictional") is not True:
        check.fail("fictional", "must be true: cases in this kit are fictional, never real people")
    group = check.choice(root, "group", "", GROUPS)
    domain = check.choice(root, "domain", "", DOMAINS)
    title = check.text(root, "title", "")
    summary = check.text(root, "summary", "")
    narrative = check.text(root, "narrative", "")

    raw_target = check.required(root, "target_behaviour", "")
    target = None if raw_target is None else check.mapping(raw_target, "target_behaviour")
    tact = {
        part: check.text(target, part, "target_behaviour") if target is not None else Text("", "")
        for part in _TACT
    }

    scores: dict[str, float] = {}
    evidence: dict[str, Text] = {}
    raw_scores = root.get("scores")
    if raw_scores is None:
        check.fail("scores", f"is missing; give all seven determinants: {', '.join(DETERMINANTS)}")
    elif (score_map := check.mapping(raw_scores, "scores")) is not None:
        for key in sorted(set(score_map) - set(DETERMINANTS), key=str):
            check.fail(f"scores.{key}", f"unknown determinant; allowed: {', '.join(DETERMINANTS)}")
        for key in DETERMINANTS:
            where = f"scores.{key}"
            if key not in score_map:
                check.fail(where, "is missing; every case scores all seven determinants")
                continue
            entry = check.mapping(score_map[key], where)
            if entry is None:
                continue
            value = check.required(entry, "score", where)
            if value is not None:
                number = check.number(value, f"{where}.score", SCALE_MIN, SCALE_MAX, integer=True)
                if number is not None:
                    scores[key] = number
            evidence[key] = check.text(entry, "evidence", where)
            for extra in sorted(set(entry) - {"score", "evidence"}, key=str):
                check.fail(f"{where}.{extra}", "unknown field; allowed: score, evidence")

    interventions: list[Intervention] = []
    raw_interventions = root.get("interventions", [])
    if not isinstance(raw_interventions, list):
        check.fail("interventions", f"expected a list, got {_kind(raw_interventions)}")
        raw_interventions = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_interventions):
        where = f"interventions[{i}]"
        item = check.mapping(raw, where)
        if item is None:
            continue
        iid = check.identifier(item, "id", where)
        if iid in seen:
            check.fail(f"{where}.id", f"{iid!r} is used twice; ids must be unique within a case")
        seen.add(iid)
        label = check.text(item, "label", where)
        description = check.text(item, "description", where)
        effects: dict[str, float] = {}
        raw_effects = check.required(item, "effects", where)
        if raw_effects is not None and (
            effect_map := check.mapping(raw_effects, f"{where}.effects")
        ):
            if not 1 <= len(effect_map) <= MAX_EFFECTS:
                check.fail(
                    f"{where}.effects",
                    f"names {len(effect_map)} determinants; allowed: 1 to {MAX_EFFECTS}",
                )
            for key, delta in effect_map.items():
                if key not in DETERMINANTS:
                    check.fail(
                        f"{where}.effects.{key}",
                        f"unknown determinant; allowed: {', '.join(DETERMINANTS)}",
                    )
                    continue
                number = check.number(delta, f"{where}.effects.{key}", 1, EFFECT_MAX, integer=True)
                if number is not None:
                    effects[key] = number
        effort_raw = check.required(item, "effort", where)
        effort = (
            None
            if effort_raw is None
            else check.number(effort_raw, f"{where}.effort", EFFORT_MIN, EFFORT_MAX, integer=True)
        )
        interventions.append(Intervention(iid, label, description, effects, int(effort or 0)))

    if check.problems:
        raise CaseError(check.problems)
    return Case(
        id=case_id,
        name=name,
        group=group,
        domain=domain,
        title=title,
        summary=summary,
        narrative=narrative,
        target_behaviour=TargetBehaviour(**tact),
        scores=DeterminantScores.from_mapping(scores),
        evidence=evidence,
        interventions=tuple(interventions),
        path=path,
    )


def _read_yaml(path: Path) -> Any:
    """Read a case file's YAML, turning every way it can be unreadable into a :class:`CaseError`."""

    def fail(message: str) -> CaseError:
        return CaseError([Problem(str(path), "", message)])

    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise fail("file not found") from None
    except IsADirectoryError:
        raise fail("is a folder, not a case file") from None
    except OSError as exc:
        raise fail(f"cannot be read ({exc.strerror})") from None
    if b"\x00" in raw:
        raise fail("is a binary file, not YAML text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise fail("is not UTF-8 text; save it as UTF-8") from None
    if not text.strip():
        raise fail("is empty; a case file needs the fields described in case_studies/README.md")
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise fail(f"invalid YAML at {where}{exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise fail(f"invalid YAML: {exc}") from None


def load_case(path: Path | str) -> Case:
    """Load and check one case file; raise :class:`CaseError` naming every problem."""
    path = Path(path)
    return parse_case(_read_yaml(path), path)


def validate_file(path: Path | str) -> list[Problem]:
    """Every problem in one case file (an empty list when it is valid)."""
    try:
        load_case(path)
    except CaseError as exc:
        return exc.problems
    return []


def cases_dir() -> Path:
    """The folder of case files: ``$IGM_CASES_DIR``, else the repository's ``case_studies/``."""
    if env := os.environ.get("IGM_CASES_DIR"):
        return Path(env)
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "case_studies", here / "_bundled" / "case_studies"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("no case_studies folder found; set IGM_CASES_DIR")


def _case_files(directory: Path) -> Iterator[Path]:
    yield from sorted(p for p in directory.iterdir() if p.suffix in {".yaml", ".yml"})


def list_cases(directory: Path | str | None = None) -> list[Case]:
    """All cases in a folder (default :func:`cases_dir`), sorted by file name."""
    folder = Path(directory) if directory is not None else cases_dir()
    return [load_case(p) for p in _case_files(folder)]


def find_case(id_or_path: str, directory: Path | str | None = None) -> Case:
    """A case by its id (in the cases folder) or by a path to a case file."""
    candidate = Path(id_or_path)
    if candidate.suffix in {".yaml", ".yml"} or os.sep in id_or_path or candidate.is_file():
        return load_case(candidate)
    folder = Path(directory) if directory is not None else cases_dir()
    for suffix in (".yaml", ".yml"):
        if (folder / f"{id_or_path}{suffix}").is_file():
            return load_case(folder / f"{id_or_path}{suffix}")
    known = ", ".join(p.stem for p in _case_files(folder))
    raise CaseError([Problem(id_or_path, "", f"no such case; known cases: {known}")])
