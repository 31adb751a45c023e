"""Every exercise on a phone (390×844) in Chromium, served by a real ``serve()``.

Nothing scrolls sideways, every control is a 44 px touch target, a drop-down shows the value
chosen in it, and a submit with answers missing or too short says what is wrong next to each
field and next to the submit button (announced, with the focus on the first field to fix).
A text with a minimum length counts its characters while the learner types.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from exercises import EXERCISE_IDS
from igm.i18n import t
from tests.browser_helpers import assert_accessible
from tests.exercises.conftest import ExerciseServer
from tests.exercises.test_app_browser import LOAD_TIMEOUT, exercise_url, identify

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
TOUCH = 44  # px: the smallest touch target

#: Height of every interactive control a learner can see; a checkbox counts with its label
#: (tapping the label ticks the box).
CONTROL_HEIGHTS = """() => [...document.querySelectorAll(
    '.igm-exercise select, .igm-exercise input, .igm-exercise textarea, .igm-exercise button')]
  .filter(e => e.offsetParent !== null)
  .map(e => {
    const target = e.type === 'checkbox' ? (e.closest('label') || e) : e;
    const box = target.getBoundingClientRect();
    return {what: e.tagName + ' ' + (e.type || ''), height: box.height, width: box.width};
  })"""

#: Per drop-down: its chosen text, the text's width in the drop-down's font, and the room
#: the drop-down has for it (lines × width when it wraps its text).
DROPDOWN_ROOM = """() => [...document.querySelectorAll('.igm-exercise select')].map(s => {
  const style = getComputedStyle(s);
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = style.font;
  const text = s.options[s.selectedIndex].text;
  const pad = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
  const width = s.clientWidth - pad;
  const wraps = style.whiteSpace === 'normal' && style.appearance === 'base-select';
  const lineHeight = parseFloat(style.lineHeight) || 1.35 * parseFloat(style.fontSize);
  const inner = s.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
  const lines = wraps ? Math.max(1, Math.floor((inner + 1) / lineHeight)) : 1;
  return {text, needed: Math.ceil(ctx.measureText(text).width), width, lines, wraps};
})"""


def scroll_width(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def open_exercise(page: Any, server: ExerciseServer, exercise_id: str, lang: str) -> None:
    page.goto(exercise_url(server, exercise_id, lang), wait_until="commit", timeout=LOAD_TIMEOUT)
    page.wait_for_selector(".igm-identity input", timeout=LOAD_TIMEOUT)


def start(page: Any, server: ExerciseServer, exercise_id: str, lang: str) -> None:
    open_exercise(page, server, exercise_id, lang)
    identify(page, "Pim Telefoon", f"P{random.randrange(10**6, 10**7)}", lang, server.database_url)
    page.wait_for_selector(".igm-exercise-form", timeout=LOAD_TIMEOUT)
    page.wait_for_timeout(300)  # the last widgets render


def small_controls(page: Any) -> list[dict[str, Any]]:
    return [c for c in page.evaluate(CONTROL_HEIGHTS) if c["height"] < TOUCH - 0.5]


def choose_longest_options(page: Any) -> None:
    """In every drop-down, the answer with the longest text (not "— choose —"): the hardest
    value to show."""
    page.evaluate(
        """() => document.querySelectorAll('.igm-exercise select').forEach(s => {
          let best = 1;
          [...s.options].forEach((o, i) => { if (i === 0) return; if (o.text.length > s.options[best].text.length)
            best = i; });
          s.selectedIndex = best; s.dispatchEvent(new Event('change', {bubbles: true}));
        })"""
    )


def hidden_values(page: Any) -> list[dict[str, Any]]:
    """Drop-downs whose chosen text does not fit in them."""
    return [
        d
        for d in page.evaluate(DROPDOWN_ROOM)
        if d["needed"] > d["width"] * d["lines"] + 1
        or (not d["wraps"] and d["needed"] > d["width"])
    ]


def gap(page: Any, upper: str, lower: str) -> float:
    """Pixels between the bottom of the first ``upper`` and the top of the first ``lower``."""
    return float(
        page.evaluate(
            """([a, b]) => document.querySelector(b).getBoundingClientRect().top
                 - document.querySelector(a).getBoundingClientRect().bottom""",
            [upper, lower],
        )
    )


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_the_exercise_fits_a_phone_and_explains_a_missing_answer_in_place(
    page: Any, exercise_server: ExerciseServer, artifacts_dir: Path, exercise_id: str
) -> None:
    lang = "en" if EXERCISE_IDS.index(exercise_id) % 2 else "nl"
    page.set_viewport_size(PHONE)
    open_exercise(page, exercise_server, exercise_id, lang)
    assert scroll_width(page) <= PHONE["width"]
    assert not small_controls(page), small_controls(page)  # the sign-in form too
    identify(
        page,
        "Pim Telefoon",
        f"P{random.randrange(10**6, 10**7)}",
        lang,
        exercise_server.database_url,
    )
    page.wait_for_selector(".igm-exercise-form", timeout=LOAD_TIMEOUT)
    page.wait_for_timeout(300)

    # fits: no sideways scrolling, touch-sized controls, chosen values visible
    assert scroll_width(page) <= PHONE["width"]
    assert not small_controls(page), small_controls(page)
    assert not hidden_values(page), hidden_values(page)  # "— choose —" shows
    page.locator(".igm-exercise-form").screenshot(
        path=str(artifacts_dir / f"exercise_{exercise_id}_{lang}_390.png")
    )

    # a submit with nothing filled in: said at the first field and next to the button
    page.locator(".igm-submit").click()
    status = page.locator(".igm-submit-status [role=alert]")
    status.wait_for(timeout=LOAD_TIMEOUT)
    said = status.inner_text()
    assert said.startswith(t("exercise_app.invalid.summary", lang, items="").split(":")[0]), said
    assert t("exercise_app.no_attempts", lang) not in said
    assert 0 <= gap(page, ".igm-submit", ".igm-submit-status") < 60
    errors = page.locator(".igm-field-error:visible")
    assert errors.count() >= 1
    first_error = errors.first.inner_text()
    assert first_error in (
        t("exercise_app.field.choose", lang),
        t("exercise_app.field.fill_in", lang),
        t("exercise_app.dialogue.not_started", lang),
    ), first_error
    # the message sits right under the field it is about, and that field has the focus
    below = page.evaluate(
        """() => { const err = [...document.querySelectorAll('.igm-field-error')]
                     .find(e => e.offsetParent !== null);
                   const field = err.previousElementSibling;
                   return [err.getBoundingClientRect().top - field.getBoundingClientRect().bottom,
                           field.contains(document.activeElement)]; }"""
    )
    assert 0 <= below[0] < 30 and below[1], below
    assert page.locator(".igm-message [role=alert]").count() == 0  # nothing far above
    assert scroll_width(page) <= PHONE["width"]
    assert_accessible(page)
    page.screenshot(path=str(artifacts_dir / f"exercise_{exercise_id}_{lang}_390_invalid.png"))

    # the longest option of every drop-down still shows whole; fixing a field clears its note
    choose_longest_options(page)
    page.wait_for_timeout(500)
    assert not hidden_values(page), hidden_values(page)
    assert scroll_width(page) <= PHONE["width"]
    select_errors = page.locator(".igm-field-error:visible")
    # intervention-plan's short text still needs its note; conversation has no drop-down
    if exercise_id not in ("intervention-plan", "conversation"):
        select_errors.first.wait_for(state="hidden", timeout=LOAD_TIMEOUT)

    # and on a laptop screen nothing overflows either
    page.set_viewport_size(LAPTOP)
    assert scroll_width(page) <= LAPTOP["width"]


def test_the_character_counter_follows_typing_and_a_short_text_is_refused_in_place(
    page: Any, exercise_server: ExerciseServer, artifacts_dir: Path
) -> None:
    """intervention-plan's justification needs 150 characters: the counter under it counts
    (trimmed, as the grader counts) while the learner types; too short is said under the
    field and beside the button, and nothing is graded."""
    lang = "nl"
    page.set_viewport_size(PHONE)
    start(page, exercise_server, "intervention-plan", lang)
    counter = page.locator(".igm-counter")
    assert counter.inner_text() == t("exercise_app.counter", lang, length=0, min=150)
    area = page.locator(".igm-exercise-form textarea")
    area.press_sequentially("  Omdat het past", delay=40)
    counter.get_by_text(t("exercise_app.counter", lang, length=14, min=150)).wait_for(
        timeout=LOAD_TIMEOUT
    )
    area.press_sequentially(" bij", delay=40)
    counter.get_by_text(t("exercise_app.counter", lang, length=18, min=150)).wait_for(
        timeout=LOAD_TIMEOUT
    )
    choose_longest_options(page)
    page.wait_for_timeout(500)
    page.locator(".igm-submit").click()
    status = page.locator(".igm-submit-status [role=alert]")
    status.wait_for(timeout=LOAD_TIMEOUT)
    too_short = t("exercise_app.field.too_short", lang, length=18, min=150, missing=132)
    field_error = page.locator(".igm-field-error:visible")
    assert field_error.inner_text() == too_short
    assert page.evaluate("document.activeElement.tagName") == "TEXTAREA"
    assert "onderbouwing" in status.inner_text()
    assert page.locator(".igm-result").get_by_text(t("exercise_app.no_attempts", lang)).count()
    page.evaluate("document.querySelector('.igm-submit').scrollIntoView({block: 'center'})")
    page.screenshot(path=str(artifacts_dir / "exercise_intervention-plan_nl_390_too_short.png"))
    # long enough: the counter says so and the note under the field goes
    area.press_sequentially(" " + "x" * 140, delay=5)
    counter.get_by_text(t("exercise_app.counter.enough", lang, length=159, min=150)).wait_for(
        timeout=LOAD_TIMEOUT
    )
    field_error.first.wait_for(state="hidden", timeout=LOAD_TIMEOUT)
    assert_accessible(page)


def test_the_trainer_dashboard_on_a_phone_scrolls_its_tables_not_the_page(
    page: Any, exercise_server: ExerciseServer
) -> None:
    """The "who did what" table is wider than a phone: it scrolls in its own box, which the
    keyboard reaches; the page itself does not scroll sideways; the controls are touch-sized."""
    from tests.exercises.test_app_browser import TRAINER_TOKEN, open_dashboard, record

    for i in range(3):
        for exercise_id in EXERCISE_IDS:
            record(exercise_server.database_url, f"W000000{i}", f"Wim Breed {i}", exercise_id)
    page.set_viewport_size(PHONE)
    open_dashboard(page, exercise_server, "nl")
    page.get_by_label(t("dashboard.token", "nl"), exact=True).fill(TRAINER_TOKEN)
    page.get_by_role("button", name=t("dashboard.open", "nl")).click()
    page.locator(".igm-overview").get_by_text("Wim Breed 2").wait_for(timeout=LOAD_TIMEOUT)
    assert scroll_width(page) <= PHONE["width"]
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('.igm-table-scroll')].map(e => ({
          client: e.clientWidth, scroll: e.scrollWidth, tab: e.tabIndex,
          label: e.getAttribute('aria-label'),
          right: e.getBoundingClientRect().right}))"""
    )
    overview = boxes[0]
    assert overview["scroll"] > overview["client"]  # wider than the phone: it scrolls
    assert all(b["tab"] == 0 and b["label"] and b["right"] <= PHONE["width"] for b in boxes)
    page.locator(".igm-overview .igm-table-scroll").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "document.querySelector('.igm-overview .igm-table-scroll').scrollLeft > 0"
    )
    heights = page.evaluate(
        """() => [...document.querySelectorAll('.igm-dashboard button, .igm-dashboard input')]
          .filter(e => e.offsetParent !== null)
          .map(e => (e.type === 'checkbox' ? (e.closest('.widget-checkbox') || e) : e)
            .getBoundingClientRect().height)"""
    )
    assert heights and min(heights) >= TOUCH - 0.5, heights
    assert_accessible(page)
