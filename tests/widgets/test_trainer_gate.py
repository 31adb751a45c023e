"""Trainer-key guessing in the trainer apps is throttled, and the count outlives a kernel:
it is kept in one file that every kernel of the server shares."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from widgets.trainer_gate import FREE_TRIES, MAX_WAIT_SECONDS, KeyCheck, check_key, wait_after

TOKEN = "the-right-trainer-key-0123"


def test_five_wrong_keys_then_a_growing_wait(tmp_path: Path) -> None:
    path = tmp_path / "trainer-key-failures"
    now = 1_000_000.0
    for i in range(FREE_TRIES - 1):
        assert check_key(f"wrong-{i}", TOKEN, path=path, now=now) == KeyCheck(False, 0)
    fifth = check_key("wrong-4", TOKEN, path=path, now=now)
    assert not fifth.ok and fifth.wait_seconds == 5
    # During the wait not even the right key is compared.
    assert check_key(TOKEN, TOKEN, path=path, now=now + 1).ok is False
    # After it, one more wrong key doubles the wait; the right one opens and resets.
    assert check_key("wrong-5", TOKEN, path=path, now=now + 6).wait_seconds == 10
    assert check_key(TOKEN, TOKEN, path=path, now=now + 17).ok
    assert check_key("wrong-6", TOKEN, path=path, now=now + 18).wait_seconds == 0
    assert [wait_after(n) for n in (4, 5, 6, 7)] == [0, 5, 10, 20]
    assert wait_after(50) == MAX_WAIT_SECONDS


def test_the_count_outlives_a_kernel(tmp_path: Path) -> None:
    """Each try in a new process (a new page, so a new kernel): the wait still comes."""
    path = tmp_path / "trainer-key-failures"
    code = (
        "import sys; from pathlib import Path; from widgets.trainer_gate import check_key; "
        f"c = check_key('wrong', {TOKEN!r}, path=Path(sys.argv[1])); print(c.ok, c.wait_seconds)"
    )
    root = Path(__file__).resolve().parents[2]
    answers = [
        subprocess.run(
            [sys.executable, "-c", code, str(path)],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        for _ in range(FREE_TRIES + 1)
    ]
    assert answers[: FREE_TRIES - 1] == [["False", "0"]] * (FREE_TRIES - 1)
    assert answers[FREE_TRIES - 1] == ["False", "5"]
    assert answers[FREE_TRIES][0] == "False" and int(answers[FREE_TRIES][1]) >= 1
