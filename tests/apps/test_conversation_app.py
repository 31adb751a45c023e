"""The conversation simulator in Chromium, served by a real ``serve()``, keyboard only.

A learner plays a scenario to a good ending (Dutch) and to a poor ending (English) with Tab,
Enter and Space: at every step the intention, ability and behaviour shown are the engine's,
``model_for(case.domain).predict(play(conversation, case.scores, path).scores)``, formatted as
the kit writes them; the client's answer is announced in a status region and the focus moves
to the next responses (at the end: to the end screen). The page passes axe-core, reaches no
host but this one, fits a 390 px phone with buttons a finger can hit, and keeps the path in
its address. Screenshots go to ``tests/_artifacts/conversation_*.png``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest

from igm import find_case, model_for
from igm.conversations import Conversation, list_conversations, play
from igm.i18n import fmt_number, t
from igm.report import fmt_percent
from tests.browser_helpers import assert_accessible
from tests.conftest import ARTIFACTS, guarded_page, run_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
TEST_SCENARIOS = REPO / "tests" / "igm" / "conversation_files" / "conversations"
LOAD_TIMEOUT = 150_000  # ms: a cold kernel on a busy 2-core machine
STEP_TIMEOUT = 20_000
PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1366, "height": 768}
READY = ".igm-conv-response"


def cases_folder(root: Path) -> Path:
    """A copy of the shipped cases with their scenarios (the engine's test scenario when the
    kit ships none yet)."""
    folder = root / "cases"
    shutil.copytree(REPO / "case_studies", folder, ignore=shutil.ignore_patterns("*.md"))
    conversations = folder / "conversations"
    if not list_conversations(conversations):
        conversations.mkdir(exist_ok=True)
        for path in TEST_SCENARIOS.glob("*.yaml"):
            shutil.copy(path, conversations / path.name)
    return folder


@pytest.fixture(scope="module")
def kit(tmp_path_factory: Any) -> Iterator[dict[str, Any]]:
    """``serve()`` on that cases folder, with a preheated kernel for the simulator only."""
    root = tmp_path_factory.mktemp("conversation-app")
    folder = cases_folder(root)
    env = {
        "IGM_CASES_DIR": str(folder),
        "IGM_DATABASE_URL": f"sqlite:///{root / 'igm.sqlite3'}",
        "IGM_TRAINER_TOKEN": "test-trainer-token-conversation",
    }
    config = "pool_size=0, pools={'apps/conversation.ipynb': 1}"
    with run_server(env, log_name="serve_conversation.log", config=config) as url:
        yield {"url": url, "conversations": list_conversations(folder / "conversations")}


def path_to(conversation: Conversation, ending: str) -> list[str]:
    """Response ids that lead from the start to an ending of kind ``ending`` (depth first, no
    turn twice), from the scenario's own graph."""

    def walk(turn_id: str, seen: frozenset[str]) -> list[str] | None:
        turn = conversation.turn(turn_id)
        if turn.is_ending:
            return [] if turn.ending == ending else None
        for response in turn.responses:
            if response.next in seen:
                continue
            rest = walk(response.next, seen | {response.next})
            if rest is not None:
                return [response.id, *rest]
        return None

    found = walk(conversation.start, frozenset({conversation.start}))
    assert found is not None, f"{conversation.id} has no reachable {ending} ending"
    return found


def expected_readouts(conversation: Conversation, path: list[str], lang: str) -> dict[str, str]:
    """What the page must show after ``path``: the engine's numbers, the kit's formats."""
    case = find_case(conversation.case_id, conversation.path.parent.parent)
    p = model_for(case.domain).predict(play(conversation, case.scores, path).scores)
    return {
        "intention": fmt_number(p.intention, lang, 0),
        "ability": fmt_number(p.ability, lang, 0),
        "behaviour": fmt_percent(p.behaviour_probability, lang),
    }


SHOWN = """() => Object.fromEntries(['intention', 'ability', 'behaviour'].map((key) => [key,
  (document.querySelector('.igm-' + key + '-readout .igm-readout-value') || {}).textContent]))"""


