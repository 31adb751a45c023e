"""igm-grader (exercises/grading_service.py): grades and writes the gradebook outside learners' servers.

A fake hub answers ``GET /hub/api/user`` for a few tokens, as JupyterHub does; the grader runs
on a real port with a real (SQLite) gradebook (tests/deploy/grader_helpers.py).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
import tornado.web

from exercises import get_exercise
from exercises.grading_service import (
    HubIdentity,
    HubUnavailable,
    RateLimiter,
    make_app,
    rate_from_env,
    variant_key,
)
from gradebook import open_gradebook
from gradebook.export import attempts_csv, gradebook_csv
from igm.i18n import t
from tests.conftest import free_port, run_in_thread
from tests.deploy.grader_helpers import EXERCISE, SECRET, TOKENS, call, call_raw, run_scenario
from tests.exercises.answers import perfect, wrong


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


# --- rate limit --------------------------------------------------------------------------------


def test_rate_limiter_is_a_sliding_window_per_key() -> None:
    now = [100.0]
    limiter = RateLimiter(3, 60.0, clock=lambda: now[0])
    assert [limiter.hit("ANNA01", "predict") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.hit("ANNA01", "predict") == pytest.approx(60.0)  # refused, not counted
    assert limiter.hit("ANNA01", "score-case") == 0.0  # another exercise
    assert limiter.hit("BOB002", "predict") == 0.0  # another learner
    now[0] += 59.5
    assert limiter.hit("ANNA01", "predict") == pytest.approx(0.5)
    now[0] += 0.5  # the first three leave the window together
    assert [limiter.hit("ANNA01", "predict") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.hit("ANNA01", "predict") > 0


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
        status, _ = await call(base + "exercises/predict/attempts", "tok-anna", {"answers": {}})
        assert status == 422

    run_scenario(tmp_path, scenario, rate=3)


def test_my_attempts_names_the_counting_attempt_per_policy(tmp_path: Path) -> None:
    ids = ("score-case", "predict")  # "best" and "last" in exercises.yaml
    assert {get_exercise(i).retry for i in ids} == {"best", "last"}

    async def scenario(base: str, _gb: Any) -> None:
        for exercise_id in ids:
            variant = get_exercise(exercise_id).make_variant(
                variant_key(SECRET, exercise_id, "ANNA01")
            )
            url = base + f"exercises/{exercise_id}/attempts"
            for answers in (perfect(variant), wrong(variant)):
                status, _ = await call(url, "tok-anna", {"answers": answers})
                assert status == 200
        status, mine = await call(base + "me/attempts", "tok-anna")
        assert status == 200
        counting = {i: 1 if get_exercise(i).retry == "best" else 2 for i in ids}
        assert mine["counting"] == counting
        status, one = await call(base + "me/attempts?exercise=predict", "tok-anna")
        assert {a["exercise_id"] for a in one["attempts"]} == {"predict"}
        assert one["counting"] == {"predict": counting["predict"]}
        status, none = await call(base + "me/attempts", "tok-bob")
        assert status == 200 and none == {"counting": {}, "attempts": []}
        status, _ = await call(base + "me/attempts?exercise=nope", "tok-anna")
        assert status == 404

    run_scenario(tmp_path, scenario)


# --- export for trainers -----------------------------------------------------------------------


def test_export_is_for_the_trainers_group_only(tmp_path: Path) -> None:
    anna = get_exercise(EXERCISE).make_variant(variant_key(SECRET, EXERCISE, "ANNA01"))
    bob = get_exercise("predict").make_variant(variant_key(SECRET, "predict", "BOB002"))

    async def scenario(base: str, gb: Any) -> None:
        for token, exercise_id, answers in (
            ("tok-anna", EXERCISE, perfect(anna)),
            ("tok-anna", EXERCISE, wrong(anna)),
            ("tok-bob", "predict", perfect(bob)),
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
        status, _, only = await call_raw(base + "export?kind=attempts&exercise=predict", "tok-tina")
        assert status == 200 and only == attempts_csv(gb, ["predict"])
        assert ",bob002," in only.lower() and ",anna01," not in only.lower()
        for lms in ("generic", "brightspace", "canvas", "moodle"):
            status, headers, sheet = await call_raw(
                base + f"export?kind=gradebook&lms={lms}", "tok-tina"
            )
            assert status == 200
            policies = {e: get_exercise(e).retry for e in (EXERCISE, "predict")}
            assert sheet == gradebook_csv(gb, policies, None, lms=lms)
            assert f"igm-gradebook-{lms}.csv" in headers["Content-Disposition"]
        # score-case counts the best attempt: Anna's perfect first one
        status, _, sheet = await call_raw(base + "export?kind=gradebook", "tok-tina")
        rows = {r["learner_number"].upper(): r for r in csv.DictReader(io.StringIO(sheet))}
        assert rows["ANNA01"][EXERCISE] == f"{get_exercise(EXERCISE).max_points:g}"
        assert rows["ANNA01"]["predict"] == "" and rows["BOB002"][EXERCISE] == ""
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
        identify = HubIdentity(f"http://127.0.0.1:{hub_port}/hub/api", "igm-grader")
        grader = make_app(gradebook, SECRET, identify).listen(grader_port, "127.0.0.1")
        url = f"http://127.0.0.1:{grader_port}/services/igm-grader/api/exercises/{EXERCISE}"
        try:
            for status in (500, 502):
                hub_state["status"] = status
                code, headers, _ = await call_raw(url, "tok-anna")
                assert (code, headers.get("Retry-After")) == (503, "10")
                code, _ = await call(url + "/attempts", "tok-anna", {"answers": {}})
                assert code == 503
            hub.stop()  # the hub is gone altogether: connection refused
            assert (await call_raw(url, "tok-anna"))[0] == 503
            with pytest.raises(HubUnavailable):
                await identify("tok-anna")
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
