"""Write a case as a readable YAML file: the other half of :mod:`igm.cases`.

The case editor (``widgets/case_editor.py``) builds a case as plain data (a dict as in a case
file); :func:`save_case` checks it with the one validator (:func:`igm.cases.parse_case`) and
writes it as ``<id>.yaml`` in the layout of the shipped files in ``case_studies/``: the fields
in the documented order, long texts as block scalars ``|``, short texts in double quotes, a
blank line between the sections. The file never holds anchors, aliases or tags (the strict
loader refuses them), and any text, however odd, is written so that it reads back literally.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from igm.cases import CASE_FIELDS, TACT, Case, Intervention, parse_case
from igm.determinants import DETERMINANTS
from igm.i18n import LANGUAGES, Text

__all__ = ["case_to_data", "case_yaml", "save_case"]

_INTERVENTION_ORDER: tuple[str, ...] = ("id", "label", "description", "effects", "effort")
#: Sections that get a blank line before them, as in the shipped files.
_SPACED = frozenset(CASE_FIELDS[5:])
#: No line folding: a text stays on one line (as in the shipped files), never split mid-phrase.
_WIDTH = 1_000_000
#: Words that may be written without quotes (then checked to read back as the same text).
_SIMPLE = re.compile(r"^\w[\w-]*(?: [\w-]+)*$")


class _Quoted(str):
    """Text written in double quotes (always safe, whatever characters it holds)."""


class _Literal(str):
    """Multi-line text written as a literal block ``|`` (PyYAML quotes it when it cannot)."""


class _Flow(dict):  # type: ignore[type-arg]
    """A mapping written on one line: ``{nl: "...", en: "..."}``."""


class _CaseDumper(yaml.SafeDumper):
    """PyYAML's safe dumper that never writes anchors or aliases (the loader refuses them)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key ("  - id: ..."), as the shipped files do.
        super().increase_indent(flow, False)


def _represent_quoted(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(data), style='"')


def _represent_literal(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(data), style="|")


def _represent_flow(dumper: yaml.SafeDumper, data: dict[Any, Any]) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)


def _represent_block(dumper: yaml.SafeDumper, data: dict[Any, Any]) -> yaml.MappingNode:
    # Keep the order we built; PyYAML's SafeDumper would sort the keys.
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=False)


_CaseDumper.add_representer(_Quoted, _represent_quoted)
_CaseDumper.add_representer(_Literal, _represent_literal)
_CaseDumper.add_representer(_Flow, _represent_flow)
_CaseDumper.add_representer(dict, _represent_block)


def _string(value: str) -> str:
    """A text value: a block ``|`` when it spans lines, else double quotes.

    A block scalar cannot keep trailing spaces, tabs or a leading space on its first line
    exactly; PyYAML then falls back to double quotes with escapes, which read back literally.
    """
    if "\n" not in value:
        return _Quoted(value)
    # "|" keeps one final newline ("|-" would mark that there is none): the reader strips it.
    return _Literal(value if value.endswith("\n") else value + "\n")


