"""A room plays a conversation in Chromium (issue 18, point 4): 30 phones (390 x 844) join and
vote at every turn to an ending while the projector counts every vote exactly once; the phones
follow the room; the projector shows the engine's numbers, fits one screen at 1366 x 768 and
1920 x 1080 with 60 participants, and it and the phones are axe-clean. Screenshots go to
tests/_artifacts/live_conversation_*.png."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from igm.conversations import play
from igm.i18n import fmt_number
from igm.model import model_for
from live.store import LiveStore, cached_case, cached_conversation
from tests.browser_helpers import assert_accessible
from tests.conftest import guarded_page, is_local
from tests.live.conftest import TRAINER_TOKEN, LiveServer, start_server
from tests.live.conversation_setup import CONVERSATION_ID, conversation_cases
from tests.live.test_room_phones import PHONE, assert_fits_a_phone, participants_on_screen

SIZES = [(1366, 768), (1920, 1080)]
FITS = "() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]"


@pytest.fixture
def talk_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    conversation_cases(tmp_path, monkeypatch)
    yield from start_server(f"sqlite:///{tmp_path / 'live.sqlite3'}", TRAINER_TOKEN)


def guard(context: Any, blocked: list[str]) -> None:
    """Refuse and record every request of ``context`` that would leave this machine."""

    def route(r: Any) -> None:
        if is_local(r.request.url):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)


@pytest.fixture
def phones(browser: Any) -> Iterator[list[Any]]:
    """30 phone-sized pages, each its own device, none of which may reach another host."""
    blocked: list[str] = []
    contexts = [
        browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True) for _ in range(30)
    ]
    for c in contexts:
        guard(c, blocked)
    try:
        yield [c.new_page() for c in contexts]
    finally:
        for c in contexts:
            c.close()
    assert not blocked, f"phones tried to reach other hosts: {sorted(set(blocked))}"


def fits(page: Any, width: int, height: int) -> None:
    size = page.evaluate(FITS)
    assert size[0] <= width and size[1] <= height, (width, height, size)


def engine_numbers(code: str, store: LiveStore) -> dict[str, str]:
    """What the projector must show for the room's path, straight from the engine (nl)."""
    room = store.conversation_room(code)
    conversation = cached_conversation(room.conversation_id)
    case = cached_case(conversation.case_id)
    p = model_for(case.domain).predict(play(conversation, case.scores, room.response_ids).scores)
    return {
        "intention": fmt_number(round(p.intention), "nl", 0),
        "ability": fmt_number(round(p.ability), "nl", 0),
        "behaviour": fmt_number(round(100 * p.behaviour_probability), "nl", 0) + "%",
    }


