"""The widget apps on a phone (390×844) and a projector (1366×768), in Chromium against a real
``serve()``: nothing wider than the screen, the main readout in view right after the controls,
controls a finger can hit (44 px) that show their value, and a busy indicator that appears only
when the kernel's answer takes longer than 300 ms."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from igm.i18n import t
from tests.apps.conftest import TRAINER_TOKEN
from tests.apps.test_apps_browser import LOAD_TIMEOUT, READY, app_url
from tests.browser_helpers import assert_accessible
from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1366, "height": 768}
#: Per app: its main controls (the last one in reading order comes right before the readout)
#: and its main readout.
MAIN = {
    "explorer": (".igm-slider input[type=range], button.igm-reset", ".igm-behaviour-readout"),
    "planner": (".igm-intervention input[type=checkbox]", ".igm-after-readout"),
    "caseload": (".igm-filter-domain select", ".igm-caseload-count"),
    "case_editor": (".igm-slider input[type=range]", ".igm-live"),
}
APPS = tuple(MAIN)
#: Nothing big between the last control and the readout (a heading at most): this far apart.
NEAR_PX = 260
BUSY_AFTER_MS = 300  # frontend/src/busy.js


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A phone-sized page (touch, 390×844) that may reach this machine only."""
    yield from _sized_page(browser, PHONE, mobile=True)


@pytest.fixture
def projector(browser: Any) -> Iterator[Any]:
    yield from _sized_page(browser, PROJECTOR, mobile=False)


def _sized_page(browser: Any, viewport: dict[str, int], mobile: bool) -> Iterator[Any]:
    from tests.conftest import guarded_page

    with guarded_page(
        browser, viewport["width"], viewport["height"], is_mobile=mobile, has_touch=mobile
    ) as sized:
        yield sized


def open_app(page: Any, server_url: str, app: str, lang: str = "nl") -> None:
    """Open ``app`` and wait until its readout and charts are drawn (the editor: unlocked)."""
    page.goto(app_url(server_url, app, lang), wait_until="commit", timeout=LOAD_TIMEOUT)
    if app == "case_editor":
        token = page.get_by_label(t("case_editor.gate.token", lang), exact=True)
        token.wait_for(timeout=LOAD_TIMEOUT)
        token.fill(TRAINER_TOKEN)
        token.press("Enter")
        page.wait_for_selector(".igm-live .igm-readout, .igm-live p", timeout=LOAD_TIMEOUT)
    else:
        page.wait_for_selector(READY[app], timeout=LOAD_TIMEOUT)
        charts = {"explorer": 1, "planner": 2, "caseload": 4}[app]
        page.wait_for_function(
            f"document.querySelectorAll('.vega-embed svg').length >= {charts}",
            timeout=LOAD_TIMEOUT,
        )
    page.wait_for_timeout(500)  # vega's resize pass


#: Everything drawn in the app that reaches past the screen's left or right edge.
OUTSIDE = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const node of document.querySelectorAll('.igm-app *')) {
    const box = node.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.right > width + 1 || box.left < -1) {
      const name = node.tagName + '.' + String(node.className.baseVal ?? node.className);
      out.push(name.slice(0, 80) + ' ' + Math.round(box.left) + '..' + Math.round(box.right));
    }
  }
  return out;
}"""

#: Each visible form control's size: the input, or the label that holds it (a checkbox is
#: hit through its label).
CONTROLS = """() => [...document.querySelectorAll(
    '.igm-app input, .igm-app select, .igm-app button, .igm-app textarea')]
  .filter((node) => node.getClientRects().length && getComputedStyle(node).visibility !== 'hidden')
  .map((node) => {
    const target = node.closest('label') ?? node;
    const box = target.getBoundingClientRect();
    return {name: node.tagName + ':' + (node.type || '') + ' ' + (node.className || ''),
            width: box.width, height: box.height};
  })"""

#: Whether a select shows its whole value: on one line, or wrapped inside a box tall enough.
SELECT_SHOWS_VALUE = """(select) => {
  const style = getComputedStyle(select);
  const text = select.options[select.selectedIndex].text;
  // the same text, font and width in a box that wraps at spaces (Chromium wraps a select's
  // text in its padding box, beside the arrow)
  const probe = document.createElement('div');
  probe.textContent = text;
  probe.style.cssText = 'position:absolute;visibility:hidden;white-space:normal;'
    + 'width:' + (select.clientWidth - parseFloat(style.paddingLeft)
                  - parseFloat(style.paddingRight)) + 'px;'
    + 'font:' + style.font + ';line-height:' + style.lineHeight;
  document.body.append(probe);
  const needed = probe.offsetHeight;
  const lines = Math.round(needed / parseFloat(style.lineHeight));
  probe.remove();
  const inner = select.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
  const wraps = style.whiteSpace === 'normal' || style.whiteSpace === 'pre-wrap';
  return {text, lines, fits: lines <= 1 || (wraps && inner + 2 >= needed)};
}"""


def assert_fits(page: Any, label: str) -> None:
    width = page.viewport_size["width"]
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{label}: the page is {scroll} px wide on a {width} px screen"
    outside = page.evaluate(OUTSIDE)
    assert not outside, f"{label}: drawn past the screen's edge (clipped): {outside[:10]}"


@pytest.mark.parametrize("app", APPS)
def test_app_fits_a_phone(phone: Any, server_url: str, app: str) -> None:
    page = phone
    open_app(page, server_url, app)
    page.screenshot(path=str(ARTIFACTS / f"phone_{app}.png"), full_page=True)
    assert_fits(page, f"{app} at 390 px")

    controls_selector, readout_selector = MAIN[app]
    readout = page.locator(readout_selector).first
    box = readout.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    last_control = page.locator(controls_selector).last
    control_box = last_control.bounding_box()
    assert control_box is not None
    # in reading order right after the controls: below the last one, with little between
    follows = last_control.evaluate(
        "(control, selector) => Boolean(control.compareDocumentPosition("
        "document.querySelector(selector)) & Node.DOCUMENT_POSITION_FOLLOWING)",
        readout_selector,
    )
    assert follows, f"{app}: the readout comes before its controls"
    gap = box["y"] - (control_box["y"] + control_box["height"])
    assert 0 <= gap <= NEAR_PX, f"{app}: {gap:.0f} px between the last control and the readout"
    readout.scroll_into_view_if_needed()
    assert readout.is_visible()

    controls = page.evaluate(CONTROLS)
    assert controls
    small = [c for c in controls if c["height"] < 44]
    assert not small, f"{app}: controls smaller than 44 px: {small[:5]}"
    for select in page.locator(".igm-app select").all():
        shown = select.evaluate(SELECT_SHOWS_VALUE)
        assert shown["fits"], f"{app}: the picker cuts its value {shown}"
    assert_accessible(page)


@pytest.mark.parametrize("app", APPS)
def test_app_fits_a_projector(projector: Any, server_url: str, app: str) -> None:
    page = projector
    open_app(page, server_url, app)
    page.screenshot(path=str(ARTIFACTS / f"projector_{app}.png"), full_page=True)
    assert_fits(page, f"{app} at 1366 px")


def test_case_picker_shows_the_longest_title_on_a_phone(phone: Any, server_url: str) -> None:
    """The explorer's case picker wraps a long title instead of cutting it."""
    from igm import list_cases

    page = phone
    longest = max(list_cases(), key=lambda case: len(case.title("en")))
    page.goto(
        app_url(server_url, "explorer", "en").replace("?", f"?case={longest.id}&"),
        wait_until="commit",
        timeout=LOAD_TIMEOUT,
    )
    page.wait_for_selector(READY["explorer"], timeout=LOAD_TIMEOUT)
    select = page.locator(".igm-case-picker select")
    shown = select.evaluate(SELECT_SHOWS_VALUE)
    assert shown["text"] == longest.title("en")
    assert shown["lines"] > 1 and shown["fits"], shown