def wait_for_readouts(page: Any, want: dict[str, str]) -> None:
    page.wait_for_function(
        f"want => {{ const shown = ({SHOWN})(); "
        "return Object.keys(want).every((key) => (shown[key] || '').trim() === want[key]); }",
        arg=want,
        timeout=STEP_TIMEOUT,
    )
    shown = {key: value.strip() for key, value in page.evaluate(SHOWN).items()}
    assert shown == want


def active(page: Any) -> dict[str, str]:
    return dict(
        page.evaluate(
            "() => ({cls: String(document.activeElement.className || ''),"
            " text: (document.activeElement.textContent || '').trim(),"
            " id: document.activeElement.id || ''})"
        )
    )


def tab_until(page: Any, css_class: str, key: str = "Tab", most: int = 60) -> None:
    """Press ``key`` until the focused element has ``css_class`` (keyboard only)."""
    for _ in range(most):
        if css_class in active(page)["cls"].split():
            return
        page.keyboard.press(key)
    raise AssertionError(f"{key} never reached .{css_class}; focus is on {active(page)}")


def open_app(page: Any, url: str, conversation: Conversation, lang: str, path: str = "") -> None:
    query = f"?conversation={conversation.id}&lang={lang}" + (f"&path={path}" if path else "")
    response = page.goto(
        f"{url}voila/render/apps/conversation.ipynb{query}",
        wait_until="commit",
        timeout=LOAD_TIMEOUT,
    )
    assert response is not None and response.status == 200
    page.wait_for_selector(READY if not path else ".igm-behaviour-readout", timeout=LOAD_TIMEOUT)
    page.wait_for_selector(".vega-embed svg", timeout=LOAD_TIMEOUT)
    page.wait_for_timeout(400)  # vega's resize pass


def play_by_keyboard(
    page: Any, conversation: Conversation, path: list[str], lang: str, shot: str
) -> None:
    """Choose each response of ``path`` with Tab and Enter/Space, checking the numbers shown
    before the first and after every choice; a screenshot halfway."""
    wait_for_readouts(page, expected_readouts(conversation, [], lang))
    tab_until(page, "igm-conv-response")
    for index, response_id in enumerate(path):
        turn = play(
            conversation,
            find_case(conversation.case_id, conversation.path.parent.parent).scores,
            path[:index],
        ).turn
        wanted = f"igm-conv-response-{response_id}"
        first = turn.responses[0]
        assert active(page)["text"] == first.text(lang), "focus is not on the first response"
        tab_until(page, wanted, most=len(turn.responses))
        assert active(page)["text"] == turn.response(response_id).text(lang)
        page.keyboard.press("Enter" if index % 2 == 0 else "Space")
        done = path[: index + 1]
        wait_for_readouts(page, expected_readouts(conversation, done, lang))
        after = play(conversation, turn_scores(conversation), done)
        # the status region says what the client answered
        page.wait_for_function(
            "text => document.querySelector('.igm-conv-status').textContent.includes(text)",
            arg=after.turn.client(lang),
            timeout=STEP_TIMEOUT,
        )
        if after.finished:
            page.wait_for_function(
                "() => document.activeElement && document.activeElement.classList"
                ".contains('igm-conv-end-heading')",
                timeout=STEP_TIMEOUT,
            )
        else:
            page.wait_for_function(
                "text => document.activeElement && document.activeElement.classList"
                ".contains('igm-conv-response') && document.activeElement.textContent.trim() === text",
                arg=after.turn.responses[0].text(lang),
                timeout=STEP_TIMEOUT,
            )
        if index == len(path) // 2 - 1 or (len(path) < 2 and index == 0 and not after.finished):
            save(page, f"{shot}_mid")


def turn_scores(conversation: Conversation) -> Any:
    return find_case(conversation.case_id, conversation.path.parent.parent).scores


def save(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"conversation_{name}.png"), full_page=True)


def address(page: Any) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}


