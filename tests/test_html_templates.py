"""HTML comes from autoescaped Jinja2 templates, never from Python strings put together.

The check reads the source of the packages that write HTML (``apps``, ``widgets``, ``book``,
``live``, ``exercises``)
and fails on any f-string, ``+``/``%`` concatenation or ``str.format`` call whose literal text
holds an HTML tag (``<p``, ``</div>``, ``<!DOCTYPE``; a formatted value counts as a tag
name, so ``f"<{tag}>"`` is caught too). Plain string constants are not looked at: a regular
expression that finds tags, a docstring that names one, or a closing tag a Sphinx
translator appends after its ``starttag`` put nothing together. CSS, SVG path data and Vega
expressions hold no ``<`` followed by a name (``a < b`` is a comparison, not a tag).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("apps", "widgets", "book", "live", "exercises")
#: A tag's start: ``<`` or ``</`` and a name (or ``!DOCTYPE``), then a space, ``>`` or ``/>``.
TAG = re.compile(r"</?(?:[A-Za-z][A-Za-z0-9-]*|!DOCTYPE)(?:[\s>]|/>)")
#: What a formatted value stands for when an f-string is read as text: a plain word.
HOLE = "x"


def _source_files() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "_build" not in path.parts
    )


def _text_of(node: ast.expr) -> str | None:
    """The literal text of a string constant or f-string (values as :data:`HOLE`), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value if isinstance(part, ast.Constant) else HOLE for part in node.values
        )
    return None


def _is_markup_call(node: ast.expr) -> bool:
    """``Markup("...")``: markupsafe escapes whatever its ``format`` puts in."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name | ast.Attribute)
        and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr) == "Markup"
    )


def _module_strings(tree: ast.AST) -> dict[str, str]:
    """Names bound to a string constant at module level (``_PAGE = "<html>..."``)."""
    found: dict[str, str] = {}
    for node in getattr(tree, "body", []):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            text = _text_of(node.value)
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if text is not None and isinstance(target, ast.Name):
                    found[target.id] = text
    return found


def html_built_in_python(tree: ast.AST) -> list[tuple[int, str]]:
    """``(line, text)`` of every place in ``tree`` that puts HTML together from strings."""
    found: list[tuple[int, str]] = []
    constants = _module_strings(tree)

    def text_of(node: ast.expr) -> str | None:
        if isinstance(node, ast.Name):
            return constants.get(node.id)
        return _text_of(node)

    def check(node: ast.expr, text: str | None) -> None:
        if text is not None and TAG.search(text):
            found.append((node.lineno, text[:80]))

    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            check(node, _text_of(node))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
            for side in (node.left, node.right):
                if not isinstance(side, ast.JoinedStr):  # f-strings are checked on their own
                    check(node, text_of(side))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
            and not _is_markup_call(node.func.value)
        ):
            check(node, text_of(node.func.value))
    return found


@pytest.mark.parametrize("path", _source_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_html_is_put_together_in_python(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = html_built_in_python(tree)
    assert not found, "\n".join(
        f"{path.relative_to(ROOT)}:{line}: HTML in a Python string (use a template): {text!r}"
        for line, text in found
    )


@pytest.mark.parametrize(
    "source",
    [
        'f"<p>{text}</p>"',
        "f'<a href=\"{href}\">'",
        'f"<{tag} class=x>"',
        'f"</{tag}>"',
        '"<li>" + text',
        'text + "</li>"',
        '"<p>%s</p>" % text',
        '"<p>{}</p>".format(text)',
        "f'<!DOCTYPE html>{body}'",
        'f"<br/>{x}"',
        'PAGE = "<html>{body}</html>"\nPAGE.format(body=body)',
        'ITEM = "<li>"\nITEM + text',
    ],
)
def test_the_check_finds_html_put_together(source: str) -> None:
    assert html_built_in_python(ast.parse(source)), source


@pytest.mark.parametrize(
    "source",
    [
        '"<p>a literal, as a regular expression or a docstring has it</p>"',
        'f"{low} < {high}"',
        'f"datum.x<{limit}"',
        'f"M0,0 L{x},5 z"',
        'f".igm-md-{lang} {{ display: none; }}"',
        "Markup('<summary aria-label=\"{}\">').format(label)",
        'f"{name}: not percent-encoded UTF-8"',
        '"a" + "b"',
    ],
)
def test_the_check_leaves_other_strings_alone(source: str) -> None:
    assert not html_built_in_python(ast.parse(source)), source
