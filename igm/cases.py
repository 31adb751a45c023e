"""Fictional cases: load them from YAML files and check them field by field.

The one loader for cases in the kit. A case file's schema is documented in
``case_studies/README.md``. A case file is data, never code: it is read by the strict,
bounded reader in :mod:`igm.safe_yaml` (no anchors, aliases, tags or duplicate keys; size,
depth and numbers bounded). Every problem found names the file, the line, the field and what
is allowed, in Dutch or English (:meth:`Problem.text`), so that a trainer who writes a case
can fix it without reading code. :func:`scan_cases` is what the kit uses to list cases: it
skips an invalid file and says why, so one bad file never takes the rest down;
``igm validate`` (:func:`validate_file`) is the strict check.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Any

import yaml

from igm.determinants import DETERMINANTS, SCALE_MAX, SCALE_MIN, DeterminantScores
from igm.i18n import DEFAULT_LANGUAGE, LANGUAGES, Text, fmt_number, t
from igm.resources import shipped_cases_dir
from igm.safe_yaml import MAX_BYTES, MAX_DEPTH, YamlRefusal, load_yaml_with_lines
from igm.weights import DOMAINS

__all__ = [
    "CASE_FIELDS",
    "GROUPS",
    "TACT",
    "Case",
    "CaseError",
    "CaseScan",
    "Intervention",
    "Problem",
    "TargetBehaviour",
    "case_files",
    "cases_dir",
    "find_case",
    "list_cases",
    "load_case",
    "parse_case",
    "scan_cases",
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
#: Most interventions in one case, and most characters in one text of a case.
MAX_INTERVENTIONS = 12
MAX_TEXT_CHARS = 20_000

_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
#: Control characters (C0 but tab, newline and carriage return; DEL; C1). YAML's escapes
#: (``"\e"``, ``"\x07"``) can put them in a text, and a terminal would run them as commands
#: (``igm cases``, ``igm conversations``, ``igm converse`` print titles and turns).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: The four parts of a target behaviour (Fishbein & Ajzen's TACT), in file order.
TACT: tuple[str, ...] = ("action", "target", "context", "time")
#: The top-level fields of a case file, in file order (``case_studies/README.md``).
CASE_FIELDS: tuple[str, ...] = (
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
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a case file, worded for people in either language.

    ``field`` is the dotted path of the field (``scores.attitude.score``; empty for the file as
    a whole), ``key`` names the message (catalogue ``case.problem.<key>``), ``values`` fill its
    placeholders, and ``line`` is the 1-based line in the file where it is known.
    """

    file: str
    field: str
    key: str
    values: Mapping[str, object] = dataclass_field(default_factory=dict)
    line: int | None = None

    def message(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """What is wrong and what is allowed, in ``lang``."""
        values = {name: _render(value, lang) for name, value in self.values.items()}
        return t(f"case.problem.{self.key}", lang, **values)

    def text(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """``file:line: field: message``, one line for a terminal or a log."""
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f"{self.field}: " if self.field else ""
        return f"{where}: {field}{self.message(lang)}"

    def __str__(self) -> str:
        return self.text(DEFAULT_LANGUAGE)


class CaseError(ValueError):
    """A case file that cannot be used; ``problems`` lists everything found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(self.text(DEFAULT_LANGUAGE))

    def text(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """Every problem, one per line, in ``lang``."""
        return "\n".join(p.text(lang) for p in self.problems)


def _render(value: object, lang: str) -> str:
    """A placeholder value in ``lang``: texts chosen, lists joined, numbers with its decimal mark."""
    if isinstance(value, Text):
        return value(lang)
    if isinstance(value, (list, tuple)):
        return ", ".join(_render(v, lang) for v in value)
    if isinstance(value, float):
        return fmt_number(value, lang, None)
    return str(value)


@dataclass(frozen=True)
class TargetBehaviour:
    """The behaviour by action, target, context and time (Fishbein & Ajzen's TACT)."""

    action: Text
    target: Text
    context: Text
    time: Text

    def sentence(self, lang: str) -> str:
        return " · ".join(getattr(self, part)(lang) for part in TACT)


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

    def __init__(self, file: str, lines: Mapping[str, int] | None = None) -> None:
        self.file = file
        self.lines = lines or {}
        self.problems: list[Problem] = []

    def fail(self, where: str, key: str, **values: object) -> None:
        self.problems.append(Problem(self.file, where, key, values, self._line(where)))

    def _line(self, where: str) -> int | None:
        """The line of ``where``, else of the nearest field around it that is in the file."""
        path = where
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[: max(path.rfind("."), path.rfind("["), 0)]
        return None

    def mapping(self, data: Any, where: str) -> Mapping[str, Any] | None:
        if not isinstance(data, Mapping):
            self.fail(where, "not_mapping", got=_kind(data))
            return None
        return data

    def required(self, data: Mapping[str, Any], key: str, where: str) -> Any:
        if key not in data or data[key] is None:
            self.fail(_join(where, key), "missing")
            return None
        return data[key]

    def string(self, data: Mapping[str, Any], key: str, where: str) -> str:
        value = self.required(data, key, where)
        if value is None:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.fail(_join(where, key), "not_text", got=_kind(value))
            return ""
        if control := _CONTROL.search(value):
            self.fail(_join(where, key), "control_character", code=f"U+{ord(control[0]):04X}")
            return ""  # not echoed in later messages either
        return value.strip()

    def identifier(self, data: Mapping[str, Any], key: str, where: str) -> str:
        value = self.string(data, key, where)
        if value and not _ID_PATTERN.match(value):
            self.fail(_join(where, key), "bad_id", value=value)
        return value

    def choice(
        self, data: Mapping[str, Any], key: str, where: str, allowed: tuple[str, ...]
    ) -> str:
        value = self.string(data, key, where)
        if value and value not in allowed:
            self.fail(_join(where, key), "not_allowed", value=value, allowed=allowed)
            return ""
        return value

    def text(self, data: Mapping[str, Any], key: str, where: str) -> Text:
        path = _join(where, key)
        value = self.required(data, key, where)
        if value is None:
            return Text()
        if not isinstance(value, Mapping):
            self.fail(path, "not_bilingual", got=_kind(value), languages=LANGUAGES)
            return Text()
        for lang in LANGUAGES:
            if lang not in value or value[lang] is None:
                self.fail(f"{path}.{lang}", "missing_language", languages=LANGUAGES)
            elif not isinstance(value[lang], str) or not value[lang].strip():
                self.fail(f"{path}.{lang}", "not_text", got=_kind(value[lang]))
            elif len(value[lang]) > MAX_TEXT_CHARS:
                self.fail(
                    f"{path}.{lang}", "text_too_long", chars=len(value[lang]), max=MAX_TEXT_CHARS
                )
            elif control := _CONTROL.search(value[lang]):
                code = f"U+{ord(control[0]):04X}"
                self.fail(f"{path}.{lang}", "control_character", code=code)
        for extra in sorted(set(value) - set(LANGUAGES), key=str):
            self.fail(f"{path}.{extra}", "unknown_language", languages=LANGUAGES)
        return Text({lang: str(value.get(lang) or "").strip() for lang in LANGUAGES})

    def number(
        self, value: Any, path: str, low: float, high: float, *, integer: bool = False
    ) -> float | None:
        kind = _WHOLE_NUMBER if integer else _NUMBER
        bounds = {"kind": kind, "low": float(low), "high": float(high)}
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(path, "not_number", got=_kind(value), **bounds)
            return None
        if integer and value != int(value):
            self.fail(path, "not_whole", value=float(value), **bounds)
            return None
        if not low <= value <= high or value != value:
            self.fail(path, "out_of_range", value=float(value), **bounds)
            return None
        return float(value)


def _words(key: str, **values: object) -> Text:
    """A catalogue text (``case.value.<key>``) in every language, numbers in each one's form."""
    return Text(
        {
            lang: t(
                f"case.value.{key}",
                lang,
                **{
                    name: fmt_number(value, lang, None) if isinstance(value, float) else value
                    for name, value in values.items()
                },
            )
            for lang in LANGUAGES
        }
    )


_WHOLE_NUMBER = _words("whole_number")
_NUMBER = _words("number_kind")


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _kind(value: Any) -> Text:
    """What a value is, in words a case author knows."""
    if value is None:
        return _words("nothing")
    if isinstance(value, bool):
        return _words("yes" if value else "no")
    if isinstance(value, str):
        return _words("short_text", text=value) if len(value) < 40 else _words("text")
    if isinstance(value, (int, float)):
        return _words("number", number=float(value))
    if isinstance(value, list):
        return _words("list")
    if isinstance(value, Mapping):
        return _words("mapping")
    return _words("other", type=type(value).__name__)


def parse_case(data: Any, path: Path | str, lines: Mapping[str, int] | None = None) -> Case:
    """Check parsed YAML field by field and build a :class:`Case`; raise :class:`CaseError`.

    ``lines`` (field path -> line, from :func:`igm.safe_yaml.load_yaml_with_lines`) lets each
    problem name its line.
    """
    path = Path(path)
    check = _Checker(str(path), lines)
    root = check.mapping(data, "")
    if root is None:
        raise CaseError(check.problems)

    for extra in sorted(set(root) - set(CASE_FIELDS), key=str):
        check.fail(str(extra), "unknown_field", allowed=CASE_FIELDS)

    case_id = check.identifier(root, "id", "")
    if case_id and path.suffix in {".yaml", ".yml"} and path.stem != case_id:
        check.fail("id", "id_not_file_name", value=case_id, stem=path.stem)
    name = check.string(root, "name", "")
    if root.get("fictional") is not True:
        check.fail("fictional", "not_fictional")
    group = check.choice(root, "group", "", GROUPS)
    domain = check.choice(root, "domain", "", DOMAINS)
    title = check.text(root, "title", "")
    summary = check.text(root, "summary", "")
    narrative = check.text(root, "narrative", "")

    raw_target = check.required(root, "target_behaviour", "")
    target = None if raw_target is None else check.mapping(raw_target, "target_behaviour")
    if target is not None:
        for extra in sorted(set(target) - set(TACT), key=str):
            check.fail(f"target_behaviour.{extra}", "unknown_field", allowed=TACT)
    tact = {
        part: check.text(target, part, "target_behaviour") if target is not None else Text()
        for part in TACT
    }

    scores: dict[str, float] = {}
    evidence: dict[str, Text] = {}
    raw_scores = root.get("scores")
    if raw_scores is None:
        check.fail("scores", "scores_missing", allowed=DETERMINANTS)
    elif (score_map := check.mapping(raw_scores, "scores")) is not None:
        for key in sorted(set(score_map) - set(DETERMINANTS), key=str):
            check.fail(f"scores.{key}", "unknown_determinant", allowed=DETERMINANTS)
        for key in DETERMINANTS:
            where = f"scores.{key}"
            if key not in score_map:
                check.fail(where, "score_missing")
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
                check.fail(f"{where}.{extra}", "unknown_field", allowed=("score", "evidence"))

    interventions: list[Intervention] = []
    raw_interventions = root.get("interventions", [])
    if not isinstance(raw_interventions, list):
        check.fail("interventions", "not_list", got=_kind(raw_interventions))
        raw_interventions = []
    if len(raw_interventions) > MAX_INTERVENTIONS:
        check.fail("interventions", "too_many", count=len(raw_interventions), max=MAX_INTERVENTIONS)
        raw_interventions = raw_interventions[:MAX_INTERVENTIONS]
    seen: set[str] = set()
    intervention_fields = ("id", "label", "description", "effects", "effort")
    for i, raw in enumerate(raw_interventions):
        where = f"interventions[{i}]"
        item = check.mapping(raw, where)
        if item is None:
            continue
        for extra in sorted(set(item) - set(intervention_fields), key=str):
            check.fail(f"{where}.{extra}", "unknown_field", allowed=intervention_fields)
        iid = check.identifier(item, "id", where)
        if iid and iid in seen:
            check.fail(f"{where}.id", "duplicate_id", value=iid)
        seen.add(iid)
        label = check.text(item, "label", where)
        description = check.text(item, "description", where)
        effects: dict[str, float] = {}
        raw_effects = check.required(item, "effects", where)
        if raw_effects is not None and (
            (effect_map := check.mapping(raw_effects, f"{where}.effects")) is not None
        ):
            if not 1 <= len(effect_map) <= MAX_EFFECTS:
                check.fail(
                    f"{where}.effects", "effects_count", count=len(effect_map), max=MAX_EFFECTS
                )
            for key, delta in effect_map.items():
                if key not in DETERMINANTS:
                    check.fail(
                        f"{where}.effects.{key}", "unknown_determinant", allowed=DETERMINANTS
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


#: How a YAML parser's complaint reads for a case author: (part of the parser's words, hint key).
_YAML_HINTS: tuple[tuple[str, str], ...] = (
    ("'\\t'", "tab"),
    ("mapping values are not allowed", "colon"),
    ("could not find expected ':'", "colon"),
    ("quoted scalar", "quote"),
    ("flow sequence", "brackets"),
    ("flow mapping", "brackets"),
    ("expected <block end>", "indent"),
    ("did not find expected key", "indent"),
    ("did not find expected '-'", "indent"),
    ("expected <document start>", "indent"),
)


def _syntax_problem(path: Path, exc: yaml.YAMLError) -> Problem:
    """A YAML syntax error as a problem with a line and a hint in plain words."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    start = getattr(exc, "context_mark", None)
    words = f"{getattr(exc, 'problem', '')} {getattr(exc, 'context', '')}"
    hint = next((key for part, key in _YAML_HINTS if part in words), "other")
    line = mark.line + 1 if mark else None
    if hint == "quote" and start is not None:  # the quote that never closed: where it opened
        line, start = start.line + 1, None
    started = start.line + 1 if start and start.line + 1 != line else None
    since = _words("part_started", line=started) if started else ""
    return Problem(str(path), "", f"yaml.{hint}", {"started": since}, line)


def _read_yaml(path: Path) -> tuple[Any, dict[str, int]]:
    """Read a case file with the strict loader; every way it can fail is a :class:`CaseError`."""

    def fail(message_key: str, line: int | None = None, **values: object) -> CaseError:
        return CaseError([Problem(str(path), "", message_key, values, line)])

    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise fail("yaml.too_large", size_kb=size // 1024, max_kb=MAX_BYTES // 1024)
        raw = path.read_bytes()
    except FileNotFoundError:
        raise fail("not_found") from None
    except IsADirectoryError:
        raise fail("is_folder") from None
    except OSError as exc:
        raise fail("unreadable", reason=exc.strerror or str(exc)) from None
    if b"\x00" in raw:
        raise fail("binary")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise fail("not_utf8") from None
    if not text.strip():
        raise fail("empty")
    try:
        return load_yaml_with_lines(text)
    except YamlRefusal as refusal:
        raise fail(f"yaml.{refusal.key}", line=refusal.line, **refusal.values) from None
    except yaml.YAMLError as exc:
        raise CaseError([_syntax_problem(path, exc)]) from None
    except RecursionError:  # bounded depth makes this unreachable; kept as a last guard
        raise fail("yaml.too_deep", max=MAX_DEPTH) from None


def load_case(path: Path | str) -> Case:
    """Load and check one case file; raise :class:`CaseError` naming every problem."""
    path = Path(path)
    data, lines = _read_yaml(path)
    return parse_case(data, path, lines)


def validate_file(path: Path | str) -> list[Problem]:
    """Every problem in one case file (an empty list when it is valid)."""
    try:
        load_case(path)
    except CaseError as exc:
        return exc.problems
    return []


def cases_dir() -> Path:
    """The folder of case files: ``$IGM_CASES_DIR``, else the cases the kit ships
    (:func:`igm.resources.shipped_cases_dir`: the checkout's ``case_studies/``, or the installed
    read-only copy; ``igm`` outside a checkout points ``IGM_CASES_DIR`` at ``./case_studies/``)."""
    if env := os.environ.get("IGM_CASES_DIR"):
        return Path(env)
    folder = shipped_cases_dir()
    if not folder.is_dir():
        raise FileNotFoundError(f"no case_studies folder found at {folder}; set IGM_CASES_DIR")
    return folder


def case_files(directory: Path | str | None = None) -> list[Path]:
    """The case files in a folder (default :func:`cases_dir`), sorted by name."""
    folder = Path(directory) if directory is not None else cases_dir()
    return sorted(p for p in folder.iterdir() if p.suffix in {".yaml", ".yml"} and p.is_file())


@dataclass(frozen=True)
class CaseScan:
    """What a folder of case files holds: the valid cases and why the others were skipped."""

    cases: tuple[Case, ...]
    problems: tuple[Problem, ...]

    def skipped_files(self) -> list[str]:
        """The files that were skipped, in folder order."""
        return list(dict.fromkeys(p.file for p in self.problems))

    def warnings(self, lang: str = DEFAULT_LANGUAGE) -> list[str]:
        """One line per skipped file: its first problem, and how many more there are."""
        lines = []
        for file in self.skipped_files():
            found = [p for p in self.problems if p.file == file]
            more = t("case.skipped.more", lang, count=len(found) - 1) if len(found) > 1 else ""
            lines.append(t("case.skipped", lang, problem=found[0].text(lang), more=more))
        return lines


#: Parsed cases by path, kept while the file's modification time and size stay the same.
_CACHE: dict[Path, tuple[tuple[int, int], Case | CaseError]] = {}
_CACHE_LOCK = threading.Lock()


def _load_cached(path: Path) -> Case | CaseError:
    """The case in ``path`` or its error, parsed again only when the file changed."""
    try:
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        stamp = (-1, -1)
    with _CACHE_LOCK:
        hit = _CACHE.get(path)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    try:
        result: Case | CaseError = load_case(path)
    except CaseError as exc:
        result = exc
    with _CACHE_LOCK:
        _CACHE[path] = (stamp, result)
    return result


def scan_cases(directory: Path | str | None = None) -> CaseScan:
    """The valid cases in a folder (default :func:`cases_dir`) and the problems of the rest.

    Never raises for a bad file: a kit that lists cases goes on with the valid ones and shows
    :meth:`CaseScan.warnings`. The folder is read again at every call (files that did not
    change are not parsed again), so a case that is added, fixed or broken shows at once.
    """
    cases: list[Case] = []
    problems: list[Problem] = []
    for path in case_files(directory):
        result = _load_cached(path.resolve())
        if isinstance(result, CaseError):
            problems.extend(replace(p, file=str(path)) for p in result.problems)
        else:
            cases.append(replace(result, path=path))
    return CaseScan(tuple(cases), tuple(problems))


def list_cases(directory: Path | str | None = None) -> list[Case]:
    """The valid cases in a folder (default :func:`cases_dir`), sorted by file name.

    Invalid files are skipped; :func:`scan_cases` tells which and why.
    """
    return list(scan_cases(directory).cases)


def find_case(id_or_path: str, directory: Path | str | None = None) -> Case:
    """A case by its id (in the cases folder) or by a path to a case file."""
    candidate = Path(id_or_path)
    if candidate.suffix in {".yaml", ".yml"} or os.sep in id_or_path or candidate.is_file():
        return load_case(candidate)
    folder = Path(directory) if directory is not None else cases_dir()
    if _ID_PATTERN.match(id_or_path):
        for suffix in (".yaml", ".yml"):
            if (folder / f"{id_or_path}{suffix}").is_file():
                return load_case(folder / f"{id_or_path}{suffix}")
    known = [p.stem for p in case_files(folder)]
    raise CaseError([Problem(id_or_path, "", "no_such_case", {"known": known})])