@pytest.mark.parametrize(
    ("lang", "ending", "viewport"),
    [
        ("nl", "good", PROJECTOR),
        ("en", "poor", PROJECTOR),
        ("nl", "poor", PHONE),
        ("en", "good", PHONE),
    ],
)
def test_a_learner_plays_to_an_ending_with_the_keyboard(
    browser: Any, kit: dict[str, Any], lang: str, ending: str, viewport: dict[str, int]
) -> None:
    conversation = kit["conversations"][0]
    path = path_to(conversation, ending)
    phone = viewport == PHONE
    shot = f"{lang}_{viewport['width']}"
    with guarded_page(
        browser, viewport["width"], viewport["height"], is_mobile=phone, has_touch=phone
    ) as page:
        open_app(page, kit["url"], conversation, lang)
        assert t("notice.illustrative", lang) in page.inner_text("body")
        assert page.evaluate("document.documentElement.lang") == lang
        assert_accessible(page)
        play_by_keyboard(page, conversation, path, lang, shot)

        end = page.locator(".igm-conv-end")
        assert end.is_visible()
        text = end.inner_text()
        assert t(f"conversation.ending.{ending}", lang) in text
        finished = play(conversation, turn_scores(conversation), path)
        assert finished.turn.outcome is not None and finished.turn.outcome(lang) in text
        for key in ("mi.rq", "mi.complex", "mi.open", "mi.non_adherent", "moved", "path", "advice"):
            assert t(f"conversation_app.{key}", lang) in text
        assert t("conversation.estimate", lang) in page.inner_text(".igm-conv-effect")
        page.wait_for_function(
            "path => new URLSearchParams(location.search).get('path') === path",
            arg=",".join(path),
            timeout=STEP_TIMEOUT,
        )
        assert address(page)["conversation"] == conversation.id
        assert_accessible(page)
        if phone:
            assert_fits_a_phone(page)
        save(page, f"{shot}_end")

        # a screen reader hears how it ended: the status region says the client's last
        # words and the ending (the focus is on the end screen's heading)
        status = page.locator(".igm-conv-status").inner_text()
        ending_name = t(f"conversation.ending.{ending}", lang)
        assert t("conversation_app.status.ended", lang, ending=ending_name) in status
        assert finished.turn.client(lang) in status
        assert "igm-conv-end-heading" in active(page)["cls"].split()
        # "Stap terug" and "Opnieuw", named at the end of the end screen, come right after
        # it: the next Tabs from its heading, not a long way back up the page
        page.keyboard.press("Tab")
        assert "igm-conv-back" in active(page)["cls"].split(), active(page)
        page.keyboard.press("Tab")
        assert "igm-conv-restart" in active(page)["cls"].split(), active(page)
        page.keyboard.press("Shift+Tab")
        # "Stap terug" by keyboard: back to the last choice, with its numbers
        page.keyboard.press("Enter")
        wait_for_readouts(page, expected_readouts(conversation, path[:-1], lang))
        page.wait_for_function(
            "() => document.activeElement.classList.contains('igm-conv-response')",
            timeout=STEP_TIMEOUT,
        )
        assert not page.locator(".igm-conv-end").is_visible()
        # "Opnieuw": back to the start
        tab_until(page, "igm-conv-restart")
        page.keyboard.press("Space")
        wait_for_readouts(page, expected_readouts(conversation, [], lang))
        # the address follows in the same round trip, after the readouts
        page.wait_for_function(
            "() => !new URLSearchParams(location.search).has('path')", timeout=STEP_TIMEOUT
        )
        assert page.blocked_requests == []


