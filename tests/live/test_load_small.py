"""The load harness at size 10: every answer reaches the database and the trainer's feed.

Timing is not asserted here (a busy CI machine); run benchmarks/live_load.py for figures.
The harness runs as a subprocess: it starts its own server and its own event loop.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_ten_participants_lose_no_answer() -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "live_load.py"),
            "-n",
            "10",
            "--ramp",
            "3",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)
    assert result["errors"] == []
    assert result["joined"] == 10
    assert result["submits"] >= 30
    assert result["lost"] == {
        "participants": 0,
        "scores": 0,
        "prediction": 0,
        "vote": 0,
        "stored_rows": 0,
    }
    assert result["no_answer_lost"]
