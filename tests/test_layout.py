"""The README's Layout table matches the folders, and tests/ mirrors them."""

from __future__ import annotations

import re
from pathlib import Path

from tests.test_layers import FLOOR

ROOT = Path(__file__).resolve().parents[1]
#: Folders of the checkout that are not part of the kit's layout (tooling, build output).
NOT_LAYOUT = {"var", "build", "dist", "node_modules", "tests", "__pycache__"}
#: Folders of tests/ that are not about one package: fixtures and screenshots of test runs.
TESTS_NOT_MIRRORED = {"_artifacts", "__pycache__"}


def readme_layout_paths() -> list[str]:
    """The paths named in the first column with a path of the README's Layout table."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Layout", 1)[1].split("\n## ", 1)[0]
    paths = []
    for row in section.splitlines():
        if row.startswith("|") and "`" in row:
            cells = [cell.strip() for cell in row.strip("|").split("|")]
            first = next(cell for cell in cells if "`" in cell)
            paths += re.findall(r"`([^`]+)`", first)
    return paths


def top_level_folders() -> set[str]:
    return {
        path.name
        for path in ROOT.iterdir()
        if path.is_dir() and not path.name.startswith(".") and path.name not in NOT_LAYOUT
    }


def test_the_layout_table_names_every_folder_and_only_folders_that_exist() -> None:
    named = readme_layout_paths()
    assert named, "no Layout table found in README.md"
    assert all((ROOT / path.rstrip("/")).exists() for path in named), named
    top = {path.split("/")[0] for path in named if path.endswith("/")}
    assert top_level_folders() <= top, "a folder of the checkout is missing from the table"


def test_the_layout_table_lists_the_packages_in_their_floors() -> None:
    named = {path.rstrip("/") for path in readme_layout_paths()}
    assert set(FLOOR) <= named


def test_tests_mirror_the_folders() -> None:
    mirrored = {p.name for p in (ROOT / "tests").iterdir() if p.is_dir()} - TESTS_NOT_MIRRORED
    assert mirrored <= top_level_folders() | {"database_fixtures"}, (
        "a tests/ folder names no folder"
    )
    assert set(FLOOR) <= mirrored, "a package of the kit has no tests/ folder"
