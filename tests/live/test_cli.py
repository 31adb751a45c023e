"""`igm session start|close|reopen|export` as a subprocess."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from live.store import LiveStore

ROOT = Path(__file__).resolve().parents[2]


def igm(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "igm_kit.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_start_close_reopen_export(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    done = igm("session", "start", "marja-bijstand", "--db", db)
    assert done.returncode == 0, done.stderr
    code = re.search(r"join\?code=([A-Z0-9]{5})", done.stdout)
    assert code, done.stdout
    assert f"http://127.0.0.1:8866/live/join?code={code[1]}" in done.stdout
    assert "▀" in done.stdout or "█" in done.stdout  # the QR code, in the terminal
    store = LiveStore(db)
    token, _ = store.join(code[1], "Bo")
    store.submit(
        code[1],
        token,
        "scores",
        dict.fromkeys(
            (
                "attitude",
                "social_influence",
                "self_efficacy",
                "knowledge_skills",
                "home_situation",
                "capacity",
                "self_regulation",
            ),
            5,
        ),
    )
    store.close()
    assert igm("session", "close", code[1], "--db", db).returncode == 0
    assert LiveStore(db).session(code[1])["status"] == "closed"
    assert igm("session", "reopen", code[1].lower(), "--db", db).returncode == 0
    out = igm("session", "export", code[1], "--db", db)
    assert out.returncode == 0 and out.stdout.splitlines()[1].startswith(
        f"{code[1]},marja-bijstand,"
    )
    en = igm("session", "start", "lotte-na-burn-out", "--lang", "en", "--db", db)
    assert "Participants go to" in en.stdout


def test_unknown_code_and_case_fail_cleanly(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    done = igm("session", "close", "ZZZZZ", "--db", db)
    assert done.returncode == 1 and "bestaat niet" in done.stderr and "Traceback" not in done.stderr
    done = igm("session", "start", "nobody", "--db", db)
    assert done.returncode == 1 and "Traceback" not in done.stderr
