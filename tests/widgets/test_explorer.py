"""The case explorer, headless: it builds for every case and shows exactly what the engine says."""

from __future__ import annotations

import re
from typing import Any

import pytest

from igm import DETERMINANTS, list_cases, model_for
from igm.i18n import LANGUAGES, t
from widgets.explorer import (
    CONTRIB_PARAM,
    Explorer,
    contribution_sentence,
    contribution_spec,
    model_diagram_svg,
)
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


def _altair_contribution_spec(prediction: Any, original: Any, lang: str, top: float) -> Any:
    """The contribution chart as Altair builds it: the reference for the dict the explorer
    writes itself (to keep Altair out of the explorer's kernels)."""
    import altair as alt

    from widgets import theme
    from widgets.explorer import contribution_rows, contribution_values

    theme.enable()
    rows = contribution_rows(prediction, original, lang)
    for i, row in enumerate(rows):
        row["i"] = i
        del row["points"]
    y = alt.Y("name:N", sort=[r["name"] for r in rows], title=None)
    colour = alt.Color(
        "block:N",
        scale=alt.Scale(
            domain=[t("block.willen", lang), t("block.kunnen", lang)],
            range=[theme.BLOCK_COLOURS["willen"], theme.BLOCK_COLOURS["kunnen"]],
        ),
        legend=alt.Legend(title=t("chart.block", lang), orient="bottom"),
    )
    base = alt.Chart(alt.Data(values=rows))
    bars = (
        base.transform_calculate(points=f"{CONTRIB_PARAM}[datum.i]")
        .mark_bar(height=16)
        .encode(
            x=alt.X(
                "points:Q",
                title=t("chart.contributions.axis", lang),
                scale=alt.Scale(domain=[0, max(1.0, float(top))], nice=True),
            ),
            y=y,
            color=colour,
            tooltip=[alt.Tooltip("name:N"), alt.Tooltip("points:Q", format=".1f")],
        )
    )
    ticks = base.mark_tick(color="#1f1f1f", thickness=2, size=22).encode(x="case_points:Q", y=y)
    chart = (
        alt.layer(bars, ticks)
        .add_params(alt.param(name=CONTRIB_PARAM, value=contribution_values(prediction)))
        .properties(height=7 * theme.TWO_LINE_ROW_PX, title=t("output.contributions", lang))
    )
    # as wide as its container, names on two lines on a phone; the language's decimal mark
    wide = theme.fit_container(chart.to_dict(), [r["name"] for r in rows])
    spec: dict[str, Any] = theme.localised(wide, lang)
    alt.LayerChart.from_dict(spec)  # validates against the Vega-Lite schema, locale included
    return spec


@pytest.mark.parametrize("lang", LANGUAGES)
def test_contribution_spec_is_the_spec_altair_builds(lang: str) -> None:
    explorer = Explorer("marja-bijstand", lang)
    explorer.sliders["self_efficacy"].value = 7
    mine = contribution_spec(explorer.prediction, explorer.original, lang, 12.5)
    reference = _altair_contribution_spec(explorer.prediction, explorer.original, lang, 12.5)
    # the same Vega-Lite major version; Altair names its exact minor version
    assert mine.pop("$schema") == "https://vega.github.io/schema/vega-lite/v6.json"
    assert reference.pop("$schema").startswith("https://vega.github.io/schema/vega-lite/v6.")
    assert mine == reference


def test_the_explorer_kernel_does_not_import_altair() -> None:
    """Altair with jsonschema would add about 45 MiB to every explorer kernel."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(repo)}
    env.pop("VOILA_PREHEAT", None)
    code = (
        "import sys; from widgets.explorer import app; app(lang='nl'); "
        "print(sorted(m for m in ('altair', 'jsonschema', 'narwhals', 'pandas') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=repo,
        env=env,
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"
