"""The three shipped scenarios (case_studies/conversations/*.yaml) on the projector at
1366 x 768, in nl and en (issue 18, point 4): long client turns and long responses. The trainer
picks the longest path to an ending; at every turn, while the room votes and once the chosen
response is shown, and at the ending, the page fits one screen (no vertical or horizontal
scroll) and every text the room reads is on screen whole: the client's words, every response,
the chosen response, its explanation, the client's answer, the ending's last words and outcome,
the MI profile and the advice. None is cut short (line-clamped) or clipped by its panel. The
one cut on purpose: at the ending, the path shows each step's MI code with the response's words
(which the room read in full at their turn) cut to one line, and who chose cut at the line's
end (``.path-meta``, ``.path-text``: not in TEXTS). The turns with the most text and the ending
are axe-checked and saved as tests/_artifacts/live_conversation_shipped_<id>_<lang>_<phase>.png."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from igm.conversations import Conversation, conversations_dir, list_conversations
from live.store import LiveStore
from tests.browser_helpers import assert_accessible
from tests.conftest import guarded_page
from tests.live.conftest import TRAINER_TOKEN, LiveServer, start_server

SHIPPED = sorted(
    p.stem
    for p in (Path(__file__).resolve().parents[2] / "case_studies" / "conversations").glob("*.yaml")
)
FITS = "() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
#: What the room must be able to read in each phase (CSS selectors on the projector).
TEXTS = {
    "voting": ("#h-turn", "blockquote.client", "li.option .text", "#vote-summary", "#close-vote"),
    "shown": (
        "#h-decision",
        "blockquote.said",
        ".decision .mi",
        ".explanation",
        ".decision blockquote.client",
        "#next-turn",
    ),
    "ended": (
        "#h-ending",
        "blockquote.client",
        ".outcome",
        "ol.path li",
        "ul.profile li",
        "ul.advice li",
    ),
}
WIDTH, HEIGHT = 1366, 768


def longest_path(conversation: Conversation) -> list[str]:
    """The response ids of the longest path (most turns) from the start to an ending that
    visits no turn twice."""

    def walk(turn_id: str, seen: frozenset[str]) -> list[str]:
        turn = conversation.turn(turn_id)
        best: list[str] = []
        for response in turn.responses:
            if response.next in seen:
                continue
            rest = [response.id, *walk(response.next, seen | {response.next})]
            if conversation.turn(rest_end(rest, turn_id)).is_ending and len(rest) > len(best):
                best = rest
        return best

    def rest_end(ids: list[str], turn_id: str) -> str:
        for rid in ids:
            turn_id = conversation.turn(turn_id).response(rid).next
        return turn_id

    return walk(conversation.start, frozenset({conversation.start}))


@pytest.fixture
def shipped_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    monkeypatch.delenv("IGM_CASES_DIR", raising=False)  # the kit's own cases and conversations
    yield from start_server(f"sqlite:///{tmp_path / 'live.sqlite3'}", TRAINER_TOKEN)


def text_boxes(page: Any, phase: str) -> dict[str, list[dict[str, float]]]:
    """Where each text the room reads sits, and how much of it shows (px)."""
    return {
        selector: page.eval_on_selector_all(
            selector,
            """els => els.map(e => { const r = e.getBoundingClientRect();
                 return {top: r.top, bottom: r.bottom, left: r.left, right: r.right,
                         height: r.height, line: parseFloat(getComputedStyle(e).lineHeight)
                           || 1.2 * parseFloat(getComputedStyle(e).fontSize),
                         shown: e.clientHeight, whole: e.scrollHeight,
                         panel: e.closest('.panel').getBoundingClientRect().bottom}; })""",
        )
        for selector in TEXTS[phase]
    }


def assert_readable(page: Any, phase: str, where: str) -> None:
    """The page fits the screen and every text of ``phase`` is on it whole: not cut short
    (line-clamped) and not clipped at the bottom of its panel."""
    size = page.evaluate(FITS)
    assert size[0] <= WIDTH and size[1] <= HEIGHT, (where, size)
    for selector, boxes in text_boxes(page, phase).items():
        assert boxes, (where, selector, "missing")
        for box in boxes:
            assert box["height"] >= 0.9 * box["line"], (where, selector, box)
            assert box["top"] >= 0 and box["bottom"] <= HEIGHT + 0.5, (where, selector, box)
            assert box["left"] >= 0 and box["right"] <= WIDTH + 0.5, (where, selector, box)
            assert box["whole"] <= box["shown"] + 1, (where, selector, "cut short", box)
            assert box["bottom"] <= box["panel"] + 0.5, (where, selector, "clipped", box)


def text_length(conversation: Conversation, turn_id: str, rid: str | None, lang: str) -> int:
    turn = conversation.turn(turn_id)
    if rid is None:  # voting: the client's words and every response
        return len(turn.client(lang)) + sum(len(r.text(lang)) for r in turn.responses)
    response = turn.response(rid)
    answer = conversation.turn(response.next).client(lang)
    return len(response.text(lang)) + len(response.explanation(lang)) + len(answer)


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("conversation_id", SHIPPED)
def test_a_shipped_scenario_fits_the_projector(
    browser: Any, shipped_server: LiveServer, conversation_id: str, lang: str, artifacts_dir: Path
) -> None:
    assert len(SHIPPED) == 3, SHIPPED
    conversation = next(c for c in list_conversations() if c.id == conversation_id)
    assert conversation.path is not None and conversation.path.parent == conversations_dir()
    store: LiveStore = shipped_server.store
    code = store.create_conversation_session(conversation_id, lang)["code"]
    tokens = [store.join(code, f"p{i}", device=f"{code}-{i}")[0] for i in range(4)]
    path = longest_path(conversation)
    assert len(path) >= 3
    # The turn with the most text of each phase is the one checked by axe and saved.
    worst = {
        phase: max(
            range(len(path)),
            key=lambda i: text_length(
                conversation,
                _turn_at(conversation, path, i),
                None if phase == "voting" else path[i],
                lang,
            ),
        )
        for phase in ("voting", "shown")
    }
    url = f"{shipped_server.url}live/trainer/{code}?lang={lang}"
    with guarded_page(browser, WIDTH, HEIGHT) as page:
        page.goto(f"{url}&key={shipped_server.token}")
        page.locator("#h-turn").wait_for()
        for step, rid in enumerate(path):
            turn = conversation.turn(_turn_at(conversation, path, step))
            ids = [r.id for r in turn.responses]
            for i, token in enumerate(tokens[:3]):  # a few votes; one phone stays silent
                store.vote(code, token, step, ids[(step + i) % len(ids)])
            for phase in ("voting", "shown"):
                if phase == "shown":  # the trainer's pick (the longest path), on the page
                    page.locator(f'button.pick[data-response="{rid}"]').click()
                page.locator("#h-vote" if phase == "voting" else "#h-decision").wait_for()
                where = f"{conversation_id} {lang} turn {step + 1} {phase}"
                assert_readable(page, phase, where)
                if phase == "shown":
                    chosen = turn.response(rid).text(lang)
                    said = page.locator("blockquote.said").inner_text().strip()
                    assert said[:40] == chosen[:40], (where, said)
                if worst[phase] == step:
                    assert_accessible(page)
                    page.screenshot(
                        path=str(
                            artifacts_dir
                            / f"live_conversation_shipped_{conversation_id}_{lang}_{phase}.png"
                        )
                    )
            page.locator("#next-turn").click()
            page.locator("#h-ending" if step == len(path) - 1 else "#h-turn").wait_for()
        page.locator("#h-ending").wait_for()
        page.screenshot(
            path=str(
                artifacts_dir / f"live_conversation_shipped_{conversation_id}_{lang}_ended.png"
            )
        )
        assert_readable(page, "ended", f"{conversation_id} {lang} ended")
        assert page.locator("ol.path li").count() == len(path)
        assert_accessible(page)


def _turn_at(conversation: Conversation, path: list[str], step: int) -> str:
    """The id of the turn the room is at after the first ``step`` responses of ``path``."""
    turn_id = conversation.start
    for rid in path[:step]:
        turn_id = conversation.turn(turn_id).response(rid).next
    return turn_id