OUTSIDE = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const node of document.querySelectorAll('.igm-app *')) {
    const box = node.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (node.closest('.igm-conv-status')) continue;
    if (box.right > width + 1 || box.left < -1) {
      out.push(node.tagName + '.' + String(node.className.baseVal ?? node.className).slice(0, 60)
        + ' ' + Math.round(box.left) + '..' + Math.round(box.right));
    }
  }
  return out;
}"""

BUTTONS = """() => [...document.querySelectorAll('.igm-app button, .igm-app select')]
  .filter((node) => node.getClientRects().length)
  .map((node) => ({name: node.className + ' ' + node.textContent.slice(0, 30),
                   height: node.getBoundingClientRect().height}))"""


def assert_fits_a_phone(page: Any) -> None:
    width = page.viewport_size["width"]
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page is {scroll} px wide on a {width} px screen"
    outside = page.evaluate(OUTSIDE)
    assert not outside, f"drawn past the screen's edge: {outside[:10]}"
    small = [b for b in page.evaluate(BUTTONS) if b["height"] < 44]
    assert not small, f"buttons smaller than 44 px: {small[:5]}"


def test_a_phone_mid_conversation_fits_and_buttons_are_big_enough(
    browser: Any, kit: dict[str, Any]
) -> None:
    conversation = kit["conversations"][0]
    with guarded_page(
        browser, PHONE["width"], PHONE["height"], is_mobile=True, has_touch=True
    ) as page:
        open_app(page, kit["url"], conversation, "nl")
        assert_fits_a_phone(page)
        assert page.locator(".igm-conv-response").count() >= 2


def test_the_path_in_the_address_is_played_on_reload(browser: Any, kit: dict[str, Any]) -> None:
    """A shared link with ``path=`` shows the conversation at that point, with its numbers; a
    path that does not fit is followed as far as it fits, and said so (escaped)."""
    conversation = kit["conversations"][0]
    path = path_to(conversation, "good")
    with guarded_page(browser) as page:
        partial = path[:1]
        open_app(page, kit["url"], conversation, "en", ",".join(partial))
        wait_for_readouts(page, expected_readouts(conversation, partial, "en"))
        page.reload(wait_until="commit", timeout=LOAD_TIMEOUT)
        page.wait_for_selector(".igm-behaviour-readout .igm-readout-value", timeout=LOAD_TIMEOUT)
        wait_for_readouts(page, expected_readouts(conversation, partial, "en"))
        assert address(page).get("path") == ",".join(partial)

        hostile = "%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E"
        open_app(page, kit["url"], conversation, "en", f"{partial[0]},{hostile}")
        note = page.locator(".igm-address-note")
        note.wait_for(timeout=STEP_TIMEOUT)
        assert "<img src=x onerror=alert(1)>" in note.inner_text()
        assert page.locator(".igm-app img").count() == 0
        wait_for_readouts(page, expected_readouts(conversation, partial, "en"))


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_landing_page_and_the_book_link_open_the_simulator(
    browser: Any, kit: dict[str, Any], lang: str
) -> None:
    """The landing page's link opens the simulator in that language; the book's "Open as
    app" link (:func:`book.build.app_href`, relative to the chapter) opens that scenario."""
    from book.build import app_href

    with guarded_page(browser) as page:
        page.goto(kit["url"], wait_until="domcontentloaded", timeout=LOAD_TIMEOUT)
        page.locator(f'section[lang="{lang}"] a[href*="apps/conversation.ipynb"]').click()
        page.wait_for_selector(READY, timeout=LOAD_TIMEOUT)
        assert page.evaluate("document.documentElement.lang") == lang
        assert t("conversation_app.title", lang) in page.inner_text("h1.igm-conv-title")

        chosen = kit["conversations"][-1]  # not the one shown when none is asked for
        assert chosen.id != kit["conversations"][0].id
        chapter = f"{kit['url']}book/{lang}/05b-the-conversation.html"
        href = app_href("05b-the-conversation", lang, app="conversation", conversation=chosen.id)
        response = page.goto(urljoin(chapter, href), wait_until="commit", timeout=LOAD_TIMEOUT)
        assert response is not None and response.status == 200
        page.wait_for_selector(READY, timeout=LOAD_TIMEOUT)
        assert page.evaluate("document.documentElement.lang") == lang
        assert chosen.title(lang) in page.inner_text(".igm-conv-setting h2")
        first = chosen.turn(chosen.start)
        assert first.client(lang) in page.inner_text(".igm-conv-client")


# --- standard 7: a hostile scenario and broken files, in Chromium -----------------------------