@pytest.mark.browser
def test_thirty_phones_vote_through_a_conversation_counted_once(
    page: Any, phones: list[Any], talk_server: LiveServer, artifacts_dir: Path
) -> None:
    store = talk_server.store
    code = store.create_conversation_session(CONVERSATION_ID, "nl")["code"]
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{talk_server.url}live/trainer/{code}?key={talk_server.token}")
    join_url = f"{talk_server.url}live/join?code={code}"
    rng = random.Random(18)

    for i, p in enumerate(phones):
        p.goto(join_url)
        p.locator("#nickname").fill(f"<i>deelnemer {i}</i>")
        p.get_by_role("button", name="Meedoen").click()
        p.locator("#turn").wait_for(state="visible")
        if i == 0:
            expect(p.locator("#turn-h")).to_be_focused()
    participants_on_screen(page, 30)

    turn = 1
    while True:
        ids = [b.get_attribute("data-id") for b in phones[0].locator(".talk-option").all()]
        expected: Counter[str] = Counter()
        for i, p in enumerate(phones):
            vote = rng.choice(ids)
            if i % 4 == 0:  # changes its mind before the vote closes: only the latest counts
                other = next(x for x in ids if x != vote)
                p.locator(f'.talk-option[data-id="{other}"]').click()
                expect(p.locator(f'.talk-option[data-id="{other}"]')).to_have_attribute(
                    "aria-pressed", "true"
                )
            p.locator(f'.talk-option[data-id="{vote}"]').click()
            expect(p.locator(f'.talk-option[data-id="{vote}"]')).to_have_attribute(
                "aria-pressed", "true"
            )
            expect(p.locator("#vote-msg")).to_contain_text("Je stemde op")
            expected[vote] += 1
        # The projector counts every vote exactly once: its counts equal the votes cast.
        for rid in ids:
            expect(page.locator(f'li.option[data-id="{rid}"] .count')).to_have_attribute(
                "data-count", str(expected[rid]), timeout=15_000
            )
        assert store.conversation_room(code).counts == {k: n for k, n in expected.items() if n}
        expect(page.locator("#vote-summary")).to_contain_text("30 van de 30 deelnemers stemden")
        fits(page, 1366, 768)
        if turn == 1:
            assert_fits_a_phone(phones[0])
            assert_accessible(page)
            assert_accessible(phones[0])
            page.screenshot(path=str(artifacts_dir / "live_conversation_room_1366_nl_voting.png"))
            phones[0].screenshot(
                path=str(artifacts_dir / "live_conversation_room_phone_390_nl_voting.png")
            )

        page.get_by_role("button", name="Sluit de stemming").click()
        ranked = expected.most_common()
        if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:  # a tie: the trainer decides
            expect(page.locator(".tie")).to_contain_text("Gelijke stand")
            chosen = ranked[1][0]
            page.locator(f'button.pick[data-response="{chosen}"]').click()
            by = "De trainer koos"
        else:
            chosen = ranked[0][0]
            by = f"De zaal koos {'ABCD'[ids.index(chosen)]}, met {expected[chosen]} van de 30"
        page.locator("#h-decision").wait_for(timeout=15_000)
        expect(page.locator("li.option.chosen")).to_have_attribute("data-id", chosen)
        expect(page.locator(".decision .by")).to_contain_text(by)
        numbers = engine_numbers(code, store)
        for key, shown in numbers.items():
            expect(page.locator(f'.outputs tr[data-key="{key}"] strong')).to_have_text(shown)
        fits(page, 1366, 768)
        for p in phones:
            p.locator("#result").wait_for(state="visible", timeout=15_000)
            expect(p.locator("#result-h")).to_be_focused()
            expect(p.locator("#result-h")).to_have_text(
                f"Gekozen: reactie {'ABCD'[ids.index(chosen)]}"
            )
        if turn == 1:
            assert_accessible(page)
            page.screenshot(path=str(artifacts_dir / "live_conversation_room_1366_nl_shown.png"))
        ending = store.conversation_room(code).path and page.get_by_role(
            "button", name="Toon het einde van het gesprek"
        )
        if ending and ending.count():
            ending.click()
            break
        page.get_by_role("button", name="Volgende beurt: open de stemming").click()
        turn += 1
        for p in phones:  # every phone follows to the next turn, its old vote forgotten
            expect(p.locator("#turn-h")).to_have_text(f"Beurt {turn}: Marja zegt", timeout=15_000)
            expect(p.locator("#turn-h")).to_be_focused()
            expect(p.locator("#live-status")).to_have_text(f"Nieuwe beurt ({turn}): stem opnieuw.")
            expect(p.locator('.talk-option[aria-pressed="true"]')).to_have_count(0)

    # The ending: the ending and the outcome, the room's path and MI profile.
    page.locator("#h-ending").wait_for(timeout=15_000)
    room = store.conversation_room(code)
    expect(page.locator("ol.path li")).to_have_count(len(room.path))
    expect(page.locator("ul.profile li").first).to_contain_text(f"{len(room.path)} reacties")
    for key, shown in engine_numbers(code, store).items():
        expect(page.locator(f'.outputs tr[data-key="{key}"] strong')).to_have_text(shown)
    for p in phones:
        p.locator("#ending").wait_for(state="visible", timeout=15_000)
        expect(p.locator("#ending-h")).to_be_focused()
    fits(page, 1366, 768)
    assert_accessible(page)
    assert_accessible(phones[0])
    assert_fits_a_phone(phones[0])
    page.screenshot(path=str(artifacts_dir / "live_conversation_room_1366_nl_ended.png"))
    assert "<i>" not in page.content()
    assert [sum(s.counts.values()) for s in room.path] == [30] * len(room.path)
    assert room.participants == 30


