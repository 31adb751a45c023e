"""The engine is the ground floor: no module of ``igm/`` imports a package built on it."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "igm"
#: The kit's packages above the engine (the CLI at the top, the UI, gradebook, live sessions).
HIGHER = ("igm_kit", "widgets", "gradebook", "live", "exercises", "deploy", "book")


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports, at any depth (lazy imports inside functions too)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def test_the_engine_imports_nothing_above_it() -> None:
    upward = [
        f"{path.relative_to(ENGINE.parent)}:{line}: {module}"
        for path in sorted(ENGINE.rglob("*.py"))
        for line, module in imported_modules(path)
        if module.split(".")[0] in HIGHER
    ]
    assert upward == []


def test_the_check_sees_a_lazy_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from widgets.server import serve\n", encoding="utf-8")
    assert imported_modules(sample) == [(2, "widgets.server")]
