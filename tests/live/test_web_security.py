"""The live pages against an attacker: trainer-key guessing is throttled, ``Origin: null`` is
cross-site, cookies are ``Secure`` under HTTPS (a trusted proxy's word only) and the trainer's
cookie is a random login id, and a JSON body nested too deep is a 400, not a 500."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest

from live.forwarded import TRUSTED_PROXIES_SETTING, networks
from live.store import LiveStore
from live.web import TRAINER_COOKIE, make_app
from tests.live.conftest import TRAINER_TOKEN, Client, LiveServer, _Thread, free_port


@pytest.fixture
def behind_proxy(tmp_path: Path) -> Iterator[LiveServer]:
    """A live server that trusts 127.0.0.1 as its reverse proxy (as ``trusted_proxies``)."""
    db_url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    port = free_port()
    app = make_app(
        db_url=db_url,
        trainer_token=TRAINER_TOKEN,
        **{TRUSTED_PROXIES_SETTING: networks(["127.0.0.1"])},
    )
    with _Thread(app, port):
        store = LiveStore(db_url)
        try:
            yield LiveServer(f"http://127.0.0.1:{port}/", db_url, TRAINER_TOKEN, store)
        finally:
            store.close()


def login(server: LiveServer, headers: dict[str, str] | None = None) -> Client:
    client = Client()
    status, _, _ = client.request(f"{server.url}live/trainer?key={server.token}", headers=headers)
    assert status == 302
    return client


def cookie_of(client: Client, name: str) -> object:
    return next(c for c in client.jar if c.name == name)


def test_a_json_body_nested_2000_deep_is_a_400(live_server: LiveServer) -> None:
    client = Client()
    client.request(f"{live_server.url}live/join")  # the _xsrf cookie
    raw = b"[" * 2000 + b"]" * 2000
    status, body, _ = client.request(
        f"{live_server.url}live/api/join",
        raw=raw,
        headers={"Content-Type": "application/json"},
    )
    assert status == 400
    assert "Traceback" not in str(body)


def test_origin_null_or_another_site_is_refused(live_server: LiveServer) -> None:
    code = live_server.store.create_session("marja-bijstand")["code"]
    client = Client()
    client.request(f"{live_server.url}live/join")
    url = f"{live_server.url}live/api/join"
    payload = {"code": code, "nickname": "Ans"}
    for origin in ("null", "http://evil.example", "NULL"):
        status, _, _ = client.request(url, payload, headers={"Origin": origin})
        assert status == 403, origin
    own = live_server.url.rstrip("/")
    status, _, _ = client.request(url, payload, headers={"Origin": own})
    assert status == 200


def test_the_trainer_cookie_is_a_random_login_id(live_server: LiveServer) -> None:
    first = login(live_server).cookie(TRAINER_COOKIE)
    second = login(live_server).cookie(TRAINER_COOKIE)
    assert first and second

    def value(cookie: str) -> str:
        return base64.b64decode(cookie.split("|")[4].split(":", 1)[1]).decode()

    assert value(first) != value(second)
    assert TRAINER_TOKEN not in value(first) and len(value(first)) >= 40
    # Over plain HTTP the cookie cannot be Secure (the browser would drop it).
    assert not cookie_of(login(live_server), TRAINER_COOKIE).secure  # type: ignore[attr-defined]


def test_cookies_are_secure_under_https_from_a_trusted_proxy(
    behind_proxy: LiveServer, live_server: LiveServer
) -> None:
    https = {"X-Forwarded-Proto": "https"}
    client = login(behind_proxy, https)
    assert cookie_of(client, TRAINER_COOKIE).secure  # type: ignore[attr-defined]
    # A direct client's word for HTTPS counts for nothing.
    client = login(live_server, https)
    assert not cookie_of(client, TRAINER_COOKIE).secure  # type: ignore[attr-defined]


def test_wrong_trainer_keys_are_throttled(live_server: LiveServer) -> None:
    client = Client()
    client.request(f"{live_server.url}live/trainer")  # the login page and its _xsrf cookie
    url = f"{live_server.url}live/trainer/login"
    statuses = [client.request(url, form={"key": f"wrong-{i}", "next": ""})[0] for i in range(5)]
    assert statuses == [403] * 5
    status, page, headers = client.request(url, form={"key": "wrong-5", "next": ""})
    assert status == 429 and int(headers["Retry-After"]) >= 1
    assert "Te vaak een verkeerde trainerssleutel" in str(page)
    # While throttled, even the right key waits: guessing gains nothing by going on.
    status, _, _ = client.request(url, form={"key": TRAINER_TOKEN, "next": ""})
    assert status == 429
    status, _, _ = client.request(f"{live_server.url}live/trainer?key={TRAINER_TOKEN}")
    assert status == 403
