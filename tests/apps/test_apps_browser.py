"""The Voila apps in Chromium, served by a real ``serve()``: they render, react to the keyboard
exactly as the engine says, reach no host but this one, and pass axe-core."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from igm import list_cases, model_for
from igm.i18n import t
from tests.apps.chart_network import BUNDLE_URL, assert_bundle_fetched_not_pushed, watch
from tests.browser_helpers import assert_accessible
from widgets.ui import fmt_percent

pytestmark = [pytest.mark.browser, pytest.mark.slow]

APPS = ("explorer", "planner", "caseload")
#: What shows that each app is usable.
READY = {
    "explorer": ".igm-behaviour-readout .igm-readout-value",
    "planner": ".igm-after-readout .igm-readout-value",
    "caseload": ".igm-caseload-count p",
    "conversation": ".igm-conv-response",  # its own tests: tests/apps/test_conversation_app.py
}
LOAD_TIMEOUT = 150_000  # generous: a cold kernel on a busy 2-core machine


def app_url(server_url: str, app: str, lang: str) -> str:
    query = "?lang=en" if lang == "en" else ""
    return f"{server_url}voila/render/apps/{app}.ipynb{query}"


def open_app(page: Any, server_url: str, app: str, lang: str) -> None:
    page.goto(app_url(server_url, app, lang), wait_until="commit", timeout=LOAD_TIMEOUT)
    page.wait_for_selector(READY[app], timeout=LOAD_TIMEOUT)
    # charts are drawn once vega-embed has rendered its SVG
    if app != "caseload":
        page.wait_for_selector(".vega-embed svg", timeout=LOAD_TIMEOUT)
    else:
        page.wait_for_function(
            "document.querySelectorAll('.vega-embed svg').length >= 3", timeout=LOAD_TIMEOUT
        )


def full_screenshot(page: Any, path: Path) -> None:
    height = page.evaluate(
        "Math.max(document.body.scrollHeight, "
        "...Array.from(document.querySelectorAll('*')).map(e => e.scrollHeight))"
    )
    page.set_viewport_size({"width": 1280, "height": min(int(height) + 40, 6000)})
    page.screenshot(path=str(path), full_page=True)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_landing_page(page: Any, server_url: str, artifacts_dir: Path, lang: str) -> None:
    page.goto(server_url)
    for app in APPS:
        for query in ("", "?lang=en"):
            assert page.locator(f'a[href="/voila/render/apps/{app}.ipynb{query}"]').count() == 1
    assert t("landing.title", lang) in page.content()
    from exercises import list_exercises

    for exercise in list_exercises():
        for query in ("", "?lang=en"):
            href = f"/voila/render/exercises/{exercise.id}.ipynb{query}"
            assert page.locator(f'a[href="{href}"]').count() == 1
    for query in ("", "?lang=en"):
        href = f"/voila/render/exercises/dashboard.ipynb{query}"
        assert page.locator(f'a[href="{href}"]').count() == 1
    for href in ("/live/trainer", "/live/join"):  # one link in each language's column
        assert page.locator(f'a[href="{href}"]').count() == 2
    assert_accessible(page)
    full_screenshot(page, artifacts_dir / "landing.png")


def test_live_sessions_are_served_by_the_same_server(page: Any, server_url: str) -> None:
    """Are the live-session pages mounted, with the trainer pages locked by the trainer token?"""
    from tests.apps.conftest import TRAINER_TOKEN

    response = page.goto(f"{server_url}live/join")
    assert response is not None and response.status == 200
    response = page.goto(f"{server_url}live/trainer")
    assert response is not None and response.status == 403
    response = page.goto(f"{server_url}live/trainer?key=wrong-{TRAINER_TOKEN}")
    assert response is not None and response.status == 403
    response = page.goto(f"{server_url}live/trainer?key={TRAINER_TOKEN}")
    assert response is not None and response.status == 200


def test_only_app_folders_are_rendered(page: Any, server_url: str) -> None:
    response = page.goto(f"{server_url}voila/render/README.md")
    assert response is not None and response.status == 404
    response = page.goto(f"{server_url}voila/tree")
    assert response is not None and response.status == 404


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("app", APPS)
def test_app_renders_offline_and_accessibly(
    page: Any, server_url: str, artifacts_dir: Path, app: str, lang: str
) -> None:
    open_app(page, server_url, app, lang)
    text = page.inner_text("body")
    assert t("notice.illustrative", lang) in text
    assert t(f"{app}.title", lang) in text
    assert page.evaluate("document.documentElement.lang") == lang
    # every chart has its one-sentence summary beside it
    summaries = page.locator(".igm-chart-summary p")
    assert summaries.count() >= 2
    assert_accessible(page)
    full_screenshot(page, artifacts_dir / f"app_{app}_{lang}.png")
    assert page.blocked_requests == []


def behaviour_text(page: Any) -> str:
    return str(page.inner_text(".igm-behaviour-readout .igm-readout-value")).strip()


def raise_a_score_by_keyboard_and_check(page: Any, lang: str) -> None:
    """On the explorer's first case: ArrowRight on a slider below 7 gives the engine's new
    intention and behaviour probability in the readouts."""
    case = list_cases()[0]  # the explorer opens on the first case
    key = next(k for k in ("self_efficacy", "home_situation", "attitude") if case.scores[k] < 7)
    expected = model_for(case.domain).predict(case.scores.with_values({key: case.scores[key] + 1}))
    assert behaviour_text(page) == fmt_percent(
        model_for(case.domain).predict(case.scores).behaviour_probability, lang
    )
    handle = page.locator(f".igm-slider-{key} input[type=range]")
    handle.focus()
    page.keyboard.press("ArrowRight")
    want = fmt_percent(expected.behaviour_probability, lang)
    page.wait_for_function(
        "want => document.querySelector('.igm-behaviour-readout .igm-readout-value')"
        ".textContent.trim() === want",
        arg=want,
        timeout=10_000,
    )
    value = page.get_attribute(".igm-behaviour-readout .igm-readout-value", "data-value")
    assert value is not None and float(value) == expected.behaviour_probability
    intention = page.get_attribute(".igm-intention-readout .igm-readout-value", "data-value")
    assert intention is not None and float(intention) == expected.intention


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_explorer_slider_by_keyboard_gives_the_engine_value(
    page: Any, server_url: str, lang: str
) -> None:
    open_app(page, server_url, "explorer", lang)
    raise_a_score_by_keyboard_and_check(page, lang)


def test_planner_checkbox_gives_the_engine_comparison(page: Any, server_url: str) -> None:
    open_app(page, server_url, "planner", "en")
    case = list_cases()[0]
    first = case.interventions[0]
    page.locator(f".igm-intervention-{first.id} input").check()
    expected = model_for(case.domain).compare(case.scores, first.effects)
    want = fmt_percent(expected.after.behaviour_probability, "en")
    page.wait_for_function(
        "want => document.querySelector('.igm-after-readout .igm-readout-value')"
        ".textContent.trim() === want",
        arg=want,
        timeout=10_000,
    )
    # the export box follows in the same round trip
    page.wait_for_function(
        "label => document.querySelector('.igm-export textarea').value.includes(label)",
        arg=first.label("en"),
        timeout=10_000,
    )


def test_caseload_filter_in_the_browser(page: Any, server_url: str) -> None:
    open_app(page, server_url, "caseload", "en")
    before = page.inner_text(".igm-caseload-count")
    page.select_option(".igm-filter-domain select", label=t("domain.employer_hiring", "en"))
    page.wait_for_function(
        "before => document.querySelector('.igm-caseload-count').innerText !== before",
        arg=before,
        timeout=15_000,
    )
    count = int(re.search(r"(\d+)", page.inner_text(".igm-caseload-count")).group(1))  # type: ignore[union-attr]
    assert 0 < count < 600


@pytest.mark.parametrize("app", ["explorer", "caseload"])
def test_chart_script_is_a_cached_file_not_a_websocket_message(
    page: Any, server_url: str, app: str
) -> None:
    """The ~900 KB chart bundle comes once per page (caseload: three charts) as a gzipped
    static file the browser may keep for a year, and not with each chart over the websocket."""
    traffic = watch(page)
    open_app(page, server_url, app, "en")
    assert page.locator(".vega-embed svg .mark-rect path").count() > 0
    assert_bundle_fetched_not_pushed(traffic, "/")
    assert page.blocked_requests == []


def test_explorer_chart_under_a_base_url(
    page: Any, prefixed_server_url: str, artifacts_dir: Path
) -> None:
    """``igm serve --base-url /igm-test/``: the chart finds its script under the prefix."""
    from tests.apps.conftest import BASE_PATH

    traffic = watch(page)
    open_app(page, prefixed_server_url, "explorer", "en")
    bars = page.locator(".vega-embed svg .mark-rect path")
    assert bars.count() >= 2
    assert_bundle_fetched_not_pushed(traffic, BASE_PATH)
    full_screenshot(page, artifacts_dir / "app_explorer_base_url.png")
    assert page.blocked_requests == []


def test_a_chart_without_its_script_says_so(page: Any, server_url: str) -> None:
    """If the bundle cannot be loaded (here: answered 404), the chart's place says which file
    failed instead of staying empty; the rest of the app still works."""
    page.route(BUNDLE_URL, lambda route: route.fulfill(status=404, body="not here"))
    page.goto(app_url(server_url, "explorer", "en"), wait_until="commit", timeout=LOAD_TIMEOUT)
    page.wait_for_selector(READY["explorer"], timeout=LOAD_TIMEOUT)
    error = page.locator(".igm-chart-error[role=alert]")
    error.first.wait_for(timeout=60_000)
    assert "jupyterchart_" in error.first.inner_text()
    assert "could not load" in error.first.inner_text()
    assert page.locator(".vega-embed svg").count() == 0
    assert page.blocked_requests == []


def test_an_old_link_to_a_retired_exercise_says_where_to_go(server_url: str) -> None:
    """The server answers a retired exercise's address with 410 and the replacement's link."""
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as gone:
        urllib.request.urlopen(server_url + "voila/render/exercises/predict.ipynb", timeout=30)
    assert gone.value.code == 410
    body = gone.value.read().decode("utf-8")
    assert t("retired.heading", "nl") in body
    assert "voila/render/exercises/compare-clients.ipynb" in body
