"""The exercise apps and the trainer dashboard in Chromium, served by a real ``serve()``.

A learner identifies, answers, submits and reads feedback; the trainer sees the attempt and
can export it. Security: no answer key reaches the browser before the submit click (page HTML
and every websocket frame are captured), the dashboard shows nothing without the trainer
token, and a name with markup is shown as text.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import pytest

from exercises import EXERCISE_IDS, Variant, get_exercise, grade
from exercises._base import item_label
from exercises._texts import message
from gradebook import open_gradebook
from igm import DETERMINANTS
from igm.i18n import t
from tests.browser_helpers import assert_accessible
from tests.exercises.answers import perfect, wrong
from tests.exercises.conftest import TRAINER_TOKEN, ExerciseServer
from tests.exercises.roster_helpers import roster_code_at

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LOAD_TIMEOUT = 150_000  # generous: a cold kernel on a busy 2-core machine


class Capture:
    """Everything the browser received: websocket frames, in order."""

    def __init__(self, page: Any) -> None:
        self.frames: list[str] = []

        def on_ws(ws: Any) -> None:
            ws.on("framereceived", self._add)

        page.on("websocket", on_ws)

    def _add(self, payload: Any) -> None:
        if isinstance(payload, bytes):
            payload = payload.decode("utf-8", errors="replace")
        self.frames.append(str(payload))


def fragments(text: str) -> list[str]:
    """Plain runs of a text (no quotes or markup characters), as they survive JSON and HTML
    escaping; the longest ones, at least 20 characters."""
    runs = sorted(re.findall(r"[A-Za-z0-9 ,.:;()/%-]{20,}", text), key=len, reverse=True)
    return [r.strip() for r in runs[:2] if len(r.strip()) >= 20]


def leaks(received: str, secrets: list[str], shown: str = "") -> list[str]:
    """Secrets with a fragment in ``received`` that is not in ``shown`` (what the learner
    reads anyway: feedback may quote the case's own story)."""
    return [s for s in secrets for f in fragments(s) if f in received and f not in shown]


def shown_text(view: Any) -> str:
    """Every text of a public view, its white space as the page shows it."""
    if isinstance(view, str):
        return " ".join(view.split())
    if isinstance(view, dict):
        return "\n".join(shown_text(v) for v in view.values())
    if isinstance(view, (list, tuple)):
        return "\n".join(shown_text(v) for v in view)
    return ""


def exercise_url(server: ExerciseServer, name: str, lang: str) -> str:
    query = "?lang=en" if lang == "en" else ""
    return f"{server.url}voila/render/exercises/{name}.ipynb{query}"


def identify(
    page: Any, name: str, number: str, lang: str, database_url: str = "", code: str = ""
) -> None:
    """Sign in with learner number and personal code (the server asks for codes: conftest).
    With ``database_url`` the learner is first put on a class roster there, with a new code."""
    if database_url and not code:
        code = roster_code_at(database_url, number, name)
    page.get_by_label(t("exercise_app.identity.number", lang), exact=True).fill(number)
    page.get_by_label(t("exercise_app.identity.code", lang), exact=True).fill(code or "ABCD-EFGH")
    page.get_by_role("button", name=t("exercise_app.identity.start", lang)).click()


def fill_answers(page: Any, variant: Variant, answers: dict[str, Any], lang: str) -> None:
    """Fill the form in the browser as a learner would (labels, not CSS)."""
    view = variant.public_view(lang)
    ex = variant.exercise_id
    if ex == "recognise-determinant":
        for item_id, key in answers.items():
            label = t("exercise_app.choice_for", lang, item=item_label(item_id, lang).lower())
            page.get_by_label(label, exact=True).select_option(
                label=t(f"determinant.{key}.name", lang)
            )
    elif ex == "score-case":
        for key, score in answers.items():
            label = t("exercise_app.score_for", lang, item=t(f"determinant.{key}.name", lang))
            page.get_by_label(label, exact=True).select_option(label=str(score))
    elif ex in ("compare-clients", "model-limits"):
        for item in view["items"]:
            label = t("exercise_app.choice_for", lang, item=item_label(item["id"], lang).lower())
            option = next(o for o in item["options"] if o["id"] == answers[item["id"]])
            page.get_by_label(label, exact=True).select_option(label=option["label"])
    elif ex == "choose-knob":
        wish, choice = view["items"]
        option = next(o for o in wish["options"] if o["id"] == answers["wish"])
        page.get_by_label(wish["label"], exact=True).select_option(label=option["label"])
        for option in choice["options"]:
            box = page.get_by_label(option["label"], exact=True)
            if option["id"] in answers["interventions"]:
                box.check()
    elif ex == "intervention-plan":
        for item in view["items"]:
            if item["id"] == "justification":
                page.get_by_label(item["label"], exact=True).fill(answers["justification"])
                continue
            option = next(o for o in item["options"] if o["id"] == answers[item["id"]])
            page.get_by_label(
                t("exercise_app.intervention_for", lang, item=item["determinant"]), exact=True
            ).select_option(label=option["label"])
    elif ex == "conversation":  # a button per response, turn after turn
        (item,) = view["items"]
        turns = {turn["id"]: turn for turn in item["turns"]}
        turn = turns[item["start"]]
        for response_id in answers["conversation"]:
            response = next(r for r in turn["responses"] if r["id"] == response_id)
            page.get_by_role("button", name=response["text"], exact=True).click()
            turn = turns[response["next"]]
            page.locator(".igm-dialogue-now").get_by_text(turn["client"]).wait_for()
    else:  # pragma: no cover
        raise AssertionError(ex)


def submit_and_wait(page: Any, lang: str, attempt: int) -> None:
    page.locator(".igm-submit").click()
    heading = t("exercise_app.result.heading", lang, n=attempt)
    page.get_by_text(heading).wait_for(timeout=LOAD_TIMEOUT)


def key_material(variant: Variant, lang: str) -> list[str]:
    """Texts that would give the answer away: feedback of right and wrong answers, reasons,
    and (per exercise) the key itself."""
    secrets: list[str] = []
    for answers in (perfect(variant), wrong(variant)):
        result = grade(variant, answers, lang)
        secrets += [*result.feedback.values(), result.summary]
    if variant.exercise_id == "recognise-determinant":
        secrets += [item.why(lang) for _, item in variant.items]  # type: ignore[attr-defined]
    if variant.exercise_id == "score-case":
        case = variant.case  # type: ignore[attr-defined]
        secrets += [case.evidence[key](lang) for key in DETERMINANTS]
    return secrets


def screenshot(page: Any, path: Path) -> None:
    height = page.evaluate(
        "Math.max(document.body.scrollHeight, "
        "...Array.from(document.querySelectorAll('*')).map(e => e.scrollHeight))"
    )
    page.set_viewport_size({"width": 1280, "height": min(int(height) + 40, 8000)})
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_learner_completes_the_exercise_and_no_key_reaches_the_browser_before_submit(
    page: Any, exercise_server: ExerciseServer, artifacts_dir: Path, exercise_id: str
) -> None:
    lang = "en" if EXERCISE_IDS.index(exercise_id) % 2 else "nl"
    number = f"T{EXERCISE_IDS.index(exercise_id):02d}0001"
    capture = Capture(page)
    page.goto(
        exercise_url(exercise_server, exercise_id, lang), wait_until="commit", timeout=LOAD_TIMEOUT
    )
    page.wait_for_selector(".igm-identity input", timeout=LOAD_TIMEOUT)
    if exercise_id == "recognise-determinant":
        assert_accessible(page)
        screenshot(page, artifacts_dir / f"exercise_identity_{lang}.png")
        # bad input: a clear message in the page's language, nothing stored
        identify(page, "Sam", "12", lang)
        page.locator(".igm-message [role=alert]").wait_for(timeout=LOAD_TIMEOUT)
        assert "deelnemersnummer" in page.locator(".igm-message").inner_text().lower()
        with open_gradebook(exercise_server.database_url) as gb:
            assert all(ln.display_name != "Sam" for ln in gb.learners())
    identify(page, f"Learner {exercise_id}", number, lang, exercise_server.database_url)
    page.wait_for_selector(".igm-exercise-form", timeout=LOAD_TIMEOUT)
    # bound: the identity fields are gone for good
    assert page.locator(".igm-identity input").count() == 0
    assert number in page.locator(".igm-identity").inner_text()
    variant = get_exercise(exercise_id).make_variant(number)
    answers = perfect(variant)
    fill_answers(page, variant, answers, lang)
    page.wait_for_timeout(300)  # the last value reaches the kernel

    # (1) before the submit click: nothing of the key in the page or in any frame
    secrets = key_material(variant, lang)
    before = page.content() + "\n".join(capture.frames)
    shown = shown_text(variant.public_view(lang))
    assert not leaks(before, secrets, shown), leaks(before, secrets, shown)[:3]
    if exercise_id == "recognise-determinant":
        # the item -> determinant key: determinant keys never need to reach the browser
        assert not [k for k in DETERMINANTS if f'"{k}"' in before or f">{k}<" in before]

    submit_and_wait(page, lang, 1)
    feedback = page.locator(".igm-feedback")
    assert feedback.count() == len(answers)
    result = page.locator(".igm-result").inner_text()
    maximum = get_exercise(exercise_id).max_points
    assert t("exercise_app.policy." + get_exercise(exercise_id).retry, lang) in result
    # positive control: the capture does see the feedback once it is sent (withheld: the
    # answers are released after the last attempt, exercises/settings.py)
    after = "\n".join(capture.frames)
    expected = grade(variant, answers, lang).withheld(lang).feedback
    assert any(f in after for text in expected.values() for f in fragments(text))
    assert_accessible(page)
    screenshot(page, artifacts_dir / f"exercise_{exercise_id}_{lang}.png")

    # a refused answer stores nothing; a retry adds attempt 2
    with open_gradebook(exercise_server.database_url) as gb:
        stored = gb.attempts(number, exercise_id)
        assert len(stored) == 1 and stored[0].points == pytest.approx(maximum, abs=0.05)
    if exercise_id == "recognise-determinant":
        # the next attempt has questions of its own: the learner asks for them
        page.get_by_role("button", name=message("next_attempt", lang)).click()
        page.wait_for_selector(".igm-feedback", state="detached", timeout=LOAD_TIMEOUT)
        second = get_exercise(exercise_id).variant_for(number, 2)
        fill_answers(page, second, wrong(second), lang)
        page.get_by_label(
            t("exercise_app.choice_for", lang, item=item_label("q1", lang).lower()), exact=True
        ).select_option(label=t("exercise_app.choose", lang))
        page.locator(".igm-submit").click()
        # said beside the button and at the field (tests/exercises/test_phone_browser.py)
        page.locator(".igm-submit-status [role=alert]").wait_for(timeout=LOAD_TIMEOUT)
        assert page.locator(".igm-field-error:visible").count() == 1
        with open_gradebook(exercise_server.database_url) as gb:
            assert len(gb.attempts(number, exercise_id)) == 1
        fill_answers(page, second, wrong(second), lang)
        submit_and_wait(page, lang, 2)
        with open_gradebook(exercise_server.database_url) as gb:
            assert [a.attempt_no for a in gb.attempts(number, exercise_id)] == [1, 2]
        # best counts: attempt 1 with full points
        counting = t(
            "exercise_app.counting",
            lang,
            points=8,
            max=8,
            n=1,
            total=2,
        )
        assert counting in page.locator(".igm-result").inner_text()


def open_dashboard(page: Any, server: ExerciseServer, lang: str = "en") -> None:
    query = "?lang=en" if lang == "en" else ""
    page.goto(
        f"{server.url}voila/render/exercises/dashboard.ipynb{query}",
        wait_until="commit",
        timeout=LOAD_TIMEOUT,
    )
    page.wait_for_selector(".igm-token input[type=password]", timeout=LOAD_TIMEOUT)


def record(database_url: str, number: str, name: str, exercise_id: str) -> None:
    with open_gradebook(database_url) as gb:
        gb.register_learner(number, name)
        variant = get_exercise(exercise_id).make_variant(number.upper())
        answers = wrong(variant)
        result = grade(variant, answers, "en")
        gb.for_learner(number).record_attempt(
            exercise_id, variant.fingerprint, answers, result.item_scores, result.max_points
        )


def test_dashboard_without_the_token_shows_nothing(
    page: Any, exercise_server: ExerciseServer
) -> None:
    record(exercise_server.database_url, "Q0000001", "Quirine Geheim", "score-case")
    capture = Capture(page)
    open_dashboard(page, exercise_server)
    page.get_by_label(t("dashboard.token", "en"), exact=True).fill("not-the-token")
    page.get_by_role("button", name=t("dashboard.open", "en")).click()
    page.get_by_text(t("dashboard.wrong_token", "en")).wait_for(timeout=LOAD_TIMEOUT)
    received = page.content() + "\n".join(capture.frames)
    for secret in ("Quirine", "Q0000001", "score-case"):
        assert secret not in received
    assert page.locator(".igm-overview").count() == 0
    assert_accessible(page)


def test_trainer_sees_the_attempt_escaped_and_exports_it(
    page: Any, exercise_server: ExerciseServer, artifacts_dir: Path
) -> None:
    evil = "<script>window.__pwned=1</script><img src=x onerror=window.__pwned=2>Eve"
    record(exercise_server.database_url, "E0000001", evil, "recognise-determinant")
    # a learner completes an exercise in the browser
    learner = page.context.new_page()
    learner.goto(
        exercise_url(exercise_server, "compare-clients", "en"),
        wait_until="commit",
        timeout=LOAD_TIMEOUT,
    )
    learner.wait_for_selector(".igm-identity input", timeout=LOAD_TIMEOUT)
    identify(learner, "Dana Dashboard", "D0000001", "en", exercise_server.database_url)
    learner.wait_for_selector(".igm-exercise-form", timeout=LOAD_TIMEOUT)
    variant = get_exercise("compare-clients").make_variant("D0000001")
    fill_answers(learner, variant, perfect(variant), "en")
    submit_and_wait(learner, "en", 1)
    learner.close()

    open_dashboard(page, exercise_server)
    page.get_by_label(t("dashboard.token", "en"), exact=True).fill(TRAINER_TOKEN)
    page.get_by_role("button", name=t("dashboard.open", "en")).click()
    overview = page.locator(".igm-overview")
    overview.get_by_text("Dana Dashboard").wait_for(timeout=LOAD_TIMEOUT)
    page.wait_for_function(
        "document.querySelectorAll('.vega-embed svg').length >= 6", timeout=LOAD_TIMEOUT
    )
    # the name with markup is text, and nothing of it ran
    assert evil in overview.inner_text()
    assert page.evaluate("window.__pwned") is None
    # the attempt shows up with its points; every chart has its summary sentence
    assert "D0000001" in overview.inner_text()
    assert page.locator(".igm-chart-summary").count() == len(EXERCISE_IDS)
    assert_accessible(page)
    screenshot(page, artifacts_dir / "dashboard_en.png")
    # exports: both CSVs hold the attempt
    links = page.locator(".igm-export a")
    assert links.count() == 2
    sheet, every = (
        base64.b64decode(links.nth(i).get_attribute("href").split(",", 1)[1]).decode()
        for i in range(2)
    )
    assert "D0000001,Dana Dashboard" in sheet
    rows = [r for r in every.splitlines() if r.startswith(tuple("0123456789"))]
    assert any(",D0000001,Dana Dashboard,compare-clients," in r for r in rows)
    with page.expect_download() as download:
        links.nth(1).click()
    assert download.value.suggested_filename == "igm-attempts.csv"
    # auto-refresh: a new attempt appears without a click
    record(exercise_server.database_url, "F0000001", "Fleur Later", "compare-clients")
    overview.get_by_text("Fleur Later").wait_for(timeout=45_000)


def test_answer_files_are_not_served(exercise_server: ExerciseServer) -> None:
    import urllib.error
    import urllib.request

    for path in (
        "voila/files/exercises/items/recognise-determinant.yaml",
        "voila/files/exercises/recognise.py",
        "voila/files/exercises/recognise-determinant.ipynb",
    ):
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(exercise_server.url + path, timeout=10)
    assert json  # json used for readable failure output elsewhere


def test_identity_from_a_trusted_proxy_header(
    page: Any, tmp_path: Path, artifacts_dir: Path
) -> None:
    """Voila copies configured request headers into the kernel (``HTTP_<NAME>``): with
    ``IGM_IDENTITY_HEADER`` the app takes the learner from the proxy and asks nothing. The
    browser plays the proxy here, so its address is the trusted one (a direct client's header
    is dropped: tests/apps/test_kernel_limits.py)."""
    from tests.conftest import run_server

    database_url = f"sqlite:///{tmp_path / 'header.sqlite3'}"
    env = {"IGM_DATABASE_URL": database_url, "IGM_IDENTITY_HEADER": "X-Remote-User"}
    args = ["--VoilaConfiguration.http_header_envs=X-Remote-User"]
    config = "pool_size=0, trusted_proxies=('127.0.0.1',)"
    with run_server(env, "serve-header.log", extra_args=args, config=config) as url:
        page.set_extra_http_headers({"X-Remote-User": "h0000001"})
        page.goto(
            f"{url}voila/render/exercises/compare-clients.ipynb?lang=en",
            wait_until="commit",
            timeout=LOAD_TIMEOUT,
        )
        page.wait_for_selector(".igm-exercise-form", timeout=LOAD_TIMEOUT)
        assert page.locator(".igm-identity input").count() == 0
        assert "H0000001" in page.locator(".igm-identity").inner_text()
        # without the header: refused, no form, no way to type a learner number
        page.set_extra_http_headers({})
        other = page.context.new_page()
        other.goto(
            f"{url}voila/render/exercises/compare-clients.ipynb?lang=en",
            wait_until="commit",
            timeout=LOAD_TIMEOUT,
        )
        other.get_by_text("did not pass on who you are").wait_for(timeout=LOAD_TIMEOUT)
        assert other.locator(".igm-exercise-form").count() == 0
        assert other.locator(".igm-identity input").count() == 0
    with open_gradebook(database_url) as gb:
        assert [(ln.learner_number, ln.identity_source) for ln in gb.learners()] == [
            ("H0000001", "header")
        ]
