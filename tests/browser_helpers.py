"""Helpers for browser tests: accessibility checks with axe-core."""

from __future__ import annotations

from typing import Any

SERIOUS = {"serious", "critical"}


def axe_violations(page: Any, context: Any = None) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context=context)
    violations: list[dict[str, Any]] = results.response["violations"]
    return [v for v in violations if v.get("impact") in SERIOUS]


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        targets = [n.get("target") for n in v.get("nodes", [])][:5]
        lines.append(f"{v['impact']}: {v['id']} ({v['help']}) at {targets}")
    return "\n".join(lines)


def assert_accessible(page: Any, context: Any = None) -> None:
    """Fail when axe-core finds any serious or critical violation."""
    found = axe_violations(page, context)
    assert not found, "axe-core found serious/critical violations:\n" + describe(found)
