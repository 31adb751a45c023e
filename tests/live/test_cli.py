"""`igm session start|close|reopen|export` as a subprocess."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from live.store import LiveStore
from live.urls import lan_site_url

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
    done = igm("session", "start", "marja-bijstand", "--database", db)
    assert done.returncode == 0, done.stderr
    code = re.search(r"join\?code=([A-Z0-9]{5})", done.stdout)
    assert code, done.stdout
    # Without --public-url: this computer's Wi-Fi address at igm serve's port (what
    # `igm serve --room` serves), else 127.0.0.1 with a warning.
    site = lan_site_url(8866) or "http://127.0.0.1:8866/"
    assert f"{site}live/join?code={code[1]}" in done.stdout
    assert f"{site}live/trainer/{code[1]}" in done.stdout
    assert "igm serve --room" in done.stdout and "--public-url" in done.stdout
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
    assert igm("session", "close", code[1], "--database", db).returncode == 0
    assert LiveStore(db).session(code[1])["status"] == "closed"
    assert igm("session", "reopen", code[1].lower(), "--database", db).returncode == 0
    out = igm("session", "export", code[1], "--database", db)
    assert out.returncode == 0 and out.stdout.splitlines()[1].startswith(
        f"{code[1]},marja-bijstand,"
    )
    en = igm("session", "start", "lotte-na-burn-out", "--lang", "en", "--database", db)
    assert "Participants go to" in en.stdout


def test_unknown_code_and_case_fail_cleanly(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    done = igm("session", "close", "ZZZZZ", "--database", db)
    assert done.returncode == 1 and "bestaat niet" in done.stderr and "Traceback" not in done.stderr
    done = igm("session", "start", "nobody", "--database", db)
    assert done.returncode == 1 and "Traceback" not in done.stderr


def test_old_option_spellings_still_work(tmp_path: Path) -> None:
    """``--database`` is the one spelling (as for igm serve and igm grades export); the old
    ``--db`` and ``--url`` of older notes still work, but --help no longer shows them."""
    db = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    done = igm("session", "start", "marja-bijstand", "--db", db, "--url", "http://10.1.2.3:8871")
    assert done.returncode == 0, done.stderr
    assert "http://10.1.2.3:8871/live/join?code=" in done.stdout
    code = re.search(r"join\?code=([A-Z0-9]{5})", done.stdout)
    assert code and igm("session", "close", code[1], "--database", db).returncode == 0
    assert LiveStore(db).session(code[1])["status"] == "closed"
    for command in ("start", "close", "reopen", "export"):
        shown = igm("session", command, "--help").stdout
        assert "--database URL" in shown and "--db" not in shown and "--url" not in shown
