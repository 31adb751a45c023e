"""Chromium: a trainer screen and three participants on phones; answers appear live."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser_helpers import assert_accessible
from tests.conftest import guarded_page
from tests.live.conftest import LiveServer

pytestmark = pytest.mark.browser

SCORES = [
    {"attitude": 3, "social_influence": 3, "self_efficacy": 2, "knowledge_skills": 4},
    {"attitude": 4, "social_influence": 2, "self_efficacy": 6, "knowledge_skills": 4},
    {"attitude": 5, "social_influence": 3, "self_efficacy": 1, "knowledge_skills": 4},
]


def join(p: Any, i: int) -> None:
    p.get_by_label("Je naam of bijnaam (mag leeg blijven)").fill(f"<b>deelnemer {i}</b>")
    p.get_by_role("button", name="Meedoen").click()
    p.locator("#round1").wait_for(state="visible")


def answer_round(p: Any, i: int, rnd: int) -> None:
    """Answer the round that is open; only that round's form is on the phone."""
    form = p.locator(f"#round{rnd}")
    form.wait_for(state="visible", timeout=10_000)
    assert p.locator("form.round:visible").count() == 1
    if rnd == 1:
        values = {
            **dict.fromkeys(("home_situation", "capacity", "self_regulation"), 3),
            **SCORES[i],
        }
        for key, value in values.items():
            form.locator(f'input[name="{key}"][value="{value}"] + span').click()
    elif rnd == 2:
        p.get_by_label("Hoe groot is de kans", exact=False).fill(str(20 + 10 * i))
    else:
        form.locator("label.vote").nth(2).click()
    form.get_by_role("button", name="Opslaan").click()
    form.locator(".msg").filter(has_text="Opgeslagen").wait_for()


def test_three_participants_appear_on_the_trainer_screen(
    browser: Any, page: Any, live_server: LiveServer, artifacts_dir: Path
) -> None:
    session = live_server.store.create_session("marja-bijstand", "nl")
    code = session["code"]
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{live_server.url}live/trainer/{code}?key={live_server.token}")
    assert "key=" not in page.url  # the key is swapped for a cookie and leaves the address bar
    page.get_by_text("Deelnemers: 0").wait_for()
    assert page.locator(".qr svg[role=img]").count() == 1

    with (
        guarded_page(browser, 360, 740) as p0,
        guarded_page(browser, 360, 740) as p1,
        guarded_page(browser, 360, 740) as p2,
    ):
        phones = [p0, p1, p2]
        for i, p in enumerate(phones):
            p.goto(f"{live_server.url}live/join?code={code}")
            if i == 0:
                assert_accessible(p)
            join(p, i)
            answer_round(p, i, 1)
        for rnd in (2, 3):  # the trainer opens the next round; the phones follow
            page.get_by_role("button", name=f"Open ronde {rnd}").click()
            page.wait_for_load_state()
            for i, p in enumerate(phones):
                answer_round(p, i, rnd)
        p0.screenshot(path=str(artifacts_dir / "live-participant-360.png"), full_page=False)
        assert_accessible(p0)
        # No horizontal scrolling on a 360 px phone.
        assert p0.evaluate("document.documentElement.scrollWidth") <= 360

        # The trainer screen updates by itself (long-poll), no reload.
        page.get_by_text("Deelnemers: 3").wait_for(timeout=10_000)
        page.get_by_text("3 deelnemers gaven scores", exact=False).wait_for(timeout=10_000)
        page.get_by_text("3 voorspellingen, gemiddeld 30%", exact=False).wait_for()
        page.get_by_text("3 stemmen", exact=False).wait_for()
        # self_efficacy got 2, 6, 1: the room disagrees most there.
        assert "Geloof in eigen kunnen" in page.locator(".row.flagged h3").inner_text()
        assert "<b>" not in page.content()  # names are never shown on the projector
        # One projector screen shows it all: no scrolling to reach the votes at 1920 x 1080.
        votes = page.locator("section[aria-labelledby=h-votes]").bounding_box()
        assert votes is not None and votes["y"] + votes["height"] <= 1080
        assert page.evaluate("document.documentElement.scrollHeight") <= 1080

        # A participant who reconnects keeps the answers (token in localStorage).
        p1.reload()
        p1.locator("#round3").wait_for(state="visible")  # the open round, answered before
        p1.locator("#round3 .msg").filter(has_text="al beantwoord").wait_for()
        # (a locator assertion, not wait_for_function: the page's CSP forbids the eval that
        # Playwright's polling of a string predicate needs)
        expect(p1.locator('#round1 input[name=self_efficacy][value="6"]')).to_be_checked()
        assert p1.locator("#percent").input_value() == "30"

        # On request: the case's reference scores and the model's view.
        page.get_by_role("button", name="Toon referentie en model").click()
        page.get_by_role("heading", name="Referentie", exact=False).wait_for()
        page.screenshot(path=str(artifacts_dir / "live-trainer-1920.png"), full_page=True)
        assert_accessible(page)

        # Closing the session: participants see it and cannot answer any more.
        page.get_by_role("button", name="Sessie sluiten").click()
        page.get_by_role("button", name="Sessie heropenen").wait_for()
        p2.get_by_text("Deze sessie is gesloten", exact=False).wait_for(timeout=10_000)
        assert p2.locator("#round1 button").is_disabled()

    csv_text = live_server.store.export_csv(code)
    assert len(csv_text.strip().splitlines()) == 4


def test_trainer_logs_in_and_starts_a_session_from_the_dashboard(
    page: Any, live_server: LiveServer
) -> None:
    page.goto(f"{live_server.url}live/trainer?lang=en")
    assert_accessible(page)  # the login form
    page.get_by_label("Trainer key").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    page.get_by_label("Trainer key").fill(live_server.token or "")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Start a new session").wait_for()
    page.get_by_role("link", name="Nederlands").click()
    page.get_by_role("heading", name="Nieuwe sessie starten").wait_for()
    assert_accessible(page)
    page.get_by_label("Casus").select_option("lotte-na-burn-out")
    page.get_by_label("Taal van de sessie").select_option("en")
    page.get_by_role("button", name="Sessie starten").click()
    page.get_by_text("Participants: 0").wait_for()
    code = page.url.rstrip("/").rsplit("/", 1)[1]
    assert live_server.store.session(code)["lang"] == "en"
    # The participants' code page, in English, with a keyboard.
    page.goto(f"{live_server.url}live/join?lang=en")
    assert_accessible(page)
    page.get_by_label("Session code").fill(code.lower())
    page.keyboard.press("Enter")
    assert "Round 1" in page.locator("#r1-h").inner_text()  # hidden until joined
    page.get_by_role("button", name="Join").wait_for()
    assert_accessible(page)
