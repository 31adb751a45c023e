"""igm-grader (exercises/grading_service.py): grades and writes the gradebook outside learners' servers.

A fake hub answers ``GET /hub/api/user`` for a few tokens, as JupyterHub does; the grader runs
on a real port with a real (SQLite) gradebook (tests/deploy/grader_helpers.py).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest
import tornado.httpclient
import tornado.web
from sqlalchemy import event

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pytest itself depends on tomli there
    import tomli as tomllib

from exercises import get_exercise
from exercises.grading_service import (
    DEFAULT_TRAINERS_GROUP,
    RateLimiter,
    main,
    make_app,
    make_hub_auth,
    rate_from_env,
    settings_from_env,
    variant_key,
)
from gradebook import open_gradebook
from gradebook.export import attempts_csv, gradebook_csv
from igm.i18n import t
from tests.conftest import free_port, run_in_thread
from tests.deploy.grader_helpers import (
    EXERCISE,
    SECRET,
    TOKENS,
    call,
    call_raw,
    fetch,
    grader_in_background,
    run_scenario,
)
from tests.exercises.answers import perfect, wrong

ROOT = Path(__file__).resolve().parents[2]


def test_refuses_requests_without_a_hub_token_for_this_service(tmp_path: Path) -> None:
    async def scenario(base: str, _gb: Any) -> None:
        for token in (None, "forged", "tok-carl-noscope", "tok-service"):
            status, _ = await call(base + f"exercises/{EXERCISE}", token)
            assert status == 403, token
            status, _ = await call(base + f"exercises/{EXERCISE}/attempts", token, {"answers": {}})
            assert status == 403, token
        # a valid token counts only in the Authorization header, not in the URL
        status, _ = await call(base + f"exercises/{EXERCISE}?token=tok-anna", None)
        assert status == 403

    run_scenario(tmp_path, scenario)


def test_public_view_only_of_the_keyed_variant(tmp_path: Path) -> None:
    async def scenario(base: str, _gb: Any) -> dict[str, Any]:
        status, view = await call(base + f"exercises/{EXERCISE}?lang=en", "tok-anna")
        assert status == 200
        return view

    view = run_scenario(tmp_path, scenario)
    variant = get_exercise(EXERCISE).make_variant(variant_key(SECRET, EXERCISE, "ANNA01"))
    quiz = view.pop("quiz")  # the settings the page shows: nothing of the key
    assert quiz == {
        "attempts": 3,
        "used": 0,
        "opens": None,
        "closes": None,
        "new_variant_per_attempt": True,
        "show_answers": "after_last_attempt",
    }
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
        # the second attempt is graded on its own variant (new_variant_per_attempt)
        second = exercise.variant_for(variant_key(SECRET, EXERCISE, "ANNA01"), 2)
        status, body = await call(url, "tok-anna", {"answers": wrong(second)})
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


def test_a_deeply_nested_body_is_refused_with_400_not_a_crash(tmp_path: Path) -> None:
    async def scenario(base: str, gb: Any) -> None:
        url = base + f"exercises/{EXERCISE}/attempts"
        deep = '{"answers": ' + "[" * 2000 + "]" * 2000 + "}"
        request = tornado.httpclient.HTTPRequest(
            url, method="POST", body=deep, headers={"Authorization": "token tok-anna"}
        )
        client = tornado.httpclient.AsyncHTTPClient()
        response = await client.fetch(request, raise_error=False)
        assert response.code == 400
        assert b"Traceback" not in response.body
        assert gb.attempts() == []
        # the server is still there for a normal learner
        status, _ = await call(url, "tok-anna", {"answers": {}})
        assert status == 422

    run_scenario(tmp_path, scenario)


def test_secret_must_be_long() -> None:
    hub_auth = make_hub_auth("http://127.0.0.1:1/hub/api", "igm-grader")
    with pytest.raises(ValueError, match="IGM_GRADER_SECRET"):
        make_app(None, "short", hub_auth)  # type: ignore[arg-type]


# --- rate limit --------------------------------------------------------------------------------


def test_rate_limiter_is_a_sliding_window_per_key() -> None:
    now = [100.0]
    limiter = RateLimiter(3, 60.0, clock=lambda: now[0])
    assert [limiter.hit("ANNA01", "choose-knob") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.hit("ANNA01", "choose-knob") == pytest.approx(60.0)  # refused, not counted
    assert limiter.hit("ANNA01", "score-case") == 0.0  # another exercise
    assert limiter.hit("BOB002", "choose-knob") == 0.0  # another learner
    now[0] += 59.5
    assert limiter.hit("ANNA01", "choose-knob") == pytest.approx(0.5)
    now[0] += 0.5  # the first three leave the window together
    assert [limiter.hit("ANNA01", "choose-knob") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.hit("ANNA01", "choose-knob") > 0


@pytest.mark.parametrize(("value", "rate"), [(None, 10), ("", 10), ("25", 25), (" 3 ", 3)])
def test_rate_from_env(value: str | None, rate: int) -> None:
    assert rate_from_env(value) == rate


@pytest.mark.parametrize("value", ["0", "-1", "ten", "2.5"])
def test_rate_from_env_refuses_nonsense(value: str) -> None:
    with pytest.raises(ValueError, match="IGM_GRADER_RATE"):
        rate_from_env(value)


def test_too_many_attempts_get_429_and_nothing_is_stored(tmp_path: Path) -> None:
    anna = get_exercise(EXERCISE).make_variant(variant_key(SECRET, EXERCISE, "ANNA01"))

    async def scenario(base: str, gb: Any) -> None:
        url = base + f"exercises/{EXERCISE}/attempts"
        status, _ = await call(url, "tok-anna", {"answers": {"nonsense": 1}})
        assert status == 422  # a malformed post counts too
        for _ in range(2):
            status, _ = await call(url, "tok-anna", {"answers": wrong(anna)})
            assert status == 200
        status, headers, text = await call_raw(url, "tok-anna", {"answers": perfect(anna)})
        assert status == 429
        body = json.loads(text)
        assert body["error"] == "rate_limited"
        assert 1 <= body["retry_after"] <= 60 and headers["Retry-After"] == str(body["retry_after"])
        for lang in ("nl", "en"):
            expected = t("grader.rate_limited", lang, limit=3, seconds=body["retry_after"])
            assert body["messages"][lang] == expected
        assert len(gb.attempts("ANNA01")) == 2
        # others, and other exercises, are not held back by Anna's limit
        status, _ = await call(url, "tok-bob", {"answers": {}})
        assert status == 422
        status, _ = await call(base + "exercises/choose-knob/attempts", "tok-anna", {"answers": {}})
        assert status == 422

    run_scenario(tmp_path, scenario, rate=3)


def test_my_attempts_names_the_counting_attempt_per_policy(tmp_path: Path) -> None:
    ids = ("score-case", "choose-knob")  # "best" and "last" in exercises.yaml
    assert {get_exercise(i).retry for i in ids} == {"best", "last"}

    async def scenario(base: str, _gb: Any) -> None:
        for exercise_id in ids:
            key = variant_key(SECRET, exercise_id, "ANNA01")
            url = base + f"exercises/{exercise_id}/attempts"
            for n, make in enumerate((perfect, wrong), start=1):
                variant = get_exercise(exercise_id).variant_for(key, n)
                status, _ = await call(url, "tok-anna", {"answers": make(variant)})
                assert status == 200
        status, mine = await call(base + "me/attempts", "tok-anna")
        assert status == 200
        counting = {i: 1 if get_exercise(i).retry == "best" else 2 for i in ids}
        assert mine["counting"] == counting
        status, one = await call(base + "me/attempts?exercise=choose-knob", "tok-anna")
        assert {a["exercise_id"] for a in one["attempts"]} == {"choose-knob"}
        assert one["counting"] == {"choose-knob": counting["choose-knob"]}
        status, none = await call(base + "me/attempts", "tok-bob")
        assert status == 200 and none == {"counting": {}, "attempts": []}
        status, _ = await call(base + "me/attempts?exercise=nope", "tok-anna")
        assert status == 404

    run_scenario(tmp_path, scenario)


# --- export for trainers -----------------------------------------------------------------------


def test_export_is_for_the_trainers_group_only(tmp_path: Path) -> None:
    anna = get_exercise(EXERCISE).make_variant(variant_key(SECRET, EXERCISE, "ANNA01"))
    bob = get_exercise("choose-knob").make_variant(variant_key(SECRET, "choose-knob", "BOB002"))

    async def scenario(base: str, gb: Any) -> None:
        for token, exercise_id, answers in (
            ("tok-anna", EXERCISE, perfect(anna)),
            ("tok-anna", EXERCISE, wrong(anna)),
            ("tok-bob", "choose-knob", perfect(bob)),
        ):
            url = base + f"exercises/{exercise_id}/attempts"
            status, _ = await call(url, token, {"answers": answers})
            assert status == 200
        # nobody outside the group, nobody without a token for this service
        for token in (
            None,
            "forged",
            "tok-anna",
            "tok-bob",
            "tok-carl-noscope",
            "tok-tom-nogroups",
        ):
            status, _, _ = await call_raw(base + "export?kind=attempts", token)
            assert status == 403, token
        # the trainer gets exactly what the gradebook's export functions write
        status, headers, text = await call_raw(base + "export?kind=attempts", "tok-tina")
        assert status == 200, text
        assert headers["Content-Type"].startswith("text/csv")
        assert headers["Cache-Control"] == "no-store"
        assert text == attempts_csv(gb)
        rows = text.splitlines()
        assert len(rows) == 4 and rows[0].startswith("attempt_id,learner_number")
        # (hub user names are exported as the hub knows them: lower case)
        assert sum(",anna01," in row.lower() for row in rows) == 2
        status, _, only = await call_raw(
            base + "export?kind=attempts&exercise=choose-knob", "tok-tina"
        )
        assert status == 200 and only == attempts_csv(gb, ["choose-knob"])
        assert ",bob002," in only.lower() and ",anna01," not in only.lower()
        for lms in ("generic", "brightspace", "canvas", "moodle"):
            status, headers, sheet = await call_raw(
                base + f"export?kind=gradebook&lms={lms}", "tok-tina"
            )
            assert status == 200
            policies = {e: get_exercise(e).retry for e in (EXERCISE, "choose-knob")}
            assert sheet == gradebook_csv(gb, policies, None, lms=lms)
            assert f"igm-gradebook-{lms}.csv" in headers["Content-Disposition"]
        # score-case counts the best attempt: Anna's perfect first one
        status, _, sheet = await call_raw(base + "export?kind=gradebook", "tok-tina")
        rows = {r["learner_number"].upper(): r for r in csv.DictReader(io.StringIO(sheet))}
        assert rows["ANNA01"][EXERCISE] == f"{get_exercise(EXERCISE).max_points:g}"
        assert rows["ANNA01"]["choose-knob"] == "" and rows["BOB002"][EXERCISE] == ""
        for query in ("kind=everything", "lms=blackboard", "exercise=nope"):
            status, _, _ = await call_raw(base + f"export?{query}", "tok-tina")
            assert status in (400, 404), query

    run_scenario(tmp_path, scenario)


def test_trainers_group_is_configurable(tmp_path: Path) -> None:
    async def scenario(base: str, _gb: Any) -> None:
        for token in ("tok-tina", "tok-bob"):  # in igm-trainers only; in no group
            status, _, _ = await call_raw(base + "export", token)
            assert status == 403, token
        status, _, text = await call_raw(base + "export", "tok-anna")  # in cohort-2025
        assert status == 200 and text.startswith("learner_number,display_name")

    run_scenario(tmp_path, scenario, trainers_group="cohort-2025")


def test_a_hub_outage_gives_503_and_is_not_remembered(tmp_path: Path) -> None:
    """Hub down or answering 5xx: 503 with Retry-After, nothing cached, nothing stored; once
    the hub is back the same token works at once (no minute of 403s)."""
    hub_state = {"status": 500}

    class FlakyHub(tornado.web.RequestHandler):
        def get(self) -> None:
            if hub_state["status"] != 200:
                raise tornado.web.HTTPError(hub_state["status"])
            self.finish(TOKENS["tok-anna"])

    async def scenario() -> None:
        hub_port, grader_port = free_port(), free_port()
        hub = tornado.web.Application([(r"/hub/api/user", FlakyHub)]).listen(hub_port, "127.0.0.1")
        gradebook = open_gradebook(f"sqlite:///{tmp_path / 'grades.sqlite3'}")
        hub_auth = make_hub_auth(f"http://127.0.0.1:{hub_port}/hub/api", "igm-grader")
        grader = make_app(gradebook.engine, SECRET, hub_auth).listen(grader_port, "127.0.0.1")
        url = f"http://127.0.0.1:{grader_port}/services/igm-grader/api/exercises/{EXERCISE}"
        try:
            for status in (500, 502):
                hub_state["status"] = status
                code, headers, _ = await call_raw(url, "tok-anna")
                assert (code, headers.get("Retry-After")) == (503, "10")
                code, _ = await call(url + "/attempts", "tok-anna", {"answers": {}})
                assert code == 503
            # the hub is gone altogether: connection refused (kept-alive connections closed too)
            hub.stop()
            await hub.close_all_connections()
            assert (await call_raw(url, "tok-anna"))[0] == 503
            hub_state["status"] = 200
            hub = tornado.web.Application([(r"/hub/api/user", FlakyHub)]).listen(
                hub_port, "127.0.0.1"
            )
            code, view = await call(url, "tok-anna")
            assert code == 200 and view["exercise"] == EXERCISE
            assert gradebook.learners() == []  # the outage stored nothing
        finally:
            grader.stop()
            hub.stop()
            gradebook.close()

    run_in_thread(lambda: asyncio.run(scenario()))


# --- database work off the event loop ------------------------------------------------------------


def test_a_request_waiting_for_the_database_does_not_hold_up_the_others(tmp_path: Path) -> None:
    """Another connection holds SQLite's write lock (as a long commit elsewhere would): Anna's
    attempt waits for it in a worker thread, and meanwhile the grader still answers Bob. Once
    the lock is released, Anna's attempt is stored. (With the database call on the event loop,
    Bob's request would wait too, until the 30 s busy timeout: his request gives up first.)"""
    db = tmp_path / "grades.sqlite3"
    anna = get_exercise(EXERCISE).make_variant(variant_key(SECRET, EXERCISE, "ANNA01"))
    with grader_in_background(db) as grader:
        reached_database = threading.Event()

        def on_statement(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if statement.startswith("BEGIN"):  # the gradebook's BEGIN IMMEDIATE: waits for the lock
                reached_database.set()

        event.listen(grader.gradebook.engine, "before_cursor_execute", on_statement)
        locker = sqlite3.connect(db, isolation_level=None)
        locker.execute("BEGIN IMMEDIATE")  # SQLite's one write lock, held
        with ThreadPoolExecutor(max_workers=1) as pool:
            try:
                posting = pool.submit(
                    fetch,
                    grader.api + f"exercises/{EXERCISE}/attempts",
                    "tok-anna",
                    {"answers": perfect(anna)},
                    120.0,
                )
                assert reached_database.wait(60), "Anna's attempt never reached the database"
                # Bob is answered meanwhile. (His view and his attempts need the database
                # too now: which variant is his depends on how many attempts he made. A
                # request the grader answers without it shows the event loop is free.)
                status, _ = fetch(grader.api + f"exercises/{EXERCISE}?lang=en", "forged")
                assert status == 403
                status, _ = fetch(grader.api + "exercises/no-such-exercise/attempts", "tok-bob", {})
                assert status == 404
                assert not posting.done()  # Anna's attempt is still waiting for the lock
            finally:
                locker.execute("ROLLBACK")
                locker.close()
            status, body = posting.result(timeout=120)
        assert status == 200, body
        assert body["attempt_no"] == 1
        assert [a.attempt_no for a in grader.gradebook.attempts("ANNA01")] == [1]


# --- the igm-grader command ----------------------------------------------------------------------


def test_igm_grader_is_a_console_script_of_the_kit() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    scripts = tomllib.loads(text)["project"]["scripts"]
    assert scripts["igm-grader"] == "exercises.grading_service:main"
    entry = EntryPoint("igm-grader", scripts["igm-grader"], "console_scripts")
    assert entry.load() is main


GOOD_ENV = {
    "IGM_DATABASE_URL": "sqlite:////tmp/never-opened.sqlite3",
    "IGM_GRADER_SECRET": SECRET,
    "JUPYTERHUB_API_URL": "http://hub:8081/hub/api",
}


def test_settings_come_from_the_environment_with_the_hubs_names() -> None:
    settings = settings_from_env(GOOD_ENV)
    assert (settings.service_name, settings.prefix) == ("igm-grader", "/services/igm-grader/")
    assert (settings.rate, settings.trainers_group) == (10, DEFAULT_TRAINERS_GROUP)
    assert SECRET not in repr(settings) and "never-opened" not in repr(settings)
    named = settings_from_env(
        {
            **GOOD_ENV,
            "JUPYTERHUB_SERVICE_NAME": "grader-2",
            "IGM_GRADER_RATE": "4",
            "IGM_GRADER_TRAINERS": "docenten",
        }
    )
    assert (named.service_name, named.prefix) == ("grader-2", "/services/grader-2/")
    assert (named.rate, named.trainers_group) == (4, "docenten")


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"IGM_DATABASE_URL": ""}, "IGM_DATABASE_URL"),
        ({"IGM_GRADER_SECRET": "short"}, "IGM_GRADER_SECRET"),
        ({"JUPYTERHUB_API_URL": " "}, "JUPYTERHUB_API_URL"),
        ({"JUPYTERHUB_SERVICE_PREFIX": "services/x/"}, "JUPYTERHUB_SERVICE_PREFIX"),
        ({"IGM_GRADER_RATE": "0"}, "IGM_GRADER_RATE"),
    ],
)
def test_a_missing_or_wrong_setting_stops_the_command_with_one_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    change: dict[str, str],
    named: str,
) -> None:
    for name, value in {**GOOD_ENV, **change}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as stopped:
        main(["--port", str(free_port())])
    assert stopped.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("igm-grader: error: ") and named in error
    assert SECRET not in error
