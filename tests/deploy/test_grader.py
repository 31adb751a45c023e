"""igm-grader (deploy/igm_grader.py): grades and writes the gradebook outside learners' servers.

A fake hub answers ``GET /hub/api/user`` for a few tokens, as JupyterHub does; the grader runs
on a real port with a real (SQLite) gradebook.
"""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path
from typing import Any

import pytest
import tornado.httpclient
import tornado.web

from deploy.igm_grader import HubIdentity, make_app, variant_key
from exercises import get_exercise
from gradebook import open_gradebook
from tests.conftest import run_in_thread
from tests.exercises.answers import perfect, wrong

SECRET = "x" * 40
EXERCISE = "score-case"
TOKENS: dict[str, dict[str, Any]] = {
    "tok-anna": {
        "kind": "user",
        "name": "anna01",
        "scopes": ["access:services!service=igm-grader", "users:activity!user=anna01"],
    },
    "tok-bob": {
        "kind": "user",
        "name": "bob002",
        "scopes": ["access:services!service=igm-grader"],
    },
    # a real hub token of Carl's, but not one that may use this service
    "tok-carl-noscope": {"kind": "user", "name": "carl03", "scopes": ["access:servers!user"]},
}


class FakeHubUser(tornado.web.RequestHandler):
    def get(self) -> None:
        token = self.request.headers.get("Authorization", "").partition(" ")[2]
        if token not in TOKENS:
            raise tornado.web.HTTPError(403)
        self.finish(TOKENS[token])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def call(
    url: str, token: str | None, body: dict[str, Any] | None = None
) -> tuple[int, dict[str, Any]]:
    headers = {"Authorization": f"token {token}"} if token else {}
    request = tornado.httpclient.HTTPRequest(
        url,
        method="POST" if body is not None else "GET",
        body=json.dumps(body) if body is not None else None,
        headers=headers,
    )
    response = await tornado.httpclient.AsyncHTTPClient().fetch(request, raise_error=False)
    return response.code, json.loads(response.body or b"{}")


def run_scenario(tmp_path: Path, scenario: Any) -> Any:
    async def main() -> Any:
        hub_port, grader_port = free_port(), free_port()
        hub = tornado.web.Application([(r"/hub/api/user", FakeHubUser)]).listen(
            hub_port, "127.0.0.1"
        )
        gradebook = open_gradebook(f"sqlite:///{tmp_path / 'grades.sqlite3'}")
        identify = HubIdentity(f"http://127.0.0.1:{hub_port}/hub/api", "igm-grader")
        grader = make_app(gradebook, SECRET, identify).listen(grader_port, "127.0.0.1")
        base = f"http://127.0.0.1:{grader_port}/services/igm-grader/api/"
        try:
            return await scenario(base, gradebook)
        finally:
            grader.stop()
            hub.stop()
            gradebook.close()

    return run_in_thread(lambda: asyncio.run(main()))


def test_refuses_requests_without_a_hub_token_for_this_service(tmp_path: Path) -> None:
    async def scenario(base: str, _gb: Any) -> None:
        for token in (None, "forged", "tok-carl-noscope"):
            status, _ = await call(base + f"exercises/{EXERCISE}", token)
            assert status == 403, token
            status, _ = await call(base + f"exercises/{EXERCISE}/attempts", token, {"answers": {}})
            assert status == 403, token

    run_scenario(tmp_path, scenario)


def test_public_view_only_of_the_keyed_variant(tmp_path: Path) -> None:
    async def scenario(base: str, _gb: Any) -> dict[str, Any]:
        status, view = await call(base + f"exercises/{EXERCISE}?lang=en", "tok-anna")
        assert status == 200
        return view

    view = run_scenario(tmp_path, scenario)
    variant = get_exercise(EXERCISE).make_variant(variant_key(SECRET, EXERCISE, "ANNA01"))
    assert view == json.loads(json.dumps(variant.public_view("en")))
    # the answer key (the case's scores) is not in what the learner gets
    assert json.dumps(perfect(variant)) not in json.dumps(view)


def test_grades_and_records_under_the_hub_identity_only(tmp_path: Path) -> None:
    exercise = get_exercise(EXERCISE)
    anna = exercise.make_variant(variant_key(SECRET, EXERCISE, "ANNA01"))

    async def scenario(base: str, gb: Any) -> None:
        url = base + f"exercises/{EXERCISE}/attempts"
        # a learner name in the body is ignored: the token decides who this is
        status, body = await call(
            url, "tok-anna", {"answers": perfect(anna), "learner": "BOB002", "lang": "nl"}
        )
        assert status == 200, body
        assert body["attempt_no"] == 1
        assert body["result"]["points"] == body["result"]["max_points"]
        status, body = await call(url, "tok-anna", {"answers": wrong(anna)})
        assert status == 200 and body["attempt_no"] == 2
        assert body["result"]["points"] < body["result"]["max_points"]
        # malformed: 422 with messages in both languages, nothing stored
        status, body = await call(url, "tok-anna", {"answers": {"nonsense": 9}})
        assert status == 422 and set(body["messages"]) == {"nl", "en"}
        status, mine = await call(base + "me/attempts", "tok-anna")
        assert status == 200 and [a["attempt_no"] for a in mine["attempts"]] == [1, 2]
        learner = gb.learner("ANNA01")
        assert learner.identity_source == "hub"
        assert [a.attempt_no for a in gb.attempts("ANNA01")] == [1, 2]
        with pytest.raises(Exception, match="BOB002"):
            gb.learner("BOB002")

    run_scenario(tmp_path, scenario)


def test_secret_must_be_long() -> None:
    with pytest.raises(ValueError, match="IGM_GRADER_SECRET"):
        make_app(None, "short", HubIdentity("http://127.0.0.1:1/hub/api", "igm-grader"))  # type: ignore[arg-type]
