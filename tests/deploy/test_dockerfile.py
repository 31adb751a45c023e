"""The Dockerfile's IGM_GRADED step, run for real on a copy of its two paths.

The image cannot be built here (no Docker engine), but the shell command that leaves the
recognise-determinant answer key and score-case's grader-only cases out of a graded learner
image can: with IGM_GRADED=1 it removes both copies (the source tree and the installed
package), otherwise neither.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BANK = "exercises/items/recognise-determinant.yaml"
GRADING_CASES = "exercises/grading_cases"


def graded_step() -> str:
    """The Dockerfile's ``RUN if [ "$IGM_GRADED" ...`` command, continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    found = re.search(r'^RUN (if \[ "\$IGM_GRADED" = "1" \].*?^\s*fi)$', text, re.S | re.M)
    assert found, "the Dockerfile has no IGM_GRADED step"
    return found.group(1).replace("\\\n", " ")


@pytest.mark.parametrize(("graded", "kept"), [("1", False), ("0", True)])
def test_graded_build_leaves_the_key_out(tmp_path: Path, graded: str, kept: bool) -> None:
    source = tmp_path / "srv" / "igm-kit"
    installed = tmp_path / "site-packages"
    for root in (source, installed):
        (root / BANK).parent.mkdir(parents=True)
        (root / BANK).write_text("items: []\n", encoding="utf-8")
        (root / GRADING_CASES).mkdir()
        (root / GRADING_CASES / "a-case.yaml").write_text("id: a-case\n", encoding="utf-8")
    (installed / "exercises" / "__init__.py").write_text("", encoding="utf-8")
    command = graded_step().replace("/srv/igm-kit", str(source))
    bin_dir = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        "IGM_GRADED": graded,
        "PYTHONPATH": str(installed),  # `import exercises` finds the "installed" copy
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
    }
    subprocess.run(["sh", "-c", command], env=env, check=True, cwd=tmp_path)
    assert (source / BANK).exists() is kept
    assert (installed / BANK).exists() is kept
    assert (source / GRADING_CASES).exists() is kept
    assert (installed / GRADING_CASES).exists() is kept
    assert (ROOT / BANK).exists()  # the repository's own copies are never touched
    assert (ROOT / GRADING_CASES).is_dir()
