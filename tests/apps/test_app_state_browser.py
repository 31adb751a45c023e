"""The learner's work kept, in Chromium against a real ``serve()``: the explorer's sliders and
the planner's plan live in the page's address (a reload and a shared link show the same), and
the planner's plan can be copied, printed (only the plan) and downloaded as a .txt file marked
as a practice plan. No request leaves this machine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from igm import find_case, model_for
from igm.i18n import t
from igm.report import fmt_percent, plan_effects, plan_file_name, plan_text
from tests.apps.test_apps_browser import LOAD_TIMEOUT, READY
from tests.conftest import guarded_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CASE = find_case("hiba-ingenieur")  # not the first case: an app that ignores ?case= shows another


def query_of(page: Any) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}


def wait_for_address(page: Any, name: str, value: str) -> None:
    page.wait_for_function(
        "([name, value]) => new URLSearchParams(location.search).get(name) === value",
        arg=[name, value],
        timeout=10_000,
    )


def open_app(page: Any, url: str, app: str) -> None:
    response = page.goto(url, wait_until="commit", timeout=LOAD_TIMEOUT)
    assert response is not None and response.status == 200
    page.wait_for_selector(READY[app], timeout=LOAD_TIMEOUT)


@pytest.fixture
def fresh_page(browser: Any) -> Iterator[Any]:
    """A page in a context of its own (no shared storage), refusing other hosts like ``page``."""
    with guarded_page(browser) as fresh:
        yield fresh


def test_a_moved_slider_is_kept_on_reload(page: Any, server_url: str, artifacts_dir: Path) -> None:
    open_app(
        page, f"{server_url}voila/render/apps/explorer.ipynb?lang=en&case={CASE.id}", "explorer"
    )
    key = next(k for k in ("self_efficacy", "home_situation", "attitude") if CASE.scores[k] < 7)
    moved = round(CASE.scores[key]) + 1
    page.locator(f".igm-slider-{key} input[type=range]").focus()
    page.keyboard.press("ArrowRight")
    wait_for_address(page, key, str(moved))
    assert query_of(page) == {"lang": "en", "case": CASE.id, key: str(moved)}

    page.reload(wait_until="commit", timeout=LOAD_TIMEOUT)
    page.wait_for_selector(READY["explorer"], timeout=LOAD_TIMEOUT)
    value = page.locator(f".igm-slider-{key} input[type=range]").input_value()
    assert value == str(moved)
    expected = model_for(CASE.domain).predict(CASE.scores.with_values({key: moved}))
    shown = page.inner_text(".igm-behaviour-readout .igm-readout-value").strip()
    assert shown == fmt_percent(expected.behaviour_probability, "en")
    assert query_of(page)[key] == str(moved)
    page.screenshot(path=str(artifacts_dir / "explorer-reloaded-with-state.png"))


def test_a_bad_setting_in_the_address_is_named_and_the_case_score_shown(
    page: Any, server_url: str
) -> None:
    hostile = "%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E"
    url = f"{server_url}voila/render/apps/explorer.ipynb?lang=en&case={CASE.id}&attitude=9&capacity={hostile}"
    open_app(page, url, "explorer")
    note = page.locator(".igm-address-note")
    note.wait_for(timeout=10_000)
    assert "attitude=9" in note.inner_text()
    assert "capacity=<img src=x onerror=alert(1)>" in note.inner_text()
    assert page.locator(".igm-address-note img").count() == 0
    for key in ("attitude", "capacity"):
        slider = page.locator(f".igm-slider-{key} input[type=range]")
        assert slider.input_value() == str(round(CASE.scores[key]))
    # The address is mended: the bad values are gone.
    page.wait_for_function("!new URLSearchParams(location.search).has('attitude')", timeout=10_000)


def planner_url(server_url: str) -> str:
    return f"{server_url}voila/render/apps/planner.ipynb?lang=en&case={CASE.id}"


def expected_plan(ids: list[str], lang: str) -> str:
    chosen = [CASE.intervention(i) for i in ids]
    comparison = model_for(CASE.domain).compare(CASE.scores, plan_effects(chosen))
    return plan_text(CASE, chosen, comparison, lang)


def choose(page: Any, ids: list[str]) -> None:
    for item_id in ids:
        page.locator(f".igm-intervention-{item_id} input").check()
    wait_for_address(page, "plan", ",".join(ids))


def test_a_shared_planner_address_shows_the_same_plan(
    page: Any, fresh_page: Any, server_url: str
) -> None:
    ids = [CASE.interventions[0].id, CASE.interventions[-1].id]
    open_app(page, planner_url(server_url), "planner")
    choose(page, ids)
    shared = page.url

    open_app(fresh_page, shared, "planner")
    for item in CASE.interventions:
        box = fresh_page.locator(f".igm-intervention-{item.id} input")
        assert box.is_checked() == (item.id in ids), item.id
    text = fresh_page.locator(".igm-export textarea").input_value()
    assert text == expected_plan(ids, "en")
    assert fresh_page.locator(".igm-plan-print").text_content() == text


def test_the_plan_is_copied_printed_and_downloaded_as_a_practice_plan(
    page: Any, server_url: str, tmp_path: Path, artifacts_dir: Path
) -> None:
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(server_url))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    ids = [CASE.interventions[1].id]
    open_app(page, planner_url(server_url), "planner")
    choose(page, ids)
    want = expected_plan(ids, "en")
    page.wait_for_function(
        "want => document.querySelector('.igm-plan-print').textContent === want", arg=want
    )

    # Copy: the plan on the clipboard, and the page says so.
    page.get_by_role("button", name=t("planner.plan.copy", "en")).click()
    page.get_by_text(t("planner.plan.copied", "en")).wait_for(timeout=10_000)
    assert page.evaluate("navigator.clipboard.readText()") == want

    # Download: a .txt file, the plan as text, marked as practice for a fictional case.
    with page.expect_download(timeout=10_000) as download_info:
        page.get_by_role("button", name=t("planner.plan.download", "en")).click()
    download = download_info.value
    assert (
        download.suggested_filename == plan_file_name(CASE, "en") == f"practice-plan-{CASE.id}.txt"
    )
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    content = saved.read_text(encoding="utf-8")
    assert content == want + "\n"
    assert content.startswith(t("export.header", "en", name=CASE.name))
    assert t("export.practice_only", "en") in content

    page.locator(".igm-plan-buttons").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "planner-plan-buttons.png"))

    # Print: only the plan, black on white; no sliders, boxes, buttons or charts.
    page.emulate_media(media="print")
    try:
        sheet = page.locator(".igm-plan-print")
        assert sheet.is_visible()
        assert sheet.inner_text() == want
        for hidden in (
            ".igm-intervention input",
            ".igm-plan-button",
            ".igm-language-switch",
            ".igm-case-picker",
            ".igm-export textarea",
            ".vega-embed",
            ".igm-notice",
        ):
            assert page.locator(hidden).first.is_hidden(), hidden
        colours = sheet.evaluate(
            "el => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor]"
        )
        assert colours == ["rgb(0, 0, 0)", "rgb(255, 255, 255)"]
        page.screenshot(path=str(artifacts_dir / "planner-print.png"), full_page=True)
    finally:
        page.emulate_media(media="screen")
    assert not sheet.is_visible()  # on screen the plan is the text box above the buttons