def _move_a_slider(page: Any) -> None:
    handle = page.locator(".igm-slider input[type=range]").first
    handle.focus()
    value = handle.input_value()
    page.keyboard.press("ArrowLeft" if int(value) > 1 else "ArrowRight")


def test_busy_indicator_only_when_the_kernel_is_slow(browser: Any, server_url: str) -> None:
    """The kernel's answers reach the page late (held in the websocket, as on a busy server or
    a slow room Wi-Fi): after 300 ms "Bezig met rekenen…" shows, as a polite status, and goes
    once the answer is in. A quick answer shows nothing."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    held: list[Any] = []
    state: dict[str, Any] = {"hold": False, "page_side": None}

    def route(ws: Any) -> None:
        state["page_side"] = ws
        server = ws.connect_to_server()

        def from_server(message: Any) -> None:
            if state["hold"]:
                held.append(message)
            else:
                ws.send(message)

        server.on_message(from_server)
        ws.on_message(lambda message: server.send(message))

    page.route_web_socket("**/api/kernels/*/channels*", route)
    try:
        open_app(page, server_url, "explorer")
        status = page.locator(".igm-busy[role=status][aria-live=polite]")
        assert status.count() == 1 and status.inner_text() == ""
        before = page.inner_text(".igm-behaviour-readout .igm-readout-value")

        # quick: the indicator stays empty whenever the answer came within 300 ms
        log_before = page.evaluate("window.igmPage.busy.log.length")
        _move_a_slider(page)
        page.wait_for_function(
            "n => window.igmPage.busy.log.length > n", arg=log_before, timeout=30_000
        )
        for wait in page.evaluate(f"window.igmPage.busy.log.slice({log_before})"):
            # Shown only after 300 ms. Near the boundary a busy machine may run the 300 ms
            # timer after the answer is in (both wait for the same main thread), so only a
            # clearly long wait must have shown it.
            assert not wait["shown"] or wait["waitedMs"] > BUSY_AFTER_MS, wait
            if wait["waitedMs"] > BUSY_AFTER_MS + 700:
                assert wait["shown"], wait
        assert status.inner_text() == ""
        after_quick = page.inner_text(".igm-behaviour-readout .igm-readout-value")

        # slow: every answer held back for a second
        state["hold"] = True
        _move_a_slider(page)
        page.wait_for_function(
            "() => document.querySelector('.igm-busy').textContent !== ''", timeout=5_000
        )
        assert status.inner_text() == t("page.busy", "nl")
        assert page.evaluate("document.body.dataset.igmBusy") == "true"
        page.wait_for_timeout(700)
        assert page.inner_text(".igm-behaviour-readout .igm-readout-value") == after_quick
        page.screenshot(path=str(ARTIFACTS / "phone_explorer_busy.png"))
        assert_accessible(page)
        state["hold"] = False
        for message in held:  # in order, as the server sent them
            state["page_side"].send(message)
        held.clear()
        page.wait_for_function(
            "() => document.querySelector('.igm-busy').textContent === ''", timeout=30_000
        )
        assert page.inner_text(".igm-behaviour-readout .igm-readout-value") not in (
            "",
            after_quick,
        )
        last = page.evaluate("window.igmPage.busy.log.at(-1)")
        assert last["shown"] and last["waitedMs"] > BUSY_AFTER_MS
        assert before  # the page was drawn before any of this
    finally:
        context.close()
