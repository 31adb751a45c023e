"""LTI 1.3 end to end: a test platform (tests/lti/platform.py) signs real launches with its
own keys; a real kit server checks them, binds the exercise page to the launch's learner and
sends the counting grade back (and again after the platform was down); forged, expired and
replayed launches, and launches from a platform or deployment the kit was not told about, are
refused with a page in both languages; deep linking returns a signed response the platform
verifies with the tool's JWKS, once."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from exercises import get_exercise
from exercises._texts import message
from exercises.grades import counting_attempt
from gradebook import open_gradebook
from igm.i18n import LANGUAGES, t
from lti.identity import learner_number
from tests.browser_helpers import assert_accessible
from tests.exercises.answers import perfect, wrong
from tests.exercises.test_app_browser import fill_answers, submit_and_wait
from tests.lti.conftest import LtiSetup
from tests.lti.platform import DEPLOYMENT_ID, LaunchSpec

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LOAD_TIMEOUT = 150_000
SHOTS = Path("/tmp/shots/G")
EXERCISE = "recognise-determinant"


def wait_for(condition: Any, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError("timed out")
        time.sleep(0.2)


def learners(database_url: str) -> set[str]:
    with open_gradebook(database_url) as gb:
        return {learner.learner_number for learner in gb.learners()}


def assert_refused(page: Any, response_status: int | None = None, key: str = "lti.refused") -> None:
    text = page.locator("body").inner_text()
    assert "Traceback" not in text and "LtiException" not in text
    # one section per language, each marked with its language
    for lang in LANGUAGES:
        section = page.locator(f"section[lang='{lang}']")
        assert section.count() == 1, lang
        assert section.get_by_role("heading").inner_text() == t(f"{key}.heading", lang)
        assert t(f"{key}.message", lang) in section.inner_text()
    if response_status is not None:
        assert response_status == 403


def next_attempt(page: Any, number: str, attempt_no: int) -> Any:
    """Open attempt ``attempt_no`` as the learner does (after a graded attempt the page offers
    the next attempt's questions when each attempt has its own); its variant."""
    if attempt_no > 1:
        button = page.get_by_role("button", name=message("next_attempt", "en"))
        if button.count():
            button.click()
            page.wait_for_selector(".igm-feedback", state="detached", timeout=LOAD_TIMEOUT)
    return get_exercise(EXERCISE).variant_for(number, attempt_no)


def open_exercise(page: Any, lti_setup: LtiSetup, spec: LaunchSpec) -> None:
    page.goto(lti_setup.platform.prepare(spec), wait_until="commit", timeout=LOAD_TIMEOUT)
    page.wait_for_selector(".igm-exercise-form", timeout=LOAD_TIMEOUT)


def test_launch_binds_the_learner_and_the_platform_receives_the_counting_grade(
    page: Any, lti_setup: LtiSetup
) -> None:
    platform = lti_setup.platform
    spec = LaunchSpec(sub="student-7f3a", name="Eva <b>de</b> Vries", exercise=EXERCISE)
    page.goto(platform.prepare(spec), wait_until="commit", timeout=LOAD_TIMEOUT)
    page.wait_for_selector(".igm-exercise-form", timeout=LOAD_TIMEOUT)
    assert "/voila/render/exercises/" in page.url and "lti=" in page.url
    identity = page.locator(".igm-identity").inner_text()
    assert t("exercise_app.lti.bound", "en", name=spec.name) in identity  # as text, escaped
    assert page.locator(".igm-identity input").count() == 0  # nothing to type
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "lti_launch_exercise.png"), full_page=True)

    number = learner_number(platform.issuer, spec.sub)
    with open_gradebook(lti_setup.database_url) as gb:
        stored = gb.learner(number)
        assert (stored.identity_source, stored.display_name) == ("lti", spec.name)
    for attempt_no, answer in ((1, wrong), (2, perfect), (3, wrong)):
        variant = next_attempt(page, number, attempt_no)
        fill_answers(page, variant, answer(variant), "en")
        page.wait_for_timeout(300)
        submit_and_wait(page, "en", attempt_no)
        wait_for(lambda n=attempt_no: len(platform.scores) >= n)
        with open_gradebook(lti_setup.database_url) as gb:
            counting = counting_attempt(gb.for_learner(number), EXERCISE)
        assert counting is not None
        score = platform.scores[-1]
        assert score["scoreGiven"] == pytest.approx(counting.points)
        assert score["scoreMaximum"] == pytest.approx(counting.max_points)
        assert score["userId"] == spec.sub
        assert score["activityProgress"] == "Completed"
        assert score["gradingProgress"] == "FullyGraded"
        assert score["lineitem"] == EXERCISE
        assert score["content_type"].startswith("application/vnd.ims.lis.v1.score+json")
        assert t("exercise_app.lti.not_sent", "en") not in page.locator("body").inner_text()
    # best counts: after a perfect attempt 2, a wrong attempt 3 still sends the maximum
    assert platform.scores[-1]["scoreGiven"] == pytest.approx(get_exercise(EXERCISE).max_points)
    assert not platform.errors
    page.screenshot(path=str(SHOTS / "lti_after_submit.png"), full_page=True)

    # a reload (or another browser with this address) cannot use the ticket again
    exercise_page = page.url
    page.goto(exercise_page, wait_until="commit", timeout=LOAD_TIMEOUT)
    page.get_by_text(t("exercise_app.lti.open_again", "en")).wait_for(timeout=LOAD_TIMEOUT)
    assert page.locator(".igm-exercise-form").count() == 0

    # the same id_token and state posted again (same browser, state cookie still set): refused
    replay = platform.posted[-1]
    response = page.request.post(lti_setup.kit_url + "lti/launch", form=replay)
    assert response.status == 403
    page.set_content(response.text())
    assert_refused(page)


