"""The house's layers: no module imports a package of a higher layer, and there are no circles.

The layers are written down here, once, from the ground up. A package may import the packages
of the layers below it and itself; packages on the same floor stay out of each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: From the ground up. The README's Layout table describes the same floors.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("igm",),  # the engine: pure Python, no UI
    ("database",),  # tables, engine and migrations of the kit's one database
    ("gradebook", "live", "widgets"),  # the gradebook facade, live sessions, the views
    ("exercises",),  # graded exercises: content, grading, their apps and dashboard
    ("lti",),  # LTI 1.3: launches from a learning environment, grade passback
    ("apps", "book"),  # the app server (with the apps' notebooks), the book and its generator
    ("igm_kit", "deploy"),  # the `igm` command; the JupyterHub server extension
)
FLOOR = {package: floor for floor, packages in enumerate(LAYERS) for package in packages}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports, at any depth (lazy imports inside functions too)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def kit_modules() -> dict[str, Path]:
    """Module name -> file, for every module of the kit's packages."""
    modules = {}
    for package in FLOOR:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def wrong_imports(modules: dict[str, Path]) -> list[str]:
    """Imports that run upwards or sideways, as ``file:line: module``."""
    found = []
    for name, path in modules.items():
        own = name.split(".")[0]
        for line, module in imported_modules(path):
            target = module.split(".")[0]
            if target in FLOOR and target != own and FLOOR[target] >= FLOOR[own]:
                found.append(f"{path.relative_to(ROOT)}:{line}: {module}")
    return found


def module_edges(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The kit modules a module imports (``from package import module`` counts the module).

    An import of one's own parent package is left out: a package's ``__init__`` re-exporting
    its modules is how Python packages work, not a circle between rooms.
    """
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            candidates = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        else:
            continue
        for module in candidates:
            while module and module not in modules:
                module = module.rpartition(".")[0]
            if module and module != name and not name.startswith(module + "."):
                targets.add(module)
    return targets


def circles(modules: dict[str, Path]) -> list[list[str]]:
    """Groups of modules that import each other, directly or round a circle (Tarjan)."""
    graph = {name: module_edges(name, path, modules) for name, path in modules.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_every_kit_package_has_a_floor() -> None:
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "benchmarks"}
    assert packages == set(FLOOR)


def test_no_import_runs_upwards_or_sideways() -> None:
    assert wrong_imports(kit_modules()) == []


def test_no_two_modules_import_each_other() -> None:
    assert circles(kit_modules()) == []


def test_the_checks_see_an_upward_lazy_import_and_a_circle(tmp_path: Path) -> None:
    engine = tmp_path / "igm"
    engine.mkdir()
    (engine / "a.py").write_text("def f():\n    from apps.server import serve\n", encoding="utf-8")
    (engine / "b.py").write_text("import igm.c\n", encoding="utf-8")
    (engine / "c.py").write_text("from igm import b\n", encoding="utf-8")
    modules = {"igm.a": engine / "a.py", "igm.b": engine / "b.py", "igm.c": engine / "c.py"}
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        assert wrong_imports(modules) == ["igm/a.py:2: apps.server"]
        assert circles(modules) == [["igm.b", "igm.c"]]
    finally:
        ROOT = saved


@pytest.mark.parametrize("package", sorted(FLOOR))
def test_each_package_imports_on_its_own(package: str) -> None:
    """Each package imports without a higher one having been imported first."""
    import subprocess
    import sys

    code = (
        f"import sys, {package}; "
        f"up = sorted(m for m in {sorted(FLOOR)!r} if m in sys.modules and m != {package!r} "
        f"and {dict(FLOOR)!r}[m] >= {FLOOR[package]}); print(up)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
