"""The HTTP API against a real tornado server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from typing import Any

import pytest

from igm.determinants import DETERMINANTS
from live.web import handlers
from tests.live.conftest import LiveServer

FULL = dict.fromkeys(DETERMINANTS, 4)


def call(
    url: str, body: Any = None, headers: dict[str, str] | None = None, raw: bytes | None = None
) -> tuple[int, Any, dict[str, str]]:
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    h = {"Content-Type": "application/json"} if data is not None else {}
    request = urllib.request.Request(url, data=data, headers={**h, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            text = r.read().decode()
            status, hdrs = r.status, dict(r.headers)
    except urllib.error.HTTPError as e:
        text, status, hdrs = e.read().decode(), e.code, dict(e.headers)
    try:
        return status, json.loads(text), hdrs
    except ValueError:
        return status, text, hdrs


def test_handlers_mount_under_a_base_url(live_db: str) -> None:
    specs = handlers("/voila/", db_url=live_db, trainer_token="x")
    assert all(spec[0].startswith("/voila/live/") for spec in specs)


def test_participant_flow_and_strict_validation(live_server: LiveServer) -> None:
    base = live_server.url + "live/"
    code = live_server.store.create_session("marja-bijstand")["code"]
    status, page, headers = call(f"{base}join?code={code}")
    assert (
        status == 200
        and "Ronde 1" in page
        and "script-src 'self'" in headers["Content-Security-Policy"]
    )
    assert "http" not in page.split("<body", 1)[1].replace(live_server.url, "")  # no outside URL
    status, joined, _ = call(base + "api/join", {"code": code, "nickname": "<script>x</script>"})
    assert status == 200
    token = joined["token"]
    answer = {"code": code, "token": token, "kind": "scores"}
    for bad in ({**FULL, "attitude": 8}, {**FULL, "attitude": 2.5}, {**FULL, "attitude": "3"}):
        status, err, _ = call(base + "api/answer", {**answer, "value": bad})
        assert status == 400 and err["error"] == "live.error.scores" and "1 tot 7" in err["message"]
    status, err, _ = call(base + "api/answer", {**answer, "kind": "prediction", "value": 40})
    assert status == 409 and err["error"] == "live.error.round_not_open"
    status, ok, _ = call(base + "api/answer", {**answer, "value": FULL})
    assert status == 200 and ok["ok"]
    status, err, _ = call(
        base + "api/answer",
        raw=b"kind=scores",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 415
    status, err, _ = call(base + "api/answer", {**answer, "code": "ZZZZZ", "value": FULL})
    assert status == 404 and err["error"] == "live.error.unknown_session"
    status, err, _ = call(base + "api/answer?lang=en", {**answer, "token": "nope", "value": FULL})
    assert status == 403 and "join again" in err["message"]
    status, me, _ = call(base + "api/me", {"code": code, "token": token})
    assert me["answers"]["scores"] == FULL
    # Closed: a clear message, nothing stored.
    live_server.store.update(code, status="closed")
    time.sleep(1.6)  # the participants' cached view of the session expires
    status, err, _ = call(base + "api/answer", {**answer, "value": FULL})
    assert status == 409 and err["error"] == "live.error.closed"
    assert live_server.store.room(code).answers_stored == 1
    status, state, _ = call(f"{base}api/state?code={code}")
    assert state == {"status": "closed", "round": 1}
    status, page, _ = call(f"{base}join?code=NOPE1")
    assert status == 404 and "bestaat niet" in page


def test_trainer_pages_need_the_key(live_server: LiveServer) -> None:
    base = live_server.url + "live/"
    code = live_server.store.create_session("marja-bijstand")["code"]
    for path in (
        "trainer",
        f"trainer/{code}",
        f"trainer/{code}/feed",
        f"trainer/{code}/export.csv",
    ):
        status, body, _ = call(base + path)
        assert status == 403, path
    status, _, _ = call(
        f"{base}trainer/{code}/control", {"round": 2}, {"X-Live-Trainer-Token": "wrong"}
    )
    assert status == 403
    key = {"X-Live-Trainer-Token": live_server.token or ""}
    status, page, _ = call(f"{base}trainer/{code}", headers=key)
    assert status == 200 and "<svg" in page and code in page
    status, body, _ = call(f"{base}trainer/{code}/control", {"round": 4}, key)
    assert status == 400
    status, body, _ = call(f"{base}trainer/{code}/control", {"round": 2, "revealed": True}, key)
    assert status == 200 and body["session"]["round"] == 2


def test_trainer_refuses_without_a_configured_key(live_server_no_token: LiveServer) -> None:
    code = live_server_no_token.store.create_session("marja-bijstand")["code"]
    status, page, _ = call(
        f"{live_server_no_token.url}live/trainer/{code}", headers={"X-Live-Trainer-Token": ""}
    )
    assert status == 403 and "zonder trainerssleutel" in page


def test_the_trainer_feed_wakes_on_a_new_answer(live_server: LiveServer) -> None:
    base = live_server.url + "live/"
    key = {"X-Live-Trainer-Token": live_server.token or ""}
    code = live_server.store.create_session("marja-bijstand")["code"]
    _, first, _ = call(f"{base}trainer/{code}/feed?since=0", headers=key)
    version = first["version"]
    got: dict[str, Any] = {}

    def wait() -> None:
        got["t0"] = time.perf_counter()
        got["feed"] = call(f"{base}trainer/{code}/feed?since={version}", headers=key)[1]
        got["t1"] = time.perf_counter()

    waiter = threading.Thread(target=wait)
    waiter.start()
    time.sleep(0.5)
    _, joined, _ = call(base + "api/join", {"code": code})
    call(
        base + "api/answer",
        {"code": code, "token": joined["token"], "kind": "scores", "value": FULL},
    )
    waiter.join(30)
    assert got["feed"]["version"] > version
    assert got["t1"] - got["t0"] < 5  # woke on the change, not at the 20 s timeout
    assert got["feed"]["summary"]["participants"] == 1


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_pages_exist_in_both_languages(live_server: LiveServer, lang: str) -> None:
    code = live_server.store.create_session("marja-bijstand", lang)["code"]
    _, page, _ = call(f"{live_server.url}live/join?code={code}")
    assert f'<html lang="{lang}">' in page
    assert ("Opslaan" in page) == (lang == "nl")


def test_cross_site_posts_are_refused(live_server: LiveServer) -> None:
    base = live_server.url + "live/"
    code = live_server.store.create_session("marja-bijstand")["code"]
    evil = {"Origin": "http://evil.example"}
    status, _, _ = call(base + "api/join", {"code": code}, evil)
    assert status == 403
    form = f"key={live_server.token}".encode()
    ctype = {"Content-Type": "application/x-www-form-urlencoded"}
    status, _, _ = call(base + "trainer/login", raw=form, headers={**ctype, **evil})
    assert status == 403
    assert live_server.store.room(code).participants == 0


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def test_a_key_link_logs_the_trainer_in_and_drops_the_key(live_server: LiveServer) -> None:
    opener = urllib.request.build_opener(_NoRedirect)
    url = f"{live_server.url}live/trainer?key={live_server.token}&lang=en"
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(url, timeout=30)
    assert redirect.value.code == 302
    assert redirect.value.headers["Location"] == "/live/trainer?lang=en"
    cookie = redirect.value.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert live_server.token not in cookie  # the cookie is derived from the key, not the key
    status, page, _ = call(
        f"{live_server.url}live/trainer?lang=en", headers={"Cookie": cookie.split(";")[0]}
    )
    assert status == 200 and "Start a new session" in page
    status, _, _ = call(f"{live_server.url}live/trainer?key=wrong")
    assert status == 403


def test_a_session_closed_from_the_cli_reaches_the_trainer_feed(live_server: LiveServer) -> None:
    base = live_server.url + "live/"
    key = {"X-Live-Trainer-Token": live_server.token or ""}
    code = live_server.store.create_session("marja-bijstand")["code"]
    _, first, _ = call(f"{base}trainer/{code}/feed?since=0&html=0", headers=key)
    live_server.store.update(code, status="closed")  # another process, as `igm session close`
    time.sleep(5.2)
    _, again, _ = call(f"{base}trainer/{code}/feed?since=0&html=0", headers=key)
    assert again["summary"]["session"]["status"] == "closed"
    assert again["version"] > first["version"]
