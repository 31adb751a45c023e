"""The HTTP API against a real tornado server on 127.0.0.1."""

from __future__ import annotations

import base64
import threading
import time
from typing import Any

import pytest

from igm.determinants import DETERMINANTS
from live.web import handlers
from tests.live.conftest import Client, LiveServer, Response

FULL = dict.fromkeys(DETERMINANTS, 4)


def call(
    url: str, body: Any = None, headers: dict[str, str] | None = None, raw: bytes | None = None
) -> Response:
    """A request from a client that has no cookie yet (a first visit)."""
    return Client().request(url, body, headers, raw=raw)


def joined_client(base: str, code: str) -> Client:
    """A phone that opened the join page (which sets the ``_xsrf`` cookie)."""
    client = Client()
    status, _, _ = client.request(f"{base}join?code={code}")
    assert status == 200 and client.cookie("_xsrf")
    return client


def trainer_client(server: LiveServer) -> Client:
    """The trainer's browser, logged in with the key link: signed cookie and ``_xsrf`` cookie."""
    client = Client()
    status, _, _ = client.request(f"{server.url}live/trainer?key={server.token}")
    assert status == 302
    status, _, _ = client.request(f"{server.url}live/trainer")
    assert status == 200 and client.cookie("_xsrf")
    return client


def test_handlers_mount_under_a_base_url(live_db: str) -> None:
    specs = handlers("/voila/", db_url=live_db, trainer_token="x")
    assert all(spec[0].startswith("/voila/live/") for spec in specs)


