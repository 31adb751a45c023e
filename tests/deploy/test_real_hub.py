"""igm-grader against a REAL JupyterHub (not the fake hub of tests/deploy/grader_helpers.py).

One JupyterHub process (the version pip installed, 5 or 6) and one igm-grader process
(``python -m exercises.grading_service``, the program of the ``igm-grader`` command, started
outside the checkout as a Deployment would run it) for the module. The hub runs with
tests/deploy/hub_config.py: DummyAuthenticator, no proxy process, a spawner that only records
the environment the hub gives a learner's server, and the roles of docs/deployment.md. Users,
group members and tokens are made through the hub's REST API with an admin service's token;
the test then calls the grader over HTTP as a learner's kernel does (``Authorization: token``).

What the real hub showed (JupyterHub 6.1.1): a token only carries
``access:services!service=igm-grader`` if its OWNER holds that scope. The ``server`` role of
docs/deployment.md asks for it, but the hub gives a server's ``JUPYTERHUB_API_TOKEN`` only the
subset of the ``server`` role that the user holds, silently (a DEBUG log line): with the
default ``user`` role the learner's server token has no access to the grader and every attempt
gets 403. :func:`test_server_token_has_the_service_scope_only_if_the_user_holds_it` shows both
sides; the learners here hold the scope through the group role ``igm-learner``.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from exercises import get_exercise
from exercises.grading_service import HubUser, make_hub_auth, variant_key
from gradebook import Gradebook, open_gradebook
from gradebook.export import attempts_csv, gradebook_csv
from tests.conftest import ARTIFACTS, free_port, require, run_in_thread, stop_process_group
from tests.exercises.answers import perfect, wrong

pytestmark = pytest.mark.slow

HUB_CONFIG = Path(__file__).with_name("hub_config.py")
SERVICE = "igm-grader"
PREFIX = f"/services/{SERVICE}/"
SCOPE = f"access:services!service={SERVICE}"
SECRET = secrets.token_hex(24)  # 48 characters
EXERCISE = "score-case"
JAN = "jan.de.vries"  # a learner (group igm-learners)
BEA = "bea.bakker"  # another learner (group igm-learners)
TRAINER = "t.jansen"  # group igm-trainers only
OUTSIDER = "geen.groep"  # a hub user in no group: holds only the default `user` role
KEY_FIELDS = {"reference", "answer", "answers", "key", "solution", "scores", "correct"}


# --- HTTP, as a learner's kernel makes it (urllib, like exercises/grader_client.py) --------------


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


def http(url: str, token: str | None = None, body: Any = None, method: str | None = None) -> Reply:
    headers = {"Authorization": f"token {token}"} if token else {}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return Reply(response.status, dict(response.headers), response.read().decode())
    except urllib.error.HTTPError as err:
        return Reply(err.code, dict(err.headers), err.read().decode())


def wait_for_http(url: str, proc: subprocess.Popen[bytes], name: str, timeout: float) -> None:
    """Until ``url`` gives any HTTP answer (a 403 too); fail if ``proc`` exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with code {proc.returncode} (see tests/_artifacts)")
        try:
            http(url)
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{name}: {url} did not answer within {timeout:.0f} s")


# --- the hub and the grader ----------------------------------------------------------------------


@dataclass
class RealHub:
    api: str  # http://127.0.0.1:<port>/hub/api
    grader: str  # the grader's API root: http://127.0.0.1:<port>/services/igm-grader/api/
    database_url: str
    workdir: Path
    admin_token: str
    grader_token: str
    version: str

    def admin(self, path: str, body: Any = None, method: str | None = None) -> Reply:
        return http(self.api + path, self.admin_token, body, method)

    def token(self, user: str, scopes: list[str] | None = None) -> str:
        """A new API token of ``user`` (the hub's default scopes when ``scopes`` is None)."""
        reply = self.admin(f"/users/{user}/tokens", {} if scopes is None else {"scopes": scopes})
        assert reply.status == 201, reply.text
        return str(reply.json()["token"])

    def gradebook(self) -> contextlib.AbstractContextManager[Gradebook]:
        return open_gradebook(self.database_url)


def attempts_of(gb: Gradebook, learner: str) -> int:
    return sum(1 for a in gb.attempts() if a.learner.learner_number == learner.upper())


