"""Quiz settings in Chromium, on a real ``serve()`` started as a trainer starts it: with a
settings file named by ``IGM_EXERCISE_SETTINGS`` that allows two attempts.

Before the answers are released (after the last attempt), no page text or websocket frame holds
the right answers of the learner's variant; after the last attempt they are shown; a third
attempt is refused with the limit, and nothing is stored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from exercises import get_exercise
from exercises._texts import message
from gradebook import open_gradebook
from tests.browser_helpers import assert_accessible
from tests.conftest import run_server
from tests.exercises.answers import wrong
from tests.exercises.test_app_browser import (
    LOAD_TIMEOUT,
    Capture,
    fill_answers,
    identify,
    leaks,
    screenshot,
    shown_text,
    submit_and_wait,
)
from tests.exercises.test_no_leak import answer_texts

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EXERCISE = "recognise-determinant"


def test_two_attempts_answers_after_the_last_and_a_third_refused(
    page: Any, tmp_path: Path, artifacts_dir: Path
) -> None:
    lang, number = "nl", "Q0000002"
    settings = tmp_path / "exercise-settings.yaml"
    settings.write_text(f"{EXERCISE}:\n  attempts: 2\n", encoding="utf-8")
    database_url = f"sqlite:///{tmp_path / 'quiz.sqlite3'}"
    env = {
        "IGM_DATABASE_URL": database_url,
        "IGM_SIGN_IN": "code",  # as tests/exercises/conftest.py: a class roster with codes
        "IGM_EXERCISE_SETTINGS": str(settings),  # how a trainer passes the settings file
    }
    exercise = get_exercise(EXERCISE)
    with run_server(env, "serve-quiz.log", pool_size=0) as url:
        capture = Capture(page)
        page.goto(
            f"{url}voila/render/exercises/{EXERCISE}.ipynb",
            wait_until="commit",
            timeout=LOAD_TIMEOUT,
        )
        page.wait_for_selector(".igm-identity input", timeout=LOAD_TIMEOUT)
        identify(page, "Quinten Quiz", number, lang, database_url)
        page.wait_for_selector(".igm-exercise-form", timeout=LOAD_TIMEOUT)
        result = page.locator(".igm-result")
        assert message("settings_attempts_used", lang, used=0, limit=2) in result.inner_text()

        # attempt 1, all wrong: right or wrong and what to look at, none of the answers
        first = exercise.variant_for(number, 1)
        fill_answers(page, first, wrong(first), lang)
        page.wait_for_timeout(300)
        submit_and_wait(page, lang, 1)
        secrets = answer_texts(first, lang)
        shown = shown_text(first.public_view(lang))
        received = page.content() + "\n".join(capture.frames)
        assert not leaks(received, secrets, shown), leaks(received, secrets, shown)[:3]
        assert page.locator(".igm-feedback").count() == 8
        assert message("answers_withheld", lang) in result.inner_text()
        assert message("settings_attempts_used", lang, used=1, limit=2) in result.inner_text()
        assert_accessible(page)
        screenshot(page, artifacts_dir / "quiz_feedback_withheld_nl.png")

        # attempt 2 on questions of its own: the last one, so the answers are released
        page.get_by_role("button", name=message("next_attempt", lang)).click()
        page.wait_for_selector(".igm-feedback", state="detached", timeout=LOAD_TIMEOUT)
        second = exercise.variant_for(number, 2)
        assert second.fingerprint != first.fingerprint
        fill_answers(page, second, wrong(second), lang)
        page.wait_for_timeout(300)
        submit_and_wait(page, lang, 2)
        received = page.content() + "\n".join(capture.frames)
        released = answer_texts(second, lang)
        assert leaks(received, released, shown_text(second.public_view(lang)))  # now shown
        assert message("answers_withheld", lang) not in result.inner_text()
        assert message("settings_released", lang) in result.inner_text()
        screenshot(page, artifacts_dir / "quiz_feedback_released_nl.png")

        # a third attempt: refused beside the button, with the limit; nothing stored
        page.locator(".igm-submit").click()
        status = page.locator(".igm-submit-status [role=alert]")
        status.wait_for(timeout=LOAD_TIMEOUT)
        assert message("no_attempts_left", lang, limit=2) in status.inner_text()
        assert_accessible(page)
        screenshot(page, artifacts_dir / "quiz_third_attempt_refused_nl.png")
    with open_gradebook(database_url) as gb:
        stored = gb.attempts(number, EXERCISE)
        assert [a.attempt_no for a in stored] == [1, 2]
        assert [a.variant for a in stored] == [first.fingerprint, second.fingerprint]