def test_participant_flow_and_strict_validation(live_server: LiveServer) -> None:
    base = live_server.url + "live/"
    code = live_server.store.create_session("marja-bijstand")["code"]
    phone = Client()
    status, page, headers = phone.request(f"{base}join?code={code}")
    assert (
        status == 200
        and "Ronde 1" in page
        and "script-src 'self'" in headers["Content-Security-Policy"]
    )
    assert "http" not in page.split("<body", 1)[1].replace(live_server.url, "")  # no outside URL
    call = phone.request
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
    assert state == {"status": "closed", "round": 1, "revealed": False}
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
    trainer = Client()
    call_ = trainer.request
    status, _, _ = call_(f"{base}trainer/{code}")  # the login form: sets the _xsrf cookie
    assert status == 403 and trainer.cookie("_xsrf")
    status, _, _ = call_(
        f"{base}trainer/{code}/control", {"round": 2}, {"X-Live-Trainer-Token": "wrong"}
    )
    assert status == 403
    key = {"X-Live-Trainer-Token": live_server.token or ""}
    status, page, _ = call_(f"{base}trainer/{code}", headers=key)
    assert status == 200 and "<svg" in page and code in page
    status, body, _ = call_(f"{base}trainer/{code}/control", {"round": 4}, key)
    assert status == 400
    status, body, _ = call_(f"{base}trainer/{code}/control", {"round": 2, "revealed": True}, key)
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
    phone = joined_client(base, code)
    _, joined, _ = phone.request(base + "api/join", {"code": code})
    phone.request(
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


def test_a_post_without_the_xsrf_token_is_refused(live_server: LiveServer) -> None:
    """Tornado's XSRF check: another site's page can make a browser POST (with its cookies),
    but it cannot read the ``_xsrf`` cookie to send its token. Nothing is stored."""
    base = live_server.url + "live/"
    code = live_server.store.create_session("marja-bijstand")["code"]
    phone = joined_client(base, code)
    # No token at all, the cookie but no header, and a header that does not match the cookie.
    for headers, xsrf in (({}, False), ({"X-XSRFToken": "2|00|00|0"}, False)):
        status, body, _ = phone.request(base + "api/join", {"code": code}, headers, xsrf=xsrf)
        assert status == 403 and ("_xsrf" in body["error"] or "XSRF" in body["error"]), body
    status, _, _ = call(base + "api/join", {"code": code})  # a first visit: no cookie
    assert status == 403
    assert live_server.store.room(code).participants == 0
    # With the token, the same request joins.
    status, joined, _ = phone.request(base + "api/join", {"code": code})
    assert status == 200 and joined["token"]
    answer = {"code": code, "token": joined["token"], "kind": "scores", "value": FULL}
    status, _, _ = phone.request(base + "api/answer", answer, xsrf=False)
    assert status == 403 and live_server.store.room(code).answers_stored == 0
    status, _, _ = phone.request(
        base + "api/me", {"code": code, "token": joined["token"]}, xsrf=False
    )
    assert status == 403

    # The trainer's forms and controls: the right key or cookie is not enough without it.
    trainer = trainer_client(live_server)
    form = {"key": live_server.token or ""}
    status, _, headers = trainer.request(base + "trainer/login", form=form, xsrf=False)
    assert status == 403 and "Set-Cookie" not in headers
    status, _, headers = trainer.request(base + "trainer/login", form=form)
    assert status == 302
    start = {"case": "marja-bijstand", "lang": "nl"}
    before = len(live_server.store.sessions())
    status, _, _ = trainer.request(base + "trainer/start", form=start, xsrf=False)
    assert status == 403 and len(live_server.store.sessions()) == before
    status, _, headers = trainer.request(base + "trainer/start", form=start)
    assert status == 302 and headers["Location"].startswith("/live/trainer/")
    key = {"X-Live-Trainer-Token": live_server.token or ""}
    status, _, _ = trainer.request(f"{base}trainer/{code}/control", {"round": 2}, key, xsrf=False)
    assert status == 403 and live_server.store.session(code)["round"] == 1
    status, _, _ = trainer.request(f"{base}trainer/{code}/control", {"round": 2})
    assert status == 200 and live_server.store.session(code)["round"] == 2


def test_every_page_sets_the_xsrf_cookie_and_its_forms_carry_the_token(
    live_server: LiveServer,
) -> None:
    base = live_server.url + "live/"
    code = live_server.store.create_session("marja-bijstand")["code"]
    for path in ("join", f"join?code={code}", "trainer"):
        client = Client()
        client.request(base + path)
        assert client.cookie("_xsrf"), path
    trainer = trainer_client(live_server)
    _, home, _ = trainer.request(base + "trainer")
    assert home.count('name="_xsrf"') == 2  # the start forms: a case, a conversation
    _, login, _ = Client().request(base + "trainer")
    assert login.count('name="_xsrf"') == 1  # the login form


def test_a_key_link_logs_the_trainer_in_and_drops_the_key(live_server: LiveServer) -> None:
    client = Client()
    status, _, headers = client.request(
        f"{live_server.url}live/trainer?key={live_server.token}&lang=en"
    )
    assert status == 302
    assert headers["Location"] == "/live/trainer?lang=en"
    cookie = next(c for c in client.jar if c.name == "igm_live_trainer")
    assert cookie.has_nonstandard_attr("HttpOnly") and cookie.path == "/live/"
    assert "SameSite=Strict" in str(headers)
    assert cookie.expires is None  # a browser session, not a stored cookie
    assert live_server.token not in (cookie.value or "")  # derived from the key, not the key
    status, page, _ = client.request(f"{live_server.url}live/trainer?lang=en")
    assert status == 200 and "Start a new session" in page
    status, _, _ = call(f"{live_server.url}live/trainer?key=wrong")
    assert status == 403


def test_a_forged_or_unsigned_trainer_cookie_is_refused(live_server: LiveServer) -> None:
    """The trainer cookie is tornado's signed cookie: its value alone, or signed with another
    secret, or another server's cookie for another key, opens nothing."""
    from tornado.web import create_signed_value

    from live.web import TRAINER_COOKIE, LiveState

    base = live_server.url + "live/"
    code = live_server.store.create_session("marja-bijstand")["code"]
    real = trainer_client(live_server).cookie(TRAINER_COOKIE)
    assert real
    # The real cookie's value (a random login id): tornado's "2|…|len:base64|…|signature".
    value = base64.b64decode(real.split("|")[4].split(":", 1)[1]).decode()
    other_key = LiveState(live_server.store, "another-trainer-key-0123").new_trainer_session()
    forged = [
        value,  # the right value, unsigned
        create_signed_value("not-the-server-secret", TRAINER_COOKIE, value).decode(),
        real[:-1] + ("0" if real[-1] != "0" else "1"),  # the real cookie, signature changed
        create_signed_value("not-the-server-secret", TRAINER_COOKIE, other_key).decode(),
        "trainer",
    ]
    for cookie in forged:
        for path in ("trainer", f"trainer/{code}", f"trainer/{code}/feed?since=0&html=0"):
            status, _, _ = call(base + path, headers={"Cookie": f"{TRAINER_COOKIE}={cookie}"})
            assert status == 403, (cookie, path)
    status, _, _ = call(base + "trainer", headers={"Cookie": f"{TRAINER_COOKIE}={real}"})
    assert status == 200


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
