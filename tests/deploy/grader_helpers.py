"""A real igm-grader (exercises/grading_service.py) on a real port, with a fake hub and a SQLite gradebook.

The fake hub answers ``GET /hub/api/user`` for a few tokens as JupyterHub does (name, kind,
scopes, expanded as the hub expands them, and groups of the token's owner); the grader asks it
through JupyterHub's own ``HubAuth``. tests/deploy/test_real_hub.py runs the same grader
against a real JupyterHub. Two ways to run them:

* :func:`run_scenario`: an async test body, run with hub and grader on one event loop in a
  thread of its own (``tests.conftest.run_in_thread``);
* :func:`grader_in_background`: hub and grader on an event loop in a background thread, so
  synchronous code (the exercise app's ``urllib`` client, :func:`fetch`) can call them from
  the test's thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import tornado.httpclient
import tornado.web

from exercises.grading_service import make_app, make_hub_auth
from gradebook import Gradebook, open_gradebook
from tests.conftest import free_port, run_in_thread

SECRET = "x" * 40
EXERCISE = "score-case"
TRAINERS = "igm-trainers"
T = TypeVar("T")
TOKENS: dict[str, dict[str, Any]] = {
    "tok-anna": {
        "kind": "user",
        "name": "anna01",
        "groups": ["cohort-2025"],
        "scopes": ["access:services!service=igm-grader", "users:activity!user=anna01"],
    },
    "tok-bob": {
        "kind": "user",
        "name": "bob002",
        "groups": [],
        "scopes": ["access:services!service=igm-grader"],
    },
    # a real hub token of Carl's, but not one that may use this service
    "tok-carl-noscope": {
        "kind": "user",
        "name": "carl03",
        "groups": [TRAINERS],
        "scopes": ["access:servers!user=carl03"],
    },
    # another hub service's token, even one with the scope: the grader serves people only
    "tok-service": {
        "kind": "service",
        "name": "other-service",
        "scopes": ["access:services!service=igm-grader"],
    },
    # a trainer: member of the trainers group (the name need not be a learner number)
    "tok-tina": {
        "kind": "user",
        "name": "tina.trainer",
        "groups": [TRAINERS],
        "scopes": ["access:services!service=igm-grader"],
    },
    # a hub that leaves groups out of the reply: member of no group
    "tok-tom-nogroups": {
        "kind": "user",
        "name": "tom004",
        "scopes": ["access:services!service=igm-grader"],
    },
}


class FakeHubUser(tornado.web.RequestHandler):
    def get(self) -> None:
        token = self.request.headers.get("Authorization", "").partition(" ")[2]
        if token not in TOKENS:
            raise tornado.web.HTTPError(403)
        self.finish(TOKENS[token])


async def call(
    url: str, token: str | None, body: dict[str, Any] | None = None
) -> tuple[int, dict[str, Any]]:
    """A JSON request to the grader, as a learner's kernel would make it."""
    code, _headers, text = await call_raw(url, token, body)
    return code, json.loads(text or "{}")


async def call_raw(
    url: str, token: str | None, body: dict[str, Any] | None = None
) -> tuple[int, dict[str, str], str]:
    """Status, headers and body text of a request to the grader."""
    headers = {"Authorization": f"token {token}"} if token else {}
    request = tornado.httpclient.HTTPRequest(
        url,
        method="POST" if body is not None else "GET",
        body=json.dumps(body) if body is not None else None,
        headers=headers,
    )
    response = await tornado.httpclient.AsyncHTTPClient().fetch(request, raise_error=False)
    return response.code, dict(response.headers), response.body.decode("utf-8")


def fetch(
    url: str, token: str | None, body: dict[str, Any] | None = None, timeout: float = 15.0
) -> tuple[int, dict[str, Any]]:
    """The same request as :func:`call`, synchronously (``urllib``, as a kernel makes it)."""
    headers = {"Authorization": f"token {token}"} if token else {}
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


@dataclass
class RunningGrader:
    """A grader and its fake hub, listening. ``url`` is the service's address (what
    ``IGM_GRADER_URL`` holds), ``api`` its API root."""

    url: str
    api: str
    gradebook: Gradebook
    stop: Callable[[], None]


async def start_grader(db: Path, port: int | None = None, **options: Any) -> RunningGrader:
    """Start a fake hub and a grader (``make_app(**options)``) on the running event loop."""
    hub_port, grader_port = free_port(), port or free_port()
    hub = tornado.web.Application([(r"/hub/api/user", FakeHubUser)]).listen(hub_port, "127.0.0.1")
    gradebook = open_gradebook(f"sqlite:///{db}")
    hub_auth = make_hub_auth(f"http://127.0.0.1:{hub_port}/hub/api", "igm-grader")
    app = make_app(gradebook.engine, SECRET, hub_auth, **options)
    grader = app.listen(grader_port, "127.0.0.1")
    url = f"http://127.0.0.1:{grader_port}/services/igm-grader/"

    def stop() -> None:
        grader.stop()
        hub.stop()
        gradebook.close()

    return RunningGrader(url, url + "api/", gradebook, stop)


def run_scenario(
    tmp_path: Path, scenario: Callable[[str, Gradebook], Awaitable[Any]], **options: Any
) -> Any:
    """Run ``scenario(api_root, gradebook)`` against a running grader; return its result."""

    async def main() -> Any:
        grader = await start_grader(tmp_path / "grades.sqlite3", **options)
        try:
            return await scenario(grader.api, grader.gradebook)
        finally:
            grader.stop()

    return run_in_thread(lambda: asyncio.run(main()))


@contextlib.contextmanager
def in_background(
    start: Callable[[], Coroutine[Any, Any, T]], stop: Callable[[T], None]
) -> Iterator[T]:
    """``await start()`` on an event loop in a background thread; ``stop(it)`` there at exit.

    For servers that synchronous code in the test's own thread talks to.
    """
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="igm-test-server", daemon=True)
    thread.start()

    async def stopping(started: T) -> None:
        stop(started)

    try:
        started = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=60)
        try:
            yield started
        finally:
            asyncio.run_coroutine_threadsafe(stopping(started), loop).result(timeout=60)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        loop.close()


def grader_in_background(
    db: Path, port: int | None = None, **options: Any
) -> contextlib.AbstractContextManager[RunningGrader]:
    """Hub and grader served from a background thread (see :func:`in_background`)."""
    return in_background(lambda: start_grader(db, port, **options), lambda g: g.stop())