def _styled(value: Any) -> Any:
    """Any value, with every string quoted and every mapping in block style."""
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, Mapping):
        return {key: _styled(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_styled(item) for item in value]
    return value


def _ordered(data: Mapping[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    """The mapping's keys in ``order`` first, then any others as given."""
    out = {key: data[key] for key in order if key in data}
    out.update((key, value) for key, value in data.items() if key not in out)
    return out


def _text(value: Any, *, flow: bool = False) -> Any:
    """A nl/en text: flow style ``{nl: "...", en: "..."}`` when asked and both are one line."""
    if not isinstance(value, Mapping):
        return _styled(value)
    ordered = _ordered(value, LANGUAGES)
    one_line = all(isinstance(v, str) and "\n" not in v for v in ordered.values())
    if flow and one_line:
        return _Flow({key: _styled(v) for key, v in ordered.items()})
    return {key: _styled(v) for key, v in ordered.items()}


def _plain(value: Any) -> Any:
    """An identifier-like value (id, name, group, domain): plain when it is a simple word
    or words that YAML reads back as the same text (not ``yes``, ``null`` or ``12``)."""
    if isinstance(value, str):
        if _SIMPLE.match(value):
            try:
                if yaml.safe_load(value) == value:
                    return value
            except yaml.YAMLError:
                pass
        return _Quoted(value)
    return _styled(value)


def _intervention(item: Any) -> Any:
    if not isinstance(item, Mapping):
        return _styled(item)
    out: dict[str, Any] = {}
    for key, value in _ordered(item, _INTERVENTION_ORDER).items():
        if key == "id":
            out[key] = _plain(value)
        elif key == "label":
            out[key] = _text(value, flow=True)
        elif key == "description":
            out[key] = _text(value)
        elif key == "effects" and isinstance(value, Mapping):
            out[key] = _Flow({k: _styled(v) for k, v in value.items()})  # the author's order
        else:
            out[key] = _styled(value)
    return out


def _styled_case(data: Mapping[str, Any]) -> dict[str, Any]:
    """The case data with the layout of the shipped files."""
    out: dict[str, Any] = {}
    for key, value in _ordered(data, CASE_FIELDS).items():
        if key in {"id", "name", "group", "domain"}:
            out[key] = _plain(value)
        elif key in {"title", "summary", "narrative"}:
            out[key] = _text(value)
        elif key == "target_behaviour" and isinstance(value, Mapping):
            out[key] = {k: _text(v, flow=True) for k, v in _ordered(value, TACT).items()}
        elif key == "scores" and isinstance(value, Mapping):
            out[key] = {
                k: (
                    {
                        field: _text(v) if field == "evidence" else _styled(v)
                        for field, v in _ordered(entry, ("score", "evidence")).items()
                    }
                    if isinstance(entry, Mapping)
                    else _styled(entry)
                )
                for k, entry in _ordered(value, DETERMINANTS).items()
            }
        elif key == "interventions" and isinstance(value, list | tuple):
            out[key] = [_intervention(item) for item in value]
        else:
            out[key] = _styled(value)
    return out


def case_yaml(data: Mapping[str, Any]) -> str:
    """A case (plain data as in a case file) as the text of a readable case file."""
    text: str = yaml.dump(
        _styled_case(data),
        Dumper=_CaseDumper,
        sort_keys=False,
        allow_unicode=True,
        width=_WIDTH,
        indent=2,
        default_flow_style=False,
    )
    lines = text.splitlines()
    # A blank line before each section; top-level keys are the only lines at column 0 that
    # start with a field name (block scalars and continuation lines are indented).
    spaced = [
        f"\n{line}" if i and line.split(":", 1)[0] in _SPACED else line
        for i, line in enumerate(lines)
    ]
    return "\n".join(spaced) + "\n"


def _text_data(text: Text) -> dict[str, str]:
    return {lang: text(lang) for lang in LANGUAGES}


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _intervention_data(item: Intervention) -> dict[str, Any]:
    return {
        "id": item.id,
        "label": _text_data(item.label),
        "description": _text_data(item.description),
        "effects": {key: _number(value) for key, value in item.effects.items()},
        "effort": item.effort,
    }


def case_to_data(case: Case) -> dict[str, Any]:
    """A loaded case as plain data (as in a case file), e.g. to open it in the editor."""
    return {
        "id": case.id,
        "name": case.name,
        "fictional": True,  # a loaded case passed the check that it is fictional
        "group": case.group,
        "domain": case.domain,
        "title": _text_data(case.title),
        "summary": _text_data(case.summary),
        "narrative": _text_data(case.narrative),
        "target_behaviour": {
            part: _text_data(getattr(case.target_behaviour, part)) for part in TACT
        },
        "scores": {
            key: {"score": _number(case.scores[key]), "evidence": _text_data(case.evidence[key])}
            for key in DETERMINANTS
        },
        "interventions": [_intervention_data(item) for item in case.interventions],
    }


def case_file(directory: Path | str, case_id: str) -> Path:
    """The file a case with ``case_id`` is saved to: an existing ``<id>.yml``, else ``<id>.yaml``."""
    folder = Path(directory)
    legacy = folder / f"{case_id}.yml"
    target = folder / f"{case_id}.yaml"
    return legacy if legacy.exists() and not target.exists() else target


def save_case(data: Mapping[str, Any], directory: Path | str, *, overwrite: bool = False) -> Path:
    """Check ``data`` and write it as ``<id>.yaml`` in ``directory``; return the file's path.

    Raises :class:`igm.cases.CaseError` when the case is not valid (nothing is written) and
    :class:`FileExistsError` when the file exists and ``overwrite`` is false. The file is
    written to a hidden temporary file first and then moved into place, so that a reader
    (the apps re-read the folder on every page view) never sees half a file.
    """
    folder = Path(directory)
    case_id = data.get("id") if isinstance(data, Mapping) else None
    target = case_file(folder, case_id) if isinstance(case_id, str) and case_id else None
    # Validate against the file it will be: the id must equal the file name.
    parse_case(data, target if target is not None else folder / "case.yaml")
    assert target is not None  # parse_case refuses a case without a valid id
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} exists; pass overwrite=True to replace it")
    text = case_yaml(data)
    # Hidden name without .yaml: the folder scan never picks up a half-written file.
    temporary = folder / f".{case_id}.{secrets.token_hex(6)}.tmp"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(temporary, target)
        else:
            # A hard link fails if the file appeared since the check: never overwrite silently.
            try:
                os.link(temporary, target)
            except FileExistsError:
                raise FileExistsError(
                    f"{target} exists; pass overwrite=True to replace it"
                ) from None
            except OSError:  # a file system without hard links
                if target.exists():
                    raise FileExistsError(
                        f"{target} exists; pass overwrite=True to replace it"
                    ) from None
                os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target