@pytest.fixture(scope="module")
def hub() -> Iterator[RealHub]:
    require(
        importlib.util.find_spec("jupyterhub") is not None,
        "jupyterhub is not installed (pip install -e '.[test]')",
    )
    from jupyterhub import __version__ as hub_version

    workdir = Path(tempfile.mkdtemp(prefix="realhub-helper-", dir="/tmp"))
    hub_port, grader_port = free_port(), free_port()
    admin_token, grader_token = secrets.token_hex(32), secrets.token_hex(32)
    database_url = f"sqlite:///{workdir / 'grades.sqlite3'}"
    api = f"http://127.0.0.1:{hub_port}/hub/api"
    ARTIFACTS.mkdir(exist_ok=True)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("IGM_", "JUPYTERHUB_"))}
    grader_env = {
        **base_env,
        "PYTHONUNBUFFERED": "1",
        "IGM_DATABASE_URL": database_url,
        "IGM_GRADER_SECRET": SECRET,
        "JUPYTERHUB_API_URL": api,
        "JUPYTERHUB_SERVICE_NAME": SERVICE,
        "JUPYTERHUB_SERVICE_PREFIX": PREFIX,
        # what the hub gives a managed service; the grader does not need it (it asks the hub
        # about each caller with the caller's own token)
        "JUPYTERHUB_API_TOKEN": grader_token,
    }
    hub_env = {
        **base_env,
        "PYTHONUNBUFFERED": "1",
        "IGM_TEST_HUB_DIR": str(workdir),
        "IGM_TEST_HUB_PORT": str(hub_port),
        "IGM_TEST_GRADER_PORT": str(grader_port),
        "IGM_TEST_GRADER_TOKEN": grader_token,
        "IGM_TEST_ADMIN_TOKEN": admin_token,
    }
    procs: list[subprocess.Popen[bytes]] = []
    logs = []
    try:
        grader_log = open(ARTIFACTS / "real_hub_grader.log", "wb")  # noqa: SIM115
        logs.append(grader_log)
        grader = subprocess.Popen(
            [sys.executable, "-m", "exercises.grading_service", "--port", str(grader_port)],
            cwd=workdir,  # not the checkout: the installed module, not a script path
            env=grader_env,
            stdout=grader_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        procs.append(grader)
        hub_log = open(ARTIFACTS / "real_hub.log", "wb")  # noqa: SIM115
        logs.append(hub_log)
        hub_proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(HUB_CONFIG)],
            cwd=workdir,
            env=hub_env,
            stdout=hub_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        procs.append(hub_proc)
        grader_root = f"http://127.0.0.1:{grader_port}{PREFIX}api/"
        wait_for_http(grader_root + "me/attempts", grader, "igm-grader", 60)
        wait_for_http(api, hub_proc, "jupyterhub", 90)
        real = RealHub(
            api, grader_root, database_url, workdir, admin_token, grader_token, hub_version
        )
        # users and groups as a trainer would make them (docs/deployment.md)
        reply = real.admin("/users", {"usernames": [JAN, BEA, TRAINER, OUTSIDER]})
        assert reply.status == 201, reply.text
        for group, members in (("igm-learners", [JAN, BEA]), ("igm-trainers", [TRAINER])):
            reply = real.admin(f"/groups/{group}/users", {"users": members})
            assert reply.status == 200, reply.text
        yield real
    finally:
        for proc in reversed(procs):  # the hub first: it stops the recorded "servers"
            stop_process_group(proc, timeout=20)
        for log in logs:
            log.close()
        shutil.rmtree(workdir, ignore_errors=True)


def key_fields(view: Any, path: str = "") -> list[str]:
    """Paths of every field in ``view`` whose name is an answer-key name."""
    found = []
    if isinstance(view, dict):
        for name, value in view.items():
            if str(name).lower() in KEY_FIELDS:
                found.append(f"{path}/{name}")
            found += key_fields(value, f"{path}/{name}")
    elif isinstance(view, list):
        for i, value in enumerate(view):
            found += key_fields(value, f"{path}[{i}]")
    return found


# --- the tests -----------------------------------------------------------------------------------


