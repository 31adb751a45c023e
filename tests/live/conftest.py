"""Live-session fixtures: a real tornado server on a free port of 127.0.0.1, in a thread."""

from __future__ import annotations

import asyncio
import socket
import threading
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
