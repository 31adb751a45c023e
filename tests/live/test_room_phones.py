"""A room of phones in Chromium (issue 15, point 3 and 4): 30 participants on 390 x 844 phones
join, answer two rounds and see the reveal while the projector counts each of them once; a
device that joins again is the same participant; a flood is held back with a friendly message;
the projector fits one screen at 1366 x 768 and 1920 x 1080 with 60 participants' votes."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from igm.determinants import DETERMINANTS
from live.limits import ANSWERS, JOINS_PER_ADDRESS, Limit, RateLimiter
from live.store import LiveStore
from tests.conftest import guarded_page
from tests.live.conftest import Client, LiveServer

PHONE = {"width": 390, "height": 844}
SIZES = [(1366, 768), (1920, 1080)]
# What a phone shows must fit its width, and every control a thumb must hit is 44 px tall.
PHONE_CHECK = """() => {
  const controls = [...document.querySelectorAll(
    'button, input:not([type=radio]), select, a, summary, label.opt span, label.vote span')]
    .filter(e => e.offsetParent !== null)
    .map(e => [e.id || e.textContent.trim().slice(0, 30), e.getBoundingClientRect().height]);
  return {scrollWidth: document.documentElement.scrollWidth,
          small: controls.filter(c => c[1] < 44)};
}"""


FLOOD = """async (code) => {
  const token = window.localStorage.getItem("igm-live:" + code);
  const xsrf = decodeURIComponent(document.cookie.match(/_xsrf=([^;]*)/)[1]);
  const value = {};
  for (const el of document.querySelectorAll("#round1 input:checked")) value[el.name] = Number(el.value);
  const post = () => fetch("/live/api/answer", {
    method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json", "X-XSRFToken": xsrf},
    body: JSON.stringify({code: code, token: token, kind: "scores", value: value})});
  const answers = await Promise.all(Array.from({length: 30}, post));
  return answers.map(r => r.status);
}"""


# The top of an element on the page (not in the window).
TOP = "(id) => document.getElementById(id).getBoundingClientRect().top + window.scrollY"


def assert_fits_a_phone(p: Any) -> None:
    found = p.evaluate(PHONE_CHECK)
    assert found["scrollWidth"] <= PHONE["width"], found
    assert found["small"] == [], f"controls under 44 px: {found['small']}"


def participants_on_screen(page: Any, n: int, lang: str = "nl") -> None:
    word = "Deelnemers" if lang == "nl" else "Participants"
    page.get_by_text(f"{word}: {n}", exact=False).wait_for(timeout=15_000)


@pytest.fixture
def phones(browser: Any) -> Iterator[list[Any]]:
    """30 phone-sized pages, each its own device (own cookies and storage)."""
    contexts = [
        browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True) for _ in range(30)
    ]
    try:
        yield [c.new_page() for c in contexts]
    finally:
        for c in contexts:
            c.close()


@pytest.mark.browser
def test_thirty_phones_follow_two_rounds_and_the_reveal(
    page: Any, phones: list[Any], live_server: LiveServer
) -> None:
    code = live_server.store.create_session("marja-bijstand", "nl")["code"]
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}live/trainer/{code}?key={live_server.token}")
    join_url = f"{live_server.url}live/join?code={code}"
    rng = random.Random(15)

    # Round 1: everyone joins and scores.
    for i, p in enumerate(phones):
        p.goto(join_url)
        if i == 0:
            assert_fits_a_phone(p)  # the join page
        p.locator("#nickname").fill(f"<i>deelnemer {i}</i>")
        p.get_by_role("button", name="Meedoen").click()
        form = p.locator("#round1")
        form.wait_for(state="visible")
        for key in DETERMINANTS:
            form.locator(f'input[name="{key}"][value="{rng.randint(1, 7)}"] + span').click()
        form.get_by_role("button", name="Opslaan").click()
        form.locator(".msg").filter(has_text="Alleen je laatste antwoord telt").wait_for()
    assert_fits_a_phone(phones[0])  # the answer page
    participants_on_screen(page, 30)
    page.get_by_text("30 deelnemers gaven scores", exact=False).wait_for(timeout=15_000)

    # Round 2: the new question replaces the first, in the same place, and takes the focus.
    top_of_round1 = phones[0].evaluate(TOP, "round1")
    page.get_by_role("button", name="Open ronde 2").click()
    for i, p in enumerate(phones):
        p.locator("#round2").wait_for(state="visible", timeout=15_000)
        expect(p.locator("#round1")).to_be_hidden()
        expect(p.locator("#r2-h")).to_be_focused()
        expect(p.locator("#live-status")).to_have_text("Nieuwe vraag: ronde 2 is open.")
        if i == 0:  # where the first form was (not 900 px down), and in view
            assert abs(p.evaluate(TOP, "round2") - top_of_round1) < 60  # the status line may grow
            in_view = p.locator("#round2").bounding_box()
            assert in_view is not None and in_view["y"] >= 0
            assert in_view["y"] + min(in_view["height"], 300) <= PHONE["height"]
        p.locator("#percent").fill(str(rng.randint(0, 100)))
        p.locator("#round2").get_by_role("button", name="Opslaan").click()
        p.locator("#round2 .msg").filter(has_text="Opgeslagen").wait_for()
    page.get_by_text("30 voorspellingen", exact=False).wait_for(timeout=15_000)
    participants_on_screen(page, 30)

    # The reveal: every phone shows the reference and the room's answer, as text.
    page.get_by_role("button", name="Toon referentie en model").click()
    page.get_by_role("heading", name="Referentie", exact=False).wait_for()
    reference = page.locator("section.reference .big").inner_text()
    room_scores = page.locator("section.scores .summary").inner_text()
    for p in phones:
        p.locator("#reveal").wait_for(state="visible", timeout=15_000)
        expect(p.locator("#rv-h")).to_be_focused()
        expect(p.locator("#rv-reference")).to_have_text(reference)
        expect(p.locator("#rv-room li").first).to_have_text(room_scores)
        expect(p.locator("#rv-rows tr")).to_have_count(len(DETERMINANTS))
    assert_fits_a_phone(phones[0])  # the reveal page
    assert "<i>" not in page.content()
    participants_on_screen(page, 30)
    assert live_server.store.room(code).participants == 30


@pytest.mark.browser
def test_a_device_that_joins_again_is_counted_once(
    browser: Any, page: Any, live_server: LiveServer
) -> None:
    code = live_server.store.create_session("marja-bijstand", "en")["code"]
    page.goto(f"{live_server.url}live/trainer/{code}?key={live_server.token}")
    with guarded_page(browser, 390, 844) as p:
        for attempt in range(3):  # the token is forgotten (another tab, a cleared storage)
            p.goto(f"{live_server.url}live/join?code={code}")
            p.evaluate("() => window.localStorage.clear()")
            p.reload()
            p.locator("#nickname").fill(f"Ann {attempt}")
            p.get_by_role("button", name="Join").click()
            p.locator("#round1").wait_for(state="visible")
            if attempt == 0:
                form = p.locator("#round1")
                for key in DETERMINANTS:
                    form.locator(f'input[name="{key}"][value="4"] + span').click()
                form.get_by_role("button", name="Save").click()
                form.locator(".msg").filter(has_text="Only your latest answer counts").wait_for()
            else:  # the same participant: the answers of the first visit are still there
                p.locator("#round1 .msg").filter(has_text="You have answered").wait_for()
                expect(p.locator('#round1 input[name=attitude][value="4"]')).to_be_checked()
    participants_on_screen(page, 1, "en")
    room = live_server.store.room(code)
    assert room.participants == 1 and len(room.scores) == 1


@pytest.mark.browser
def test_a_flood_of_answers_gets_a_friendly_message(browser: Any, live_server: LiveServer) -> None:
    code = live_server.store.create_session("marja-bijstand", "nl")["code"]
    with guarded_page(browser, 390, 844) as p:
        p.goto(f"{live_server.url}live/join?code={code}")
        p.get_by_role("button", name="Meedoen").click()
        form = p.locator("#round1")
        form.wait_for(state="visible")
        for key in DETERMINANTS:
            form.locator(f'input[name="{key}"][value="5"] + span').click()
        # A script on the phone posts the form's answer 30 times at once ...
        statuses = p.evaluate(FLOOD, code)
        assert statuses.count(429) >= 15, statuses
        # ... and the person who taps Save right after is told, kindly, to wait.
        form.get_by_role("button", name="Opslaan").click()
        form.locator(".msg").filter(
            has_text="Rustig aan: je kunt over een paar seconden weer antwoorden."
        ).wait_for()


def test_the_api_limits_floods_with_429(live_server: LiveServer) -> None:
    base = live_server.url + "live/"
    code = live_server.store.create_session("marja-bijstand", "nl")["code"]
    phone = Client()
    phone.request(f"{base}join?code={code}")
    _, joined, _ = phone.request(base + "api/join", {"code": code})
    token = joined["token"]
    # Joining again from the same device: the same participant (the same token).
    _, again, _ = phone.request(base + "api/join", {"code": code})
    assert again["token"] == token
    answers = [
        phone.request(
            f"{base}api/answer?lang=en",
            {
                "code": code,
                "token": token,
                "kind": "scores",
                "value": dict.fromkeys(DETERMINANTS, 4),
            },
        )
        for _ in range(40)
    ]
    statuses = [status for status, _, _ in answers]
    assert statuses[: int(ANSWERS.burst) - 1].count(200) == int(ANSWERS.burst) - 1
    assert statuses.count(429) >= 25
    _status, body, headers = next(a for a in answers if a[0] == 429)
    assert body == {
        "error": "live.error.too_fast_answer",
        "message": "Easy does it: you can answer again in a few seconds.",
    }
    assert int(headers["Retry-After"]) >= 1
    # A script that makes new participants (no cookies) is held back after a room's worth.
    floods = []
    for _ in range(int(JOINS_PER_ADDRESS.burst) + 10):
        script = Client()
        script.request(f"{base}join?code={code}")
        floods.append(script.request(base + "api/join", {"code": code})[0])
    assert 429 in floods and floods.count(200) <= JOINS_PER_ADDRESS.burst + 2
    assert live_server.store.room(code).participants <= JOINS_PER_ADDRESS.burst + 3


def test_the_token_bucket_allows_a_burst_then_the_rate() -> None:
    now = [0.0]
    limiter = RateLimiter(Limit(burst=3, per_second=1.0), clock=lambda: now[0], max_keys=2)
    assert [limiter.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.take("a") == 1.0
    assert limiter.take("b") == 0.0  # another key has its own bucket
    now[0] += 1.0
    assert limiter.take("a") == 0.0
    now[0] += 100.0
    limiter.take("c")
    limiter.take("d")  # over max_keys: full (idle) buckets are dropped
    assert len(limiter._buckets) <= 2


def test_a_device_is_one_participant_per_session(live_db: str) -> None:
    store = LiveStore(live_db)
    try:
        one = store.create_session("marja-bijstand")["code"]
        two = store.create_session("marja-bijstand")["code"]
        t1, _ = store.join(one, "Ann", device="device-a")
        t2, _ = store.join(one, "Ann B", device="device-a")
        t3, _ = store.join(two, "Ann", device="device-a")
        t4, _ = store.join(one, "Bob", device="device-b")
        assert t1 == t2 and t3 != t1 and t4 != t1
        assert store.room(one).participants == 2 and store.room(two).participants == 1
        assert store.my_answers(one, t1)["nickname"] == "Ann B"
    finally:
        store.close()


def seed_room(store: LiveStore, n: int = 60) -> str:
    """A session at round 3 with ``n`` participants' scores, predictions and votes."""
    code: str = store.create_session("marja-bijstand", "nl")["code"]
    store.update(code, round=3)
    rng = random.Random(3)
    for i in range(n):
        token, _ = store.join(code, f"p{i}")
        store.submit(code, token, "scores", {k: rng.randint(1, 7) for k in DETERMINANTS})
        store.submit(code, token, "prediction", rng.randint(0, 100))
        store.submit(code, token, "vote", rng.choice(DETERMINANTS))
    return code


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_projector_fits_one_screen_with_sixty_votes(
    browser: Any, live_server: LiveServer, lang: str
) -> None:
    code = seed_room(live_server.store)
    for revealed in (False, True):
        live_server.store.update(code, revealed=revealed)
        for width, height in SIZES:
            context = browser.new_context(viewport={"width": width, "height": height})
            try:
                page = context.new_page()
                page.goto(
                    f"{live_server.url}live/trainer/{code}?key={live_server.token}&lang={lang}"
                )
                participants_on_screen(page, 60, lang)
                if revealed:
                    page.locator("section.reference").wait_for()
                size = page.evaluate(
                    "() => [document.documentElement.scrollWidth,"
                    " document.documentElement.scrollHeight]"
                )
                assert size[0] <= width and size[1] <= height, (lang, revealed, width, size)
                votes = page.locator("section[aria-labelledby=h-votes]").bounding_box()
                assert votes is not None and votes["y"] + votes["height"] <= height
            finally:
                context.close()