def seeded(store: LiveStore, lang: str, phase: str, n: int = 60) -> str:
    """A conversation session with ``n`` participants who voted at every turn, played to
    ``phase`` (voting at the second turn, a response shown, or the ending)."""
    code: str = store.create_conversation_session(CONVERSATION_ID, lang)["code"]
    tokens = [store.join(code, f"p{i}", device=f"d{i}")[0] for i in range(n)]
    rng = random.Random(phase)
    step = 0
    while True:
        room = store.conversation_room(code)
        conversation = cached_conversation(room.conversation_id)
        case = cached_case(conversation.case_id)
        turn = play(conversation, case.scores, room.response_ids).turn
        ids = [r.id for r in turn.responses]
        for token in tokens[: n - 3]:  # three stay silent
            store.vote(code, token, step, rng.choice(ids))
        if phase == "voting" and step == 1:
            return code
        if store.close_vote(code, step)["phase"] == "deciding":
            store.choose(code, step, ids[0])
        step += 1
        if phase == "shown":
            return code
        if store.next_turn(code, step)["phase"] == "ended":
            return code


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_projector_fits_one_screen_with_sixty_participants(
    browser: Any, talk_server: LiveServer, lang: str, artifacts_dir: Path
) -> None:
    store = talk_server.store
    codes = {phase: seeded(store, lang, phase) for phase in ("voting", "shown", "ended")}
    for width, height in SIZES:
        with guarded_page(browser, width, height) as page:
            for number, (phase, code) in enumerate(codes.items()):
                key = f"key={talk_server.token}&" if number == 0 else ""
                page.goto(f"{talk_server.url}live/trainer/{code}?{key}lang={lang}")
                participants_on_screen(page, 60, lang)
                heading = {"voting": "#h-vote", "shown": "#h-decision", "ended": "#h-ending"}
                page.locator(heading[phase]).wait_for()
                fits(page, width, height)
                if phase == "voting":  # every vote counted once: 57 of 60 voted
                    counts = [
                        int(c.get_attribute("data-count") or -1)
                        for c in page.locator("li.option .count").all()
                    ]
                    assert sum(counts) == 57
                    assert counts == [
                        store.conversation_room(code).counts.get(o.get_attribute("data-id"), 0)
                        for o in page.locator("li.option").all()
                    ]
                if width == 1366:
                    assert_accessible(page)
                page.screenshot(
                    path=str(
                        artifacts_dir / f"live_conversation_projector_{width}_{lang}_{phase}.png"
                    )
                )
    # The phone at each phase, in this language.
    with guarded_page(browser, 390, 844, is_mobile=True, has_touch=True) as phone:
        for phase, code in codes.items():
            phone.goto(f"{talk_server.url}live/join?code={code}&lang={lang}")
            phone.locator("#join button").click()
            section = {"voting": "#turn", "shown": "#result", "ending": "#ending"}.get(
                phase, "#ending"
            )
            phone.locator(section).wait_for(state="visible")
            if phase == "voting":
                phone.locator(".talk-option").nth(1).click()
                expect(phone.locator(".talk-option").nth(1)).to_have_attribute(
                    "aria-pressed", "true"
                )
            assert_fits_a_phone(phone)
            assert_accessible(phone)
            phone.screenshot(
                path=str(artifacts_dir / f"live_conversation_phone_390_{lang}_{phase}.png"),
                full_page=True,
            )


# --- standard 7: a hostile scenario on the projector and a phone ------------------------------


