"""The page script in the Voila template is the build of ``frontend/`` as it is now.

The built files are committed (a machine with only Python serves them); ``frontend/build.mjs``
writes the hash of every source into their first line, and into ``igm-page.versions.json``
beside them (what the script was built against, see test_pins.py), and this test recomputes
it the same way, so a change to the sources without a rebuild fails here.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
STATIC = ROOT / "apps" / "jupyter" / "voila" / "templates" / "igm" / "static"
BANNER = re.compile(r"built by frontend/build\.mjs from sources sha256:([0-9a-f]{64})")


def sources_hash(frontend: Path = FRONTEND) -> str:
    """As ``sourcesHash()`` in frontend/build.mjs: each file's path, NUL, bytes, NUL, in
    path order."""
    files = ["build.mjs", "package.json", "package-lock.json"]
    files += [f"src/{p.name}" for p in (frontend / "src").iterdir() if p.is_file()]
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0")
        digest.update((frontend / name).read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


@pytest.mark.parametrize("built", ["igm-page.js", "igm-page.css"])
def test_built_file_matches_the_sources(built: str) -> None:
    first_line = (STATIC / built).read_text(encoding="utf-8").split("\n", 1)[0]
    found = BANNER.search(first_line)
    assert found, (
        f"{built} has no build banner: rebuild with `cd frontend && npm ci && npm run build`"
    )
    assert found.group(1) == sources_hash(), (
        f"{built} was built from other sources than frontend/ holds now: "
        "run `cd frontend && npm ci && npm run build` and commit the result"
    )


def test_the_recorded_versions_come_from_the_same_build() -> None:
    versions = json.loads((STATIC / "igm-page.versions.json").read_text(encoding="utf-8"))
    assert versions["sources_sha256"] == sources_hash(), (
        "igm-page.versions.json was written by a build of other sources than frontend/ holds "
        "now: run `cd frontend && npm ci && npm run build` and commit the result"
    )


def test_the_hash_changes_with_any_source(tmp_path: Path) -> None:
    """The check is not blind: one changed byte in one source, or a new source, changes it."""
    copy = tmp_path / "frontend"
    copy.mkdir()
    for name in ("build.mjs", "package.json", "package-lock.json"):
        shutil.copy(FRONTEND / name, copy / name)
    shutil.copytree(FRONTEND / "src", copy / "src")
    assert sources_hash(copy) == sources_hash()
    (copy / "src" / "kernel.js").write_bytes((copy / "src" / "kernel.js").read_bytes() + b" ")
    changed = sources_hash(copy)
    assert changed != sources_hash()
    (copy / "src" / "extra.js").write_text("", encoding="utf-8")
    assert sources_hash(copy) not in (changed, sources_hash())


def test_the_script_loads_nothing_from_another_host() -> None:
    """No import, source or stylesheet URL of another host in the page script or its
    stylesheet (addresses in licence comments are text, not requests)."""
    loading = re.compile(r"""(import\s*\(?|src\s*=|href\s*=|url\()\s*["'`]?(https?:)?//""")
    for built in ("igm-page.js", "igm-page.css"):
        text = (STATIC / built).read_text(encoding="utf-8")
        assert not loading.search(text), f"{built}: {loading.search(text)}"
