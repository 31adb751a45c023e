"""The live pages' HTML is written in templates only, rendered by one escaping environment.

Static checks of the package's source: no Python string in ``live/`` holds an HTML tag (so no
page is put together from f-strings), one Jinja2 environment escapes every template, no
template opts out of escaping, and markup is marked safe in one documented place only.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import jinja2
import pytest

import live
from live.pages import ENV

LIVE = Path(live.__file__).resolve().parent
TEMPLATES = LIVE / "templates"
#: The start of an HTML tag: "<" then a tag name (or "/" and one, or "!doctype"), then a space,
#: ">" or "/". Comparisons ("a < b", "x<3") and a lone "<" (as in ``.replace("<", ...)``) do
#: not match.
TAG = re.compile(r"<(?:/?[A-Za-z][A-Za-z0-9-]*|!doctype)(?=[\s/>])", re.IGNORECASE)


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the docstring nodes: prose may show a tag (``<svg>``), it builds none."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and (
            docstring := ast.get_docstring(node, clean=False)
        ):
            first = node.body[0]
            assert isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            assert first.value.value == docstring
            found.add(id(first.value))
    return found


def strings_with_tags(source: str) -> list[tuple[int, str]]:
    """(line, text) of every string constant of ``source``, f-string parts included, that
    holds an HTML tag; docstrings are left out."""
    tree = ast.parse(source)
    docs = _docstrings(tree)
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docs
        and TAG.search(node.value)
    ]


def test_the_check_finds_html_in_strings_and_f_strings() -> None:
    found = strings_with_tags(
        'x = f"<p class={c}>{text}</p>"\n'
        "y = '<svg viewBox=\"0 0 1 1\">'\n"
        "z = '</li>'\n"
        "d = '<!doctype html>'\n"
    )
    assert sorted(line for line, _ in found) == [1, 1, 2, 3, 4]
    assert not strings_with_tags(
        'def f() -> None:\n    """Returns an <svg> element."""\n'
        "a = 'a < b'\nb = text.replace('<', '\\\\u003c')\nc = 'x<3'\nd = '<'\n"
    )


@pytest.mark.parametrize("path", sorted(LIVE.rglob("*.py")), ids=lambda p: p.name)
def test_no_module_of_live_builds_html_in_python(path: Path) -> None:
    found = strings_with_tags(path.read_text(encoding="utf-8"))
    assert not found, f"{path.name}: HTML in Python strings (write it in a template): {found}"


def test_one_environment_escapes_every_template_and_refuses_unknown_names() -> None:
    sources = {p.name: p.read_text(encoding="utf-8") for p in LIVE.rglob("*.py")}
    assert sum(s.count("Environment(") for s in sources.values()) == 1
    assert callable(ENV.autoescape)  # select_autoescape: on for .html, and by default
    for name in ("page.html", "fragment.svg", "no-extension", None):
        assert ENV.autoescape(name) is True, name
    assert ENV.undefined is jinja2.StrictUndefined
    assert isinstance(ENV.loader, jinja2.PackageLoader)  # from the installed package
    assert ENV.from_string("{{ x }}").render(x="<b>&") == "&lt;b&gt;&amp;"
    with pytest.raises(jinja2.UndefinedError):
        ENV.from_string("{{ missing }}").render()
    for template in ENV.list_templates():  # every template compiles
        ENV.get_template(template)


def test_no_template_opts_out_of_escaping() -> None:
    for path in sorted(TEMPLATES.glob("*.html")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\|\s*safe\b", text), path.name
        assert not re.search(r"autoescape\s+false", text, re.IGNORECASE), path.name
        assert "Markup" not in text, path.name


def test_markup_is_made_in_one_documented_place() -> None:
    """Only tornado's hidden XSRF input is passed as markup (``pages._xsrf_field``)."""
    uses = {p.name: p.read_text(encoding="utf-8").count("Markup(") for p in LIVE.rglob("*.py")}
    assert {name: n for name, n in uses.items() if n} == {"pages.py": 1}
