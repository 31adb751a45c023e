"""JSON from a stranger: a request body is parsed only when its nesting stays shallow.

Python's ``json`` recurses once per level; a body of a few thousand ``[`` raises
``RecursionError`` (an HTTP 500 and a traceback in the log) instead of a clear refusal. The
servers' JSON bodies (live answers, the grading service's attempts) are a few levels deep, so
anything deeper than :data:`MAX_DEPTH` is refused as malformed before ``json`` sees it.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["MAX_DEPTH", "TooDeep", "loads_limited", "nesting_depth"]

#: The deepest nesting of arrays and objects a request body may have.
MAX_DEPTH = 32


class TooDeep(ValueError):
    """The JSON nests deeper than allowed."""


def nesting_depth(text: str) -> int:
    """The deepest nesting of ``[`` and ``{`` outside strings (0 for a scalar)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def loads_limited(data: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads`` for a request body: ``ValueError`` for malformed JSON, :class:`TooDeep`
    (a ``ValueError`` too) when it nests deeper than ``max_depth``."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    if nesting_depth(text) > max_depth:
        raise TooDeep(f"JSON nested deeper than {max_depth} levels")
    try:
        return json.loads(text)
    except RecursionError:  # not reachable within max_depth; kept as a last guard
        raise TooDeep("JSON nested too deep") from None