@pytest.fixture(scope="module")
def hostile_kit(tmp_path_factory: Any) -> Iterator[str]:
    """``serve()`` on a cases folder holding the hostile scenario and two broken files
    (tests/conversation_hostile.py) beside the engine's test scenario."""
    from tests.conversation_hostile import cases_folder as hostile_cases

    root = tmp_path_factory.mktemp("conversation-hostile")
    env = {
        "IGM_CASES_DIR": str(hostile_cases(root)),
        "IGM_DATABASE_URL": f"sqlite:///{root / 'igm.sqlite3'}",
        "IGM_TRAINER_TOKEN": "test-trainer-token-conversation",
    }
    config = "pool_size=0, pools={'apps/conversation.ipynb': 1}"
    with run_server(env, log_name="serve_conversation_hostile.log", config=config) as url:
        yield url


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_hostile_scenario_is_played_as_text_on_a_phone(
    browser: Any, hostile_kit: str, lang: str
) -> None:
    """Played to the good ending on a 390 px phone: every text is on the page as written,
    nothing of it ran (``window.__pwned``), was drawn (an image) or linked, no request left
    the machine, and the long words wrap: the page does not scroll sideways. The note under
    the picker names both broken files, and the field where there is one."""
    from tests.conversation_hostile import (
        HOSTILE_ID,
        NOT_YAML_FILE,
        PWNED,
        UNKNOWN_NEXT_FIELD,
        UNKNOWN_NEXT_FILE,
        texts,
    )

    hostile = texts(lang)
    with guarded_page(
        browser, PHONE["width"], PHONE["height"], is_mobile=True, has_touch=True
    ) as page:
        response = page.goto(
            f"{hostile_kit}voila/render/apps/conversation.ipynb?conversation={HOSTILE_ID}&lang={lang}",
            wait_until="commit",
            timeout=LOAD_TIMEOUT,
        )
        assert response is not None and response.status == 200
        page.wait_for_selector(READY, timeout=LOAD_TIMEOUT)
        page.wait_for_timeout(400)
        seen = [page.inner_text(".igm-app")]
        assert_fits_a_phone(page)
        # the response buttons show all of their text: wrapped, not cut off
        clipped = page.evaluate(
            """() => [...document.querySelectorAll('.igm-conv-response')]
              .filter((b) => b.scrollWidth > b.clientWidth + 1).map((b) => b.className)"""
        )
        assert not clipped, f"a response is cut off: {clipped}"
        for response_id in ("reflecteer", "open-vraag"):
            page.locator(f".igm-conv-response-{response_id}").click()
            page.wait_for_function(
                "id => !document.querySelector('.igm-conv-response-' + id)",
                arg=response_id,
                timeout=STEP_TIMEOUT,
            )
            page.wait_for_timeout(300)
            seen.append(page.inner_text(".igm-app"))
            assert_fits_a_phone(page)
        page.locator(".igm-conv-end").wait_for(timeout=STEP_TIMEOUT)
        seen.append(page.inner_text(".igm-app"))
        save(page, f"hostile_{lang}_390_end")
        assert not page.evaluate(PWNED), "a scenario text ran as code"
        assert (
            page.locator(
                ".igm-app img, .igm-app a[href*='evil'], .igm-app strong:text-is('bold')"
            ).count()
            == 0
        )
        shown = one_line("\n".join(seen))
        reached = ["title", "summary", "role", "speaker", "client-opening", "client-twijfel"]
        reached += ["client-goed-einde", "outcome-goed-einde", "text-opening-reflecteer"]
        reached += ["text-opening-weerleg", "text-twijfel-open-vraag", "text-twijfel-opdracht"]
        reached += ["explanation-opening-reflecteer", "explanation-twijfel-open-vraag"]
        missing = [tag for tag in reached if one_line(hostile[tag]) not in shown]
        assert not missing, f"not shown as written: {missing}"
        note = one_line(page.inner_text(".igm-conversation .igm-case-skipped"))
        assert f"{UNKNOWN_NEXT_FILE}:33: {UNKNOWN_NEXT_FIELD}:" in note
        assert f"{NOT_YAML_FILE}:" in note
        assert page.blocked_requests == []
