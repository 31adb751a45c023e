"""Live-session fixtures: a real tornado server on a free port of 127.0.0.1, in a thread, and
an HTTP client that keeps cookies and sends the XSRF token as the pages' script does."""

from __future__ import annotations

import asyncio
import http.cookiejar
import json
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from live.store import LiveStore
from live.web import make_app

TRAINER_TOKEN = "test-trainer-key-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    url: str  # e.g. http://127.0.0.1:PORT/
    db_url: str
    token: str | None
    store: LiveStore


class _Thread:
    def __init__(self, app: Any, port: int) -> None:
        self.app, self.port = app, port
        self.ready = threading.Event()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stop: asyncio.Event | None = None
        self.thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def _main(self) -> None:
        server = self.app.listen(self.port, address="127.0.0.1")
        self.loop = asyncio.get_running_loop()
        self.stop = asyncio.Event()
        self.ready.set()
        await self.stop.wait()
        server.stop()

    def __enter__(self) -> _Thread:
        self.thread.start()
        assert self.ready.wait(10), "live server did not start"
        return self

    def __exit__(self, *_exc: object) -> None:
        assert self.loop is not None and self.stop is not None
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(10)


def start_server(
    db_url: str, token: str | None, public_url: str | None = None
) -> Iterator[LiveServer]:
    port = free_port()
    app = make_app(db_url=db_url, trainer_token=token, public_url=public_url)
    with _Thread(app, port):
        store = LiveStore(db_url)
        try:
            yield LiveServer(f"http://127.0.0.1:{port}/", db_url, token, store)
        finally:
            store.close()


@pytest.fixture
def live_db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'live.sqlite3'}"


@pytest.fixture
def live_server(live_db: str) -> Iterator[LiveServer]:
    yield from start_server(live_db, TRAINER_TOKEN)


@pytest.fixture
def live_server_no_token(live_db: str) -> Iterator[LiveServer]:
    yield from start_server(live_db, "")


Response = tuple[int, Any, dict[str, str]]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Client:
    """One browser, as far as the server can tell: it keeps cookies, and its POSTs carry the
    token of tornado's ``_xsrf`` cookie in the ``X-XSRFToken`` header, as live.js does.

    ``xsrf=False`` leaves the header off (what another site's page would send). Redirects are
    not followed: a test sees the 302 and its ``Location``.
    """

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def request(
        self,
        url: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        *,
        form: dict[str, str] | None = None,
        raw: bytes | None = None,
        xsrf: bool = True,
    ) -> Response:
        """GET ``url``, or POST a JSON ``body``, a ``form`` or ``raw`` bytes to it."""
        h: dict[str, str] = {}
        data = raw
        if body is not None:
            data, h = json.dumps(body).encode(), {"Content-Type": "application/json"}
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            h = {"Content-Type": "application/x-www-form-urlencoded"}
        token = self.cookie("_xsrf")
        if data is not None and xsrf and token:
            h["X-XSRFToken"] = token
        request = urllib.request.Request(url, data=data, headers={**h, **(headers or {})})
        try:
            with self.opener.open(request, timeout=30) as r:
                text, status, hdrs = r.read().decode(), r.status, dict(r.headers)
        except urllib.error.HTTPError as e:
            text, status, hdrs = e.read().decode(), e.code, dict(e.headers)
        try:
            return status, json.loads(text), hdrs
        except ValueError:
            return status, text, hdrs