@pytest.fixture
def hostile_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    """The hostile scenario and two broken files beside the test scenario
    (tests/conversation_hostile.py)."""
    from tests.conversation_hostile import cases_folder

    monkeypatch.setenv("IGM_CASES_DIR", str(cases_folder(tmp_path)))
    yield from start_server(f"sqlite:///{tmp_path / 'live.sqlite3'}", TRAINER_TOKEN)


@pytest.mark.browser
def test_a_hostile_scenario_is_text_on_the_projector_and_the_phone(
    browser: Any, hostile_server: LiveServer, artifacts_dir: Path
) -> None:
    """Voted through to the good ending by one phone (390 px): on the projector and the phone
    every text is shown as written, none of it ran (``window.__pwned``) or became an element
    or a link, nothing reached another host, and the phone never scrolls sideways."""
    from tests.conversation_hostile import HOSTILE_ID, PWNED, texts

    hostile = texts("nl")
    code = hostile_server.store.create_conversation_session(HOSTILE_ID, "nl")["code"]
    seen: dict[str, list[str]] = {"projector": [], "phone": []}
    with (
        guarded_page(browser, 1366, 768) as projector,
        guarded_page(browser, 390, 844, is_mobile=True, has_touch=True) as phone,
    ):
        projector.goto(f"{hostile_server.url}live/trainer/{code}?key={hostile_server.token}")
        phone.goto(f"{hostile_server.url}live/join?code={code}")
        phone.locator("#join button").click()
        for response_id in ("reflecteer", "open-vraag"):
            phone.locator("#turn").wait_for(state="visible", timeout=15_000)
            option = phone.locator(f'.talk-option[data-id="{response_id}"]')
            option.wait_for(timeout=15_000)
            assert_fits_a_phone(phone)
            seen["phone"].append(phone.inner_text("body"))
            option.click()
            expect(option).to_have_attribute("aria-pressed", "true")
            expect(
                projector.locator(f'li.option[data-id="{response_id}"] .count')
            ).to_have_attribute("data-count", "1", timeout=15_000)
            seen["projector"].append(projector.inner_text("body"))
            projector.locator("#close-vote").click()
            projector.locator("#h-decision").wait_for(timeout=15_000)
            seen["projector"].append(projector.inner_text("body"))
            assert projector.evaluate(FITS)[0] <= 1366, "the projector scrolls sideways"
            phone.locator("#result").wait_for(state="visible", timeout=15_000)
            assert_fits_a_phone(phone)
            seen["phone"].append(phone.inner_text("body"))
            projector.locator("#next-turn").click()
        projector.locator("#h-ending").wait_for(timeout=15_000)
        phone.locator("#ending").wait_for(state="visible", timeout=15_000)
        assert_fits_a_phone(phone)
        seen["projector"].append(projector.inner_text("body"))
        seen["phone"].append(phone.inner_text("body"))
        phone.screenshot(path=str(artifacts_dir / "live_conversation_hostile_phone_390.png"))
        for where, page in (("projector", projector), ("phone", phone)):
            assert not page.evaluate(PWNED), f"{where}: a scenario text ran as code"
            assert page.locator("img, a[href*='evil']").count() == 0, where
            assert page.blocked_requests == [], where

    on = {
        "projector": ["title", "speaker", "client-opening", "client-twijfel", "client-goed-einde"],
        "phone": ["speaker", "text-opening-reflecteer", "text-opening-weerleg"],
    }
    on["projector"] += ["text-opening-reflecteer", "text-twijfel-open-vraag", "outcome-goed-einde"]
    on["projector"] += ["explanation-opening-reflecteer", "explanation-twijfel-open-vraag"]
    on["phone"] += ["text-twijfel-open-vraag", "text-twijfel-opdracht", "outcome-goed-einde"]
    for where, tags in on.items():
        shown = " ".join("\n".join(seen[where]).split())
        missing = [tag for tag in tags if " ".join(hostile[tag].split()) not in shown]
        assert not missing, f"{where}: not shown as written: {missing}"
