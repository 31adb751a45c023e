"""The case explorer, headless: it builds for every case and shows exactly what the engine says."""

from __future__ import annotations

import re
from typing import Any

import pytest

from igm import DETERMINANTS, list_cases, model_for
from igm.i18n import LANGUAGES, t
from widgets.explorer import CONTRIB_PARAM, Explorer, contribution_sentence, model_diagram_svg
from widgets.ui import fmt_percent

CASE_IDS = [case.id for case in list_cases()]


def walk(widget: Any) -> list[Any]:
    """The widget and all widgets nested in it."""
    found = [widget]
    for child in getattr(widget, "children", ()):
        found += walk(child)
    return found


def readout_value(html: str) -> float:
    match = re.search(r'data-value="([^"]+)"', html)
    assert match, html
    return float(match.group(1))


def readout_text(html: str) -> str:
    match = re.search(r'class="igm-readout-value"[^>]*>([^<]+)<', html)
    assert match, html
    return match.group(1)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("case_id", CASE_IDS)
def test_builds_for_every_case_at_the_case_scores(case_id: str, lang: str) -> None:
    explorer = Explorer(case_id, lang)
    case = explorer.case
    assert explorer.scores() == case.scores
    expected = model_for(case.domain).predict(case.scores)
    assert readout_value(explorer.behaviour_out.value) == expected.behaviour_probability
    assert readout_text(explorer.behaviour_out.value) == fmt_percent(
        expected.behaviour_probability, lang
    )
    assert readout_value(explorer.intention_out.value) == expected.intention
    # every slider has its test hook and the mark of the case's value
    for key, slider in explorer.sliders.items():
        assert f"igm-slider-{key}" in slider._dom_classes
        assert slider.original == round(case.scores[key])
        assert slider.label == t(f"determinant.{key}.name", lang)
    assert "igm-behaviour-readout" in explorer.behaviour_out._dom_classes
    assert "igm-intention-readout" in explorer.intention_out._dom_classes


@pytest.mark.parametrize("key", DETERMINANTS)
def test_moving_a_slider_changes_the_prediction_exactly_as_the_engine(key: str) -> None:
    explorer = Explorer("marja-bijstand", "nl")
    case = explorer.case
    new_value = 7 if case.scores[key] < 7 else 1
    explorer.sliders[key].value = new_value
    expected = model_for(case.domain).predict(case.scores.with_values({key: new_value}))
    assert explorer.prediction == expected
    assert readout_value(explorer.behaviour_out.value) == expected.behaviour_probability
    assert readout_value(explorer.intention_out.value) == expected.intention
    assert readout_value(explorer.ability_out.value) == expected.ability
    low, high = expected.behaviour_interval
    assert fmt_percent(low, "nl") in explorer.behaviour_out.value
    assert fmt_percent(high, "nl") in explorer.behaviour_out.value
    # the chart shows the new contributions and its sentence says so
    shown = dict(zip(DETERMINANTS, explorer.chart._params[CONTRIB_PARAM], strict=True))
    assert shown[key] == pytest.approx(100 * expected.contributions[key], abs=1e-3)
    assert contribution_sentence(expected, "nl") in explorer.chart_text.value
    # the note beside the slider keeps the case's value and shows the change
    note = explorer.sliders[key].note
    assert note.startswith(t("ui.original", "nl", score=str(round(case.scores[key]))))
    assert t("ui.changed", "nl", delta=f"{new_value - round(case.scores[key]):+d}") in note


def test_reset_returns_to_the_case() -> None:
    explorer = Explorer("lotte-na-burn-out", "en")
    explorer.sliders["capacity"].value = 7
    explorer.sliders["attitude"].value = 1
    explorer.reset()
    assert explorer.scores() == explorer.case.scores
    assert explorer.prediction == model_for(explorer.case.domain).predict(explorer.case.scores)


def test_switching_case_starts_at_the_new_case() -> None:
    explorer = Explorer(CASE_IDS[0], "nl")
    explorer.set_case(CASE_IDS[-1])
    assert explorer.scores() == explorer.case.scores
    assert explorer.case.id == CASE_IDS[-1]


def test_language_switch_changes_labels_and_keeps_the_sliders() -> None:
    explorer = Explorer("marja-bijstand", "nl")
    explorer.sliders["self_efficacy"].value = 5
    assert explorer.sliders["self_efficacy"].label == t("determinant.self_efficacy.name", "nl")
    explorer.set_language("en")
    assert explorer.sliders["self_efficacy"].label == t("determinant.self_efficacy.name", "en")
    assert explorer.sliders["self_efficacy"].value == 5
    assert t("output.behaviour", "en") in explorer.behaviour_out.value
    assert "%" in readout_text(explorer.behaviour_out.value)
    assert "." in readout_text(explorer.behaviour_out.value)  # English decimal point


def test_every_chart_has_a_sentence_and_the_notice_is_shown() -> None:
    explorer = Explorer("hiba-ingenieur", "nl")
    summaries = [c for c in walk(explorer.widget) if "igm-chart-summary" in c._dom_classes]
    assert len(summaries) == 2  # contribution chart and model diagram
    assert all(s.value.strip() for s in summaries)
    notices = [c for c in explorer.widget.children if "igm-notice" in c._dom_classes]
    assert notices and t("notice.illustrative", "nl") in notices[0].value


def test_diagram_shows_the_weights_of_the_domain() -> None:
    case = list_cases()[0]
    model = model_for(case.domain)
    svg = model_diagram_svg(model, model.predict(case.scores), "en")
    assert svg.startswith("<svg") and 'role="img"' in svg
    for key, weight in model.weights.normalised_values().items():
        assert f"{round(100 * weight)}%" in svg
        assert t(f"determinant.{key}.name", "en") in svg
