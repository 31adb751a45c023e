"""Live pages with a bad case file: the trainer's home answers 200 and says which file was
skipped; a session whose case file breaks keeps working, or says so clearly (never a 500).

Real tornado server (tests/live/conftest.py) on a copy of ``case_studies/`` with one invalid
file, in ``IGM_CASES_DIR``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import live.store
from igm.i18n import t
from tests.case_folder import BAD_ID, break_case, copy_cases, fix_bad_case
from tests.live.conftest import TRAINER_TOKEN, Client, LiveServer, start_server

KEY = {"X-Live-Trainer-Token": TRAINER_TOKEN}
CASE = "lotte-na-burn-out"


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def post_form(server: LiveServer, path: str, fields: dict[str, str]) -> tuple[int, str]:
    """The trainer's form post: from a browser that has the trainer's home open (``_xsrf``)."""
    client = Client()
    client.request(f"{server.url}live/trainer", headers=KEY)
    status, body, _ = client.request(f"{server.url}live/{path}", headers=KEY, form=fields)
    return status, json.dumps(body) if isinstance(body, dict) else body


@pytest.fixture
def cases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = copy_cases(tmp_path / "cases")
    monkeypatch.setenv("IGM_CASES_DIR", str(folder))
    # A fresh server process: it has seen no case yet.
    monkeypatch.setattr(live.store, "_LAST_GOOD", {})
    return folder


@pytest.fixture
def server(cases: Path, live_db: str) -> Iterator[LiveServer]:
    yield from start_server(live_db, TRAINER_TOKEN)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_trainer_home_answers_with_the_valid_cases_and_names_the_skipped_file(
    server: LiveServer, lang: str
) -> None:
    status, page = get(f"{server.url}live/trainer?lang={lang}", KEY)
    assert status == 200
    assert f'value="{CASE}"' in page and f'value="{BAD_ID}"' not in page
    skipped = t("case.skipped", lang, problem="", more="").strip()
    assert skipped in page and f"{BAD_ID}.yaml" in page and "scores.attitude.score" in page
    assert t("case.skipped.hint", lang) in page
    assert page.count(f"{BAD_ID}.yaml") == 1  # one line per skipped file


def test_starting_a_session_on_the_bad_case_is_refused_politely(server: LiveServer) -> None:
    status, body = post_form(server, "trainer/start", {"case": BAD_ID, "lang": "nl"})
    assert status == 404 and json.loads(body)["error"] == "live.error.case"


def test_a_session_keeps_working_when_its_case_file_breaks_and_sees_the_fix(
    server: LiveServer, cases: Path
) -> None:
    code = server.store.create_session(CASE)["code"]
    base = f"{server.url}live/"
    status, page = get(f"{base}join?code={code}")
    assert status == 200 and "Lotte" in page
    break_case(cases, CASE)
    for url, headers in (
        (f"{base}join?code={code}", {}),
        (f"{base}trainer/{code}", KEY),
        (f"{base}trainer/{code}/feed?since=0", KEY),
        (f"{base}trainer", KEY),
    ):
        status, page = get(url, headers)
        assert status == 200, (url, page[:500])
    # The file is fixed with a new title: the next page view shows it, without a restart.
    path = cases / f"{CASE}.yaml"
    text = path.read_text(encoding="utf-8").replace("fictional: no", "fictional: true")
    path.write_text(text.replace("Lotte: terug aan het werk", "Lotte: weer aan het werk"))
    status, page = get(f"{base}join?code={code}")
    assert status == 200 and "Lotte: weer aan het werk" in page


def test_a_session_whose_case_was_never_valid_here_says_so_never_500(
    server: LiveServer, cases: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = server.store.create_session(CASE)["code"]
    break_case(cases, CASE)
    monkeypatch.setattr(live.store, "_LAST_GOOD", {})  # as after a server restart
    base = f"{server.url}live/"
    status, page = get(f"{base}join?code={code}")
    assert status == 503 and t("case.skipped.session", "nl") in page
    assert "fictional" not in page  # participants see no file details
    status, page = get(f"{base}trainer/{code}", KEY)
    assert status == 503 and f"{CASE}.yaml" in page and "fictional" in page
    status, body = get(f"{base}trainer/{code}/feed?since=0", KEY)
    assert status == 503 and f"{CASE}.yaml" in json.loads(body)["message"]
    status, page = get(f"{base}trainer", KEY)
    assert status == 200
    assert f"{code}</a> · {CASE} ({t('case.skipped.unavailable', 'nl')})" in page
    fix_bad_case(cases)  # unrelated file fixed: now offered
    path = cases / f"{CASE}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("fictional: no", "fictional: true"))
    status, page = get(f"{base}join?code={code}")
    assert status == 200 and "Lotte" in page
    status, page = get(f"{base}trainer", KEY)
    assert status == 200 and f'value="{BAD_ID}"' in page and "skipped-cases" not in page


def test_no_valid_case_at_all(server: LiveServer, cases: Path) -> None:
    for path in cases.glob("*.yaml"):
        if path.stem != BAD_ID:
            path.unlink()
    status, page = get(f"{server.url}live/trainer", KEY)
    assert status == 200 and t("case.skipped.none", "nl") in page
