"""The exercise app's HTTP client for igm-grader (exercises/grader_client.py), on its own.

A small tornado app on a real port plays a grader that misbehaves in the ways a network and
a service can: 5xx, a redirect to another host, HTML instead of JSON, no answer in time, a
closed port. The client must say "unavailable" for all of these, "refused" (with the
grader's JSON) for a 4xx, and send the hub token and nothing of its own.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import tornado.web

from exercises.grader_client import GraderClient, GraderRefused, GraderUnavailable
from tests.conftest import free_port
from tests.deploy.grader_helpers import in_background

SEEN: list[dict[str, Any]] = []


class Echo(tornado.web.RequestHandler):
    def check_xsrf_cookie(self) -> None:
        return

    def get(self, exercise_id: str) -> None:
        SEEN.append({"path": self.request.path, "query": self.request.query, **self._auth()})
        self.finish({"exercise": exercise_id, "lang": self.get_query_argument("lang")})

    def post(self, exercise_id: str) -> None:
        SEEN.append({"body": json.loads(self.request.body), **self._auth()})
        self.set_status(422)
        self.finish(
            {"error": "missing_item", "messages": {"nl": "Vul alles in.", "en": "Fill in all."}}
        )

    def _auth(self) -> dict[str, Any]:
        return {"authorization": self.request.headers.get("Authorization")}


class Status(tornado.web.RequestHandler):
    def get(self, code: str) -> None:
        if code == "302":  # to an address that would answer with JSON, if followed
            self.redirect(f"http://{self.request.host}/svc/api/exercises/x?lang=nl", status=302)
            return
        if code == "html":
            self.finish("<html>proxy error</html>")
            return
        if code == "slow":
            time.sleep(1.5)  # blocks this test server's loop: the client must give up first
            self.finish({})
            return
        self.set_status(int(code))
        self.finish({"error": f"status {code}"})


@pytest.fixture
def server() -> Iterator[str]:
    port = free_port()

    async def start() -> Any:
        app = tornado.web.Application(
            [
                (r"/svc/api/exercises/([^/]+)", Echo),
                (r"/svc/api/exercises/([^/]+)/attempts", Echo),
                (r"/status/(\w+)/api/exercises/x", Status),
            ]
        )
        return app.listen(port, "127.0.0.1")

    SEEN.clear()
    with in_background(start, lambda s: s.stop()):
        yield f"http://127.0.0.1:{port}"


def test_sends_the_hub_token_and_parses_json(server: str) -> None:
    client = GraderClient(server + "/svc", "tok-anna")  # a missing final slash is added
    assert client.public_view("score-case", "en") == {"exercise": "score-case", "lang": "en"}
    assert SEEN[-1]["authorization"] == "token tok-anna"
    assert SEEN[-1]["path"] == "/svc/api/exercises/score-case" and SEEN[-1]["query"] == "lang=en"
    with pytest.raises(GraderRefused) as refused:
        client.submit("score-case", {"openness": 3}, "nl")
    assert SEEN[-1]["body"] == {"answers": {"openness": 3}, "lang": "nl"}  # no learner name
    assert refused.value.status == 422
    assert refused.value.message("nl") == "Vul alles in."
    assert refused.value.message("en") == "Fill in all."
    assert "tok-anna" not in repr(client)


@pytest.mark.parametrize("code", ["500", "502", "503", "302", "html"])
def test_server_errors_redirects_and_non_json_are_unavailable(server: str, code: str) -> None:
    client = GraderClient(f"{server}/status/{code}/", "tok-anna")
    with pytest.raises(GraderUnavailable):
        client.public_view("x", "nl")
    assert SEEN == []  # a redirect is not followed: the token goes nowhere else


@pytest.mark.parametrize("code", ["400", "403", "404", "429"])
def test_client_errors_are_refusals(server: str, code: str) -> None:
    client = GraderClient(f"{server}/status/{code}/", "tok-anna")
    with pytest.raises(GraderRefused) as refused:
        client.public_view("x", "nl")
    assert refused.value.status == int(code)
    assert refused.value.body == {"error": f"status {code}"}
    assert refused.value.message("nl") is None  # no learner message: the app uses its own


def test_timeout_and_closed_port_are_unavailable(server: str) -> None:
    slow = GraderClient(f"{server}/status/slow/", "tok-anna", timeout=0.3)
    started = time.monotonic()
    with pytest.raises(GraderUnavailable):
        slow.public_view("x", "nl")
    assert time.monotonic() - started < 1.4
    closed = GraderClient(f"http://127.0.0.1:{free_port()}/", "tok-anna")
    with pytest.raises(GraderUnavailable):
        closed.public_view("x", "nl")


def test_from_env() -> None:
    assert GraderClient.from_env({"JUPYTERHUB_API_TOKEN": "t"}) is None
    client = GraderClient.from_env(
        {"IGM_GRADER_URL": "http://hub:8000/services/igm-grader", "JUPYTERHUB_API_TOKEN": "t"}
    )
    assert client is not None and client.base_url == "http://hub:8000/services/igm-grader/"
    with pytest.raises(ValueError, match="JUPYTERHUB_API_TOKEN"):
        GraderClient.from_env({"IGM_GRADER_URL": "http://hub:8000/"})
    with pytest.raises(ValueError, match="IGM_GRADER_URL"):
        GraderClient.from_env({"IGM_GRADER_URL": "file:///etc/passwd", "JUPYTERHUB_API_TOKEN": "t"})