@pytest.mark.parametrize("mode", ["forged", "expired"])
def test_forged_and_expired_launches_are_refused(page: Any, lti_setup: LtiSetup, mode: str) -> None:
    platform = lti_setup.platform
    spec = LaunchSpec(sub=f"attacker-{mode}", name="Mallory", exercise=EXERCISE, mode=mode)
    before = learners(lti_setup.database_url)
    responses: list[Any] = []
    page.on("response", lambda r: responses.append(r) if r.url.endswith("lti/launch") else None)
    page.goto(platform.prepare(spec), wait_until="commit", timeout=LOAD_TIMEOUT)
    page.get_by_text(t("lti.refused.heading", "en")).first.wait_for(timeout=LOAD_TIMEOUT)
    assert_refused(page, responses[-1].status)
    if mode == "forged":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "lti_forged_refused.png"), full_page=True)
    after = learners(lti_setup.database_url)
    assert after == before
    assert learner_number(platform.issuer, spec.sub) not in after


def test_deep_linking_returns_a_signed_response_naming_the_exercise(
    page: Any, lti_setup: LtiSetup
) -> None:
    platform = lti_setup.platform
    spec = LaunchSpec(
        sub="teacher-1",
        name="Trainer",
        kind="deeplink",
        locale="nl-NL",
        roles=["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
    )
    page.goto(platform.prepare(spec), wait_until="commit", timeout=LOAD_TIMEOUT)
    page.get_by_role("heading", name=t("lti.picker.heading", "nl")).wait_for(timeout=LOAD_TIMEOUT)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "lti_deep_link_picker.png"), full_page=True)
    title = get_exercise("score-case").title("nl")
    page.get_by_role("button", name=title).click()
    page.locator("#received").wait_for(timeout=LOAD_TIMEOUT)
    assert title in page.locator("#received").inner_text()
    claims = platform.deep_links[-1]
    assert claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] == (
        "LtiDeepLinkingResponse"
    )
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "platform-data-42"
    (item,) = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert item["type"] == "ltiResourceLink"
    assert item["custom"] == {"exercise": "score-case"}
    assert item["url"] == lti_setup.kit_url + "lti/launch"
    assert item["lineItem"]["scoreMaximum"] == pytest.approx(get_exercise("score-case").max_points)
    assert not platform.errors


