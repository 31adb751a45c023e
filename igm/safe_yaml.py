"""A strict, bounded YAML reader for files that people write (case files).

PyYAML's ``safe_load`` builds no Python objects, but it still expands aliases (a 500-byte
"billion laughs" file grows to gigabytes), lets a second ``capacity:`` silently replace the
first, turns a 100,000-digit number into a crash, and nests as deep as the stack allows.
:func:`load_yaml` reads plain data only and refuses, before anything is expanded:

- files larger than :data:`MAX_BYTES`;
- anchors, aliases (``&a``, ``*a``) and explicit tags (``!!python/...``, ``!x``);
- a key that occurs twice in one mapping (the error names both lines);
- nesting deeper than :data:`MAX_DEPTH`;
- numbers with more than :data:`MAX_DIGITS` digits, and infinite or NaN floats.

Every refusal is a :class:`YamlRefusal` with a message key (catalogue ``yaml.<key>``), the
values for its placeholders and the 1-based line, so that callers can word it for people in
either language. The work done is bounded by the file size: a refused file costs milliseconds.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_DIGITS",
    "YamlRefusal",
    "load_yaml",
    "load_yaml_with_lines",
]

#: Largest file read, in bytes (the longest shipped case is about 12 KB).
MAX_BYTES = 256 * 1024
#: Deepest nesting of mappings and lists (a case file needs 4).
MAX_DEPTH = 12
#: Most digits in a number (a case file needs 1).
MAX_DIGITS = 15

_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
#: The tags the resolver gives plain (untagged) scalars, lists and mappings.
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
)


@dataclass(frozen=True)
class YamlRefusal(Exception):
    """Why a YAML text was refused: catalogue key ``yaml.<key>``, its values, the line."""

    key: str
    values: dict[str, object] = field(default_factory=dict)
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.key} {self.values}"


class _StrictLoader(Reader, Scanner, Parser, Composer, SafeConstructor, Resolver):
    """PyYAML's SafeLoader with refusals at composition time, before any value is built."""

    def __init__(self, text: str) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            raise YamlRefusal("alias", {"name": event.anchor}, line)
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise YamlRefusal("anchor", {"name": anchor}, line)
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            raise YamlRefusal("tag", {"tag": tag}, line)
        nested = isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent))
        if nested:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise YamlRefusal("too_deep", {"max": MAX_DEPTH}, line)
        try:
            node: Node | None = super().compose_node(parent, index)
        finally:
            if nested:
                self._depth -= 1
        if node is None:  # pragma: no cover - only for an alias, refused above
            raise YamlRefusal("alias", {"name": ""}, line)
        if isinstance(node, ScalarNode):
            _check_number(node)
        elif isinstance(node, MappingNode):
            _check_keys(node)
        elif node.tag not in _PLAIN_TAGS and not isinstance(node, SequenceNode):
            raise YamlRefusal("tag", {"tag": node.tag}, line)
        return node


# Plain scalars that look like numbers are the only way to a huge int or float.
_DIGIT = re.compile(r"[0-9a-fA-F]")


def _check_number(node: ScalarNode) -> None:
    if node.tag != _INT_TAG and node.tag != _FLOAT_TAG:
        return
    line = node.start_mark.line + 1
    mantissa = node.value.split("e")[0].split("E")[0]
    digits = len(_DIGIT.findall(mantissa))
    if digits > MAX_DIGITS:
        raise YamlRefusal("number_too_long", {"digits": digits, "max": MAX_DIGITS}, line)
    if node.tag == _FLOAT_TAG:
        # ``.inf``, ``.nan`` and ``1.0e+999``: no field of a case is infinite
        text = node.value.replace("_", "").lower()
        value = float("inf") if "inf" in text else float("nan") if "nan" in text else float(text)
        if not math.isfinite(value) and ":" not in text:
            raise YamlRefusal("not_finite", {"value": node.value}, line)


def _check_keys(node: MappingNode) -> None:
    seen: dict[object, int] = {}
    for key_node, _value in node.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, ScalarNode):
            raise YamlRefusal("complex_key", {}, line)
        if key_node.tag == "tag:yaml.org,2002:merge":  # "<<:" merges another mapping in
            raise YamlRefusal("merge_key", {}, line)
        key = key_node.value
        if key in seen:
            raise YamlRefusal("duplicate_key", {"name": key, "first": seen[key]}, line)
        seen[key] = line


def load_yaml(text: str) -> Any:
    """Parse ``text`` as plain YAML data (mappings, lists, text, numbers, yes/no, null).

    Raises :class:`YamlRefusal` for anything outside the bounds in this module's docstring,
    and ``yaml.YAMLError`` (with a ``problem_mark``) for text that is not YAML at all.
    """
    return load_yaml_with_lines(text)[0]


def load_yaml_with_lines(text: str) -> tuple[Any, dict[str, int]]:
    """Like :func:`load_yaml`, and the 1-based line of every field path in the data.

    Paths are dotted keys with list indices in brackets, as the case checker names fields:
    ``scores.attitude.score``, ``interventions[0].effects``.
    """
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        raise YamlRefusal("too_large", {"size_kb": size // 1024, "max_kb": MAX_BYTES // 1024})
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        data = None if node is None else loader.construct_document(node)
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    if node is not None:
        _field_lines(node, "", lines)
    return data, lines


def _field_lines(node: Node, path: str, lines: dict[str, int]) -> None:
    """Fill ``lines`` with the line of each field path under ``node`` (iterative: depth is bounded)."""
    stack = [(node, path)]
    while stack:
        current, where = stack.pop()
        if isinstance(current, MappingNode):
            for key_node, value in current.value:
                child = f"{where}.{key_node.value}" if where else str(key_node.value)
                lines[child] = key_node.start_mark.line + 1
                stack.append((value, child))
        elif isinstance(current, SequenceNode):
            for i, item in enumerate(current.value):
                child = f"{where}[{i}]"
                lines[child] = item.start_mark.line + 1
                stack.append((item, child))