def test_learner_with_a_dotted_name_gets_the_public_view_and_is_graded_as_herself(
    hub: RealHub,
) -> None:
    token = hub.token(JAN, [SCOPE])
    variant = get_exercise(EXERCISE).make_variant(variant_key(SECRET, EXERCISE, "JAN.DE.VRIES"))

    reply = http(hub.grader + f"exercises/{EXERCISE}?lang=en", token)
    assert reply.status == 200, reply.text
    view = reply.json()
    quiz = view.pop("quiz")  # the quiz settings the page shows: nothing of the key
    assert quiz["used"] == 0 and quiz["attempts"] >= 1
    assert view == json.loads(json.dumps(variant.public_view("en")))
    assert key_fields(view) == []
    assert json.dumps(perfect(variant)) not in reply.text

    with hub.gradebook() as gb:
        before = attempts_of(gb, JAN)
    # each attempt has its own variant (quiz settings: a new variant per attempt)
    key = variant_key(SECRET, EXERCISE, "JAN.DE.VRIES")
    first = get_exercise(EXERCISE).variant_for(key, before + 1)
    variant = get_exercise(EXERCISE).variant_for(key, before + 2)
    url = hub.grader + f"exercises/{EXERCISE}/attempts"
    reply = http(url, token, {"answers": perfect(first), "lang": "en"})
    assert reply.status == 200, reply.text
    body = reply.json()
    assert body["attempt_no"] == before + 1
    assert body["result"]["points"] == body["result"]["max_points"]
    reply = http(url, token, {"answers": wrong(variant), "lang": "nl"})
    assert reply.status == 200 and reply.json()["attempt_no"] == before + 2
    assert reply.json()["result"]["points"] < reply.json()["result"]["max_points"]

    with hub.gradebook() as gb:
        learner = gb.learner("JAN.DE.VRIES")
        assert learner.learner_number == "JAN.DE.VRIES"
        assert learner.identity_source == "hub"
        stored = gb.attempts("JAN.DE.VRIES", EXERCISE)
        assert [a.attempt_no for a in stored][-2:] == [before + 1, before + 2]
        assert stored[-1].variant == variant.fingerprint
    reply = http(hub.grader + f"me/attempts?exercise={EXERCISE}", token)
    assert reply.status == 200
    assert [a["attempt_no"] for a in reply.json()["attempts"]][-2:] == [before + 1, before + 2]


def test_a_token_of_the_same_user_without_the_service_scope_is_refused(hub: RealHub) -> None:
    token = hub.token(JAN, [f"read:users:name!user={JAN}"])
    variant = get_exercise(EXERCISE).make_variant(variant_key(SECRET, EXERCISE, "JAN.DE.VRIES"))
    with hub.gradebook() as gb:
        before = len(gb.attempts())
    assert http(hub.grader + f"exercises/{EXERCISE}", token).status == 403
    reply = http(
        hub.grader + f"exercises/{EXERCISE}/attempts", token, {"answers": perfect(variant)}
    )
    assert reply.status == 403, reply.text
    assert http(hub.grader + "me/attempts", token).status == 403
    with hub.gradebook() as gb:
        assert len(gb.attempts()) == before


def test_forged_missing_and_service_tokens_are_refused(hub: RealHub) -> None:
    with hub.gradebook() as gb:
        before = len(gb.attempts())
    for token in (None, "forged", secrets.token_hex(16), hub.admin_token, hub.grader_token):
        assert http(hub.grader + f"exercises/{EXERCISE}", token).status == 403, token
        reply = http(hub.grader + f"exercises/{EXERCISE}/attempts", token, {"answers": {}})
        assert reply.status == 403, (token, reply.text)
    # another scheme, or the token in the body instead of the header
    reply = http(
        hub.grader + f"exercises/{EXERCISE}/attempts",
        None,
        {"answers": {}, "token": hub.token(JAN, [SCOPE])},
    )
    assert reply.status == 403
    with hub.gradebook() as gb:
        assert len(gb.attempts()) == before


def test_another_user_cannot_act_as_jan(hub: RealHub) -> None:
    token = hub.token(BEA, [SCOPE])
    bea = get_exercise("compare-clients").make_variant(
        variant_key(SECRET, "compare-clients", "BEA.BAKKER")
    )
    with hub.gradebook() as gb:
        jan_before, bea_before = attempts_of(gb, JAN), attempts_of(gb, BEA)
    body = {"answers": perfect(bea), "learner": JAN, "user": JAN, "name": JAN, "lang": "en"}
    reply = http(hub.grader + "exercises/compare-clients/attempts", token, body)
    assert reply.status == 200, reply.text
    with hub.gradebook() as gb:
        assert attempts_of(gb, JAN) == jan_before
        assert attempts_of(gb, BEA) == bea_before + 1
        assert gb.learner("BEA.BAKKER").identity_source == "hub"
    # what Bea sees of "her attempts" is hers only
    mine = http(hub.grader + "me/attempts", token).json()
    assert {a["exercise_id"] for a in mine["attempts"]} == {"compare-clients"}