def test_a_failed_passback_keeps_the_attempt_and_the_next_submit_sends_the_grade(
    page: Any, lti_setup: LtiSetup
) -> None:
    platform = lti_setup.platform
    spec = LaunchSpec(sub="student-offline-9", name="Noor Bakker", exercise=EXERCISE)
    number = learner_number(platform.issuer, spec.sub)
    open_exercise(page, lti_setup, spec)
    received, refused = len(platform.scores), len(platform.refused_scores)
    platform.scores_status = 500  # the platform's scores endpoint is down
    try:
        first = next_attempt(page, number, 1)
        fill_answers(page, first, perfect(first), "en")
        page.wait_for_timeout(300)
        submit_and_wait(page, "en", 1)
        page.get_by_text(t("exercise_app.lti.not_sent", "en")).wait_for(timeout=LOAD_TIMEOUT)
    finally:
        platform.scores_status = 200
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "lti_passback_failed.png"), full_page=True)
    assert len(platform.refused_scores) == refused + 1  # it was tried, and refused
    assert len(platform.scores) == received  # nothing reached the grade column
    with open_gradebook(lti_setup.database_url) as gb:
        (stored,) = gb.for_learner(number).attempts(EXERCISE)  # the attempt is kept
        assert stored.points == pytest.approx(get_exercise(EXERCISE).max_points)

    # the platform is back: the next submit (a worse attempt) sends the then counting grade
    second = next_attempt(page, number, 2)
    fill_answers(page, second, wrong(second), "en")
    page.wait_for_timeout(300)
    submit_and_wait(page, "en", 2)
    wait_for(lambda: len(platform.scores) > received)
    with open_gradebook(lti_setup.database_url) as gb:
        counting = counting_attempt(gb.for_learner(number), EXERCISE)
    assert counting is not None and counting.attempt_no == 1  # best counts: the first
    (score,) = platform.scores[received:]
    assert score["userId"] == spec.sub
    assert score["scoreGiven"] == pytest.approx(counting.points)
    assert score["scoreMaximum"] == pytest.approx(counting.max_points)
    page.get_by_text(t("exercise_app.lti.not_sent", "en")).wait_for(
        state="detached", timeout=LOAD_TIMEOUT
    )
    assert not platform.errors


@pytest.mark.parametrize("unknown", ["platform", "deployment", "deployment-in-token"])
def test_a_launch_from_a_platform_or_deployment_not_configured_is_refused(
    browser: Any, lti_setup: LtiSetup, unknown: str
) -> None:
    platform = lti_setup.platform
    spec = LaunchSpec(
        sub=f"stranger-{unknown}",
        name="Someone Else",
        exercise=EXERCISE,
        locale="nl-NL",
        issuer="https://lms.elsewhere.example" if unknown == "platform" else None,
        deployment_id=DEPLOYMENT_ID if unknown == "platform" else "deployment-not-configured",
        deployment_at_login=unknown != "deployment-in-token",
    )
    before = learners(lti_setup.database_url)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        responses: list[Any] = []
        page.on("response", lambda r: responses.append(r) if "/lti/" in r.url else None)
        page.goto(platform.prepare(spec), wait_until="commit", timeout=LOAD_TIMEOUT)
        heading = t("lti.not_registered.heading", "en")
        page.get_by_text(heading).first.wait_for(timeout=LOAD_TIMEOUT)
        # refused at the login when it names the platform and deployment, else at the launch
        step = "lti/launch" if unknown == "deployment-in-token" else "lti/login"
        refusal = responses[-1]
        assert step in refusal.url
        assert_refused(page, refusal.status, "lti.not_registered")
        assert page.locator("html").get_attribute("lang") == "nl"
        page.screenshot(path=str(SHOTS / f"lti_unknown_{unknown}_390.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert_accessible(page)
    finally:
        context.close()
    assert learners(lti_setup.database_url) == before


def test_a_deep_linking_pick_is_answered_once(page: Any, lti_setup: LtiSetup) -> None:
    platform = lti_setup.platform
    spec = LaunchSpec(
        sub="teacher-2",
        name="Trainer",
        kind="deeplink",
        roles=["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
    )
    page.goto(platform.prepare(spec), wait_until="commit", timeout=LOAD_TIMEOUT)
    page.get_by_role("heading", name=t("lti.picker.heading", "en")).wait_for(timeout=LOAD_TIMEOUT)
    launch_id = page.locator("input[name=launch]").get_attribute("value")
    assert launch_id
    title = get_exercise(EXERCISE).title("en")
    page.get_by_role("button", name=title).click()
    page.locator("#received").wait_for(timeout=LOAD_TIMEOUT)
    answered = len(platform.deep_links)

    # the same pick again (the back button, or a copy of the form): refused, nothing sent
    for exercise_id in (EXERCISE, "score-case"):
        response = page.request.post(
            lti_setup.kit_url + "lti/deeplink", form={"launch": launch_id, "exercise": exercise_id}
        )
        assert response.status == 403
        page.set_content(response.text())
        assert_refused(page)
        assert "JWT" not in response.text()
    assert len(platform.deep_links) == answered
    assert not platform.errors
