"""`igm session start|close|reopen|export` as a subprocess."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from pathlib import Path

from igm.conversations import find_conversation
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


def test_a_conversation_session_from_the_terminal(tmp_path: Path) -> None:
    """``igm session create --conversation ID`` starts a session the room plays together; an
    unknown id fails with a message naming the known ones; the export has the votes per turn,
    a participant's formula neutralised as in the other exports."""
    db = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    done = igm("session", "create", "--conversation", "marja-twijfel", "--database", db)
    assert done.returncode == 0, done.stderr
    assert "marja-twijfel" in done.stdout and "marja-bijstand" in done.stdout
    code = re.search(r"join\?code=([A-Z0-9]{5})", done.stdout)
    assert code, done.stdout
    assert "▀" in done.stdout or "█" in done.stdout  # the QR code
    for args in (("nobody",), ("../../etc/passwd",), ("nobody", "--lang", "en")):
        bad = igm("session", "create", "--conversation", *args, "--database", db)
        assert bad.returncode != 0 and "Traceback" not in bad.stderr, bad.stderr
        assert "marja-twijfel" in bad.stderr  # the known conversations are named
    assert "no such conversation" in bad.stderr
    both = igm("session", "create", "marja-bijstand", "--conversation", "marja-twijfel")
    assert both.returncode != 0 and "Traceback" not in both.stderr

    store = LiveStore(db)
    try:
        room = store.conversation_room(code[1])
        first = [t for t, _ in (store.join(code[1], n, device=n) for n in ("Bo", "=1+2", "Ali"))]
        store.vote(code[1], first[0], 0, "erkennen")
        store.vote(code[1], first[0], 0, "tegenspreken")  # changed their mind: the latest counts
        store.vote(code[1], first[1], 0, "tegenspreken")
        store.vote(code[1], first[2], 0, "erkennen")
        store.vote(code[1], first[2], 0, "tegenspreken")
        assert store.close_vote(code[1], 0)["phase"] == "shown"
        assert store.next_turn(code[1], 1)["phase"] == "voting"
        talk = find_conversation("marja-twijfel")
        second = talk.turn(talk.turn(talk.start).response("tegenspreken").next)
        store.vote(code[1], first[1], 1, second.responses[0].id)
    finally:
        store.close()
    assert room.conversation_id == "marja-twijfel"
    out = igm("session", "export", code[1], "--database", db)
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert list(rows[0]) == [
        "session",
        "conversation",
        "position",
        "turn",
        "participant",
        "nickname",
        "vote",
        "chosen",
        "chosen_by",
    ]
    turn0 = [r for r in rows if r["position"] == "0"]
    assert [r["vote"] for r in turn0] == ["tegenspreken"] * 3
    assert {(r["chosen"], r["chosen_by"]) for r in turn0} == {("tegenspreken", "room")}
    assert {r["nickname"] for r in turn0} == {"Bo", "'=1+2", "Ali"}  # the formula defused
    assert [(r["nickname"], r["chosen"]) for r in rows if r["position"] == "1"] == [("'=1+2", "")]
    every = igm("session", "export", code[1], "--all", "--database", db)
    assert len(every.stdout.splitlines()) == 1 + 6  # a header and every stored vote