def test_the_hubs_user_reply_is_what_the_grader_parses(hub: RealHub) -> None:
    scoped = hub.token(JAN, [SCOPE])
    narrow = hub.token(JAN, [f"read:users:name!user={JAN}"])
    default = hub.token(JAN)  # the hub's default token scopes: everything Jan holds

    reply = http(hub.api + "/user", scoped)
    assert reply.status == 200
    model = reply.json()
    assert model["kind"] == "user" and model["name"] == JAN
    assert model["groups"] == ["igm-learners"]
    assert SCOPE in model["scopes"]
    # groups come with the reply even when the token may read nothing but the name
    model = http(hub.api + "/user", narrow).json()
    assert model["name"] == JAN and model["groups"] == ["igm-learners"]
    assert SCOPE not in model["scopes"]
    assert SCOPE in http(hub.api + "/user", default).json()["scopes"]
    # a service's token: kind "service", no user name
    model = http(hub.api + "/user", hub.admin_token).json()
    assert model["kind"] == "service" and "groups" not in model
    assert http(hub.api + "/user", "forged").status == 403

    # what JupyterHub's HubAuth (the grader's token check) gets from this hub, and what the
    # grader makes of it
    tokens = (scoped, default, narrow, hub.admin_token, hub.grader_token, "forged")

    async def models() -> list[Any]:
        hub_auth = make_hub_auth(hub.api, SERVICE)
        return [await hub_auth.user_for_token(t, sync=False) for t in tokens]

    seen = run_in_thread(lambda: asyncio.run(models()))
    jan = HubUser(JAN, frozenset({"igm-learners"}))
    assert [HubUser.from_model(m) for m in seen[:3]] == [jan, jan, jan]
    assert [m["kind"] for m in seen[3:5]] == ["service", "service"] and seen[5] is None
    statuses = [http(hub.grader + "me/attempts", t).status for t in tokens]
    assert statuses == [200, 200, 403, 403, 403, 403]


def test_export_is_for_the_trainers_group_only(hub: RealHub) -> None:
    trainer = hub.token(TRAINER, [SCOPE])
    # a learner's attempt, so there is something to export
    jan = hub.token(JAN, [SCOPE])
    variant = get_exercise("compare-clients").make_variant(
        variant_key(SECRET, "compare-clients", "JAN.DE.VRIES")
    )
    reply = http(
        hub.grader + "exercises/compare-clients/attempts", jan, {"answers": wrong(variant)}
    )
    assert reply.status == 200, reply.text

    for token in (None, "forged", jan, hub.token(BEA, [SCOPE]), hub.token(TRAINER, [])):
        assert http(hub.grader + "export?kind=attempts", token).status == 403, token

    reply = http(hub.grader + "export?kind=attempts", trainer)
    assert reply.status == 200, reply.text
    assert reply.headers["Content-Type"].startswith("text/csv")
    with hub.gradebook() as gb:
        assert reply.text == attempts_csv(gb)
    reply = http(hub.grader + "export?kind=gradebook&lms=canvas", trainer)
    assert reply.status == 200, reply.text
    with hub.gradebook() as gb:
        policies = {e: str(get_exercise(e).retry) for e in gb.exercise_ids()}
        assert reply.text == gradebook_csv(gb, policies, None, lms="canvas")
    assert "JAN.DE.VRIES" in reply.text and "BEA.BAKKER" in reply.text


def server_env(hub: RealHub, user: str) -> dict[str, str]:
    """Start ``user``'s (recorded) server through the REST API; the environment it got."""
    reply = hub.admin(f"/users/{user}/server", {}, method="POST")
    assert reply.status in (201, 202), reply.text
    path = hub.workdir / f"server-env-{user}.json"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if hub.admin(f"/users/{user}").json().get("server") and path.exists():
            return dict(json.loads(path.read_text()))
        time.sleep(0.2)
    raise TimeoutError(f"{user}'s server did not start")


def test_server_token_has_the_service_scope_only_if_the_user_holds_it(hub: RealHub) -> None:
    """docs/deployment.md puts the scope in the ``server`` role; the hub trims it to the user's.

    Jan (group ``igm-learners``, whose role holds the scope): his server's token reaches the
    grader. The outsider (default ``user`` role only): the same ``server`` role gives his
    server's token no access, and the hub will not even make him a token with the scope.
    """
    env = server_env(hub, JAN)
    assert env["JUPYTERHUB_USER"] == JAN
    assert env["JUPYTERHUB_API_URL"].rstrip("/") == hub.api
    token = env["JUPYTERHUB_API_TOKEN"]
    assert SCOPE in http(hub.api + "/user", token).json()["scopes"]
    variant = get_exercise(EXERCISE).make_variant(variant_key(SECRET, EXERCISE, "JAN.DE.VRIES"))
    with hub.gradebook() as gb:
        before = attempts_of(gb, JAN)
    reply = http(hub.grader + f"exercises/{EXERCISE}/attempts", token, {"answers": wrong(variant)})
    assert reply.status == 200, reply.text
    with hub.gradebook() as gb:
        assert attempts_of(gb, JAN) == before + 1

    env = server_env(hub, OUTSIDER)
    token = env["JUPYTERHUB_API_TOKEN"]
    model = http(hub.api + "/user", token).json()
    assert model["name"] == OUTSIDER
    assert SCOPE not in model["scopes"]  # asked for by the `server` role, not granted
    assert http(hub.grader + f"exercises/{EXERCISE}", token).status == 403
    reply = hub.admin(f"/users/{OUTSIDER}/tokens", {"scopes": [SCOPE]})
    assert reply.status == 400 and "not held" in reply.json()["message"]
