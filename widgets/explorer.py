"""Case explorer: pick a case, move the seven determinant scores, see what the model expects.

A thin layer on :mod:`igm`: every number comes from ``Model.predict``. Stable CSS hooks for
tests: ``igm-behaviour-readout``, ``igm-intention-readout``, ``igm-slider-<key>``.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from igm import DETERMINANTS, KUNNEN, WILLEN, Case, DeterminantScores, Prediction
from igm.cases import CaseScan
from igm.determinants import block_of
from igm.i18n import DEFAULT_LANGUAGE, t
from igm.model import Model
from igm.url_state import explorer_query, explorer_scores
from widgets import theme
from widgets.offline import jupyter_chart
from widgets.page_state import address_widget, page_query
from widgets.slider import ScoreSlider
from widgets.templates import render, text_html
from widgets.ui import (
    CaseChoice,
    CaseFolderApp,
    bottleneck_html,
    case_from_query,
    case_notes,
    case_picker,
    chart_summary,
    choose_case,
    fmt_number,
    fmt_percent,
    language_from_query,
    language_switch,
    no_case_page,
    notice,
    prediction_readouts,
    read_cases,
    style_widget,
    summary_html,
)

__all__ = ["Explorer", "app", "contribution_spec", "model_diagram_svg"]


_ALL_SEVEN = dict.fromkeys(DETERMINANTS, 7)


def _name(key: str, lang: str) -> str:
    return t(f"determinant.{key}.name", lang)


def contribution_rows(
    prediction: Prediction, original: Prediction, lang: str
) -> list[dict[str, Any]]:
    """The contribution chart's data: one row per determinant (percentage points)."""
    return [
        {
            "key": key,
            "name": _name(key, lang),
            "block": t(f"block.{block_of(key)}", lang),
            "points": round(100.0 * prediction.contributions[key], 4),
            "case_points": round(100.0 * original.contributions[key], 3),
            "order": i,
        }
        for i, key in enumerate(DETERMINANTS)
    ]


#: Name of the Vega parameter that carries the seven contributions (percentage points).
CONTRIB_PARAM = "igm_contrib"


def contribution_values(prediction: Prediction) -> list[float]:
    """The contributions in percentage points, in canonical order (the chart's parameter)."""
    return [round(100.0 * prediction.contributions[k], 4) for k in DETERMINANTS]


def contribution_spec(
    prediction: Prediction, original: Prediction, lang: str, top: float | None = None
) -> dict[str, Any]:
    """Vega-Lite spec: bars of each determinant's contribution, a tick at the case's value.

    The bar lengths come from the parameter :data:`CONTRIB_PARAM` (a list of seven values),
    so that a slider move only sets that parameter in the browser (no re-embedding).
    ``top`` fixes the end of the x axis (default: the largest value shown now).

    Written as a plain dict, not with Altair: importing Altair (with jsonschema) costs every
    explorer kernel about 45 MiB. ``tests/widgets/test_explorer.py`` checks that it is the
    spec Altair builds.
    """
    rows = contribution_rows(prediction, original, lang)
    for i, row in enumerate(rows):
        row["i"] = i
        del row["points"]
    if top is None:
        top = max(contribution_values(prediction) + [r["case_points"] for r in rows])
    y = {"field": "name", "sort": [r["name"] for r in rows], "title": None, "type": "nominal"}
    colour = {
        "field": "block",
        "legend": {"orient": "bottom", "title": t("chart.block", lang)},
        "scale": {
            "domain": [t("block.willen", lang), t("block.kunnen", lang)],
            "range": [theme.BLOCK_COLOURS["willen"], theme.BLOCK_COLOURS["kunnen"]],
        },
        "type": "nominal",
    }
    bars = {
        "mark": {"type": "bar", "height": 16},
        "encoding": {
            "color": colour,
            "tooltip": [
                {"field": "name", "type": "nominal"},
                {"field": "points", "format": ".1f", "type": "quantitative"},
            ],
            "x": {
                "field": "points",
                "scale": {"domain": [0, max(1.0, float(top))], "nice": True},
                "title": t("chart.contributions.axis", lang),
                "type": "quantitative",
            },
            "y": y,
        },
        "transform": [{"calculate": f"{CONTRIB_PARAM}[datum.i]", "as": "points"}],
    }
    ticks = {
        "mark": {"type": "tick", "color": "#1f1f1f", "size": 22, "thickness": 2},
        "encoding": {"x": {"field": "case_points", "type": "quantitative"}, "y": dict(y)},
    }
    spec: dict[str, Any] = {
        **theme.config(),
        "layer": [bars, ticks],
        "data": {"values": rows},
        "height": 7 * theme.TWO_LINE_ROW_PX,
        "params": [{"name": CONTRIB_PARAM, "value": contribution_values(prediction)}],
        "title": t("output.contributions", lang),
        "$schema": theme.VEGA_LITE_SCHEMA,
    }
    # As wide as the column (a phone too); long names on two lines there.
    return theme.localised(theme.fit_container(spec, [r["name"] for r in rows]), lang)


def contribution_sentence(prediction: Prediction, lang: str) -> str:
    """One sentence that says in words what the contribution chart shows."""
    ranked = sorted(DETERMINANTS, key=lambda k: -prediction.contributions[k])
    top, low = ranked[0], ranked[-1]
    return t(
        "chart.contributions.summary",
        lang,
        behaviour=fmt_percent(prediction.behaviour_probability, lang),
        base=fmt_percent(prediction.base_rate, lang),
        top=_name(top, lang),
        top_points=fmt_number(100 * prediction.contributions[top], lang),
        low=_name(low, lang),
        low_points=fmt_number(100 * prediction.contributions[low], lang),
    )


def model_diagram_svg(model: Model, prediction: Prediction, lang: str) -> str:
    """An SVG diagram of the model: determinants → intention → behaviour, kunnen moderating.

    Arrow widths and labels show each determinant's weight within its block (from
    ``igm.weights``); the boxes show the current scores and outputs. The geometry is worked
    out here; ``widgets/templates/diagram.svg`` draws it.
    """
    weights = model.weights.normalised_values()
    blue, red = theme.BLOCK_COLOURS["willen"], theme.BLOCK_COLOURS["kunnen"]
    width, box_w, box_h = 820, 290, 32
    node_x, node_w, node_h = 470, 130, 52
    beh_x = 680
    ys = {k: 14 + 42 * i for i, k in enumerate(WILLEN)}
    ys.update({k: 14 + 42 * (i + 3) + 24 for i, k in enumerate(KUNNEN)})
    int_y = ys[WILLEN[1]] + box_h / 2 - node_h / 2
    abl_y = (ys[KUNNEN[1]] + ys[KUNNEN[2]]) / 2 + box_h / 2 - node_h / 2
    height = int(ys[KUNNEN[-1]] + box_h + 14)

    determinants = []
    for key in DETERMINANTS:
        willen = key in WILLEN
        y = ys[key]
        target_y = (int_y if willen else abl_y) + node_h / 2
        stroke = 1.0 + 12.0 * weights[key]
        x1, y1 = 10 + box_w, y + box_h / 2
        determinants.append(
            {
                "colour": blue if willen else red,
                "marker": "w" if willen else "k",
                "y": y,
                "x1": x1,
                "y1": y1,
                "x2": node_x - 4,
                "y2": target_y,
                "stroke": f"{stroke:.2f}",
                "label_y": f"{y1 + stroke / 2 + 12 if target_y < y1 - 1 else y1 - stroke / 2 - 4:.1f}",
                "name": _name(key, lang),
                "score": fmt_number(prediction.scores[key], lang, 0),
                "weight": fmt_number(100 * weights[key], lang, 0) + "%",
            }
        )
    # intention -> behaviour, and ability moderating that arrow
    ix2 = node_x + node_w
    iy = int_y + node_h / 2
    mid_x = (ix2 + beh_x) / 2
    words = t("diagram.moderates", lang).split()
    half = (len(words) + 1) // 2
    nodes = [
        (
            node_x,
            int_y,
            node_w,
            blue,
            t("output.intention", lang),
            fmt_number(prediction.intention, lang, 0),
        ),
        (
            node_x,
            abl_y,
            node_w,
            red,
            t("output.ability", lang),
            fmt_number(prediction.ability, lang, 0),
        ),
        (
            beh_x,
            int_y,
            width - beh_x - 4,
            "#1f1f1f",
            t("diagram.behaviour", lang),
            fmt_percent(prediction.behaviour_probability, lang, 0),
        ),
    ]
    return render(
        "diagram.svg",
        title=t("diagram.title", lang),
        width=width,
        height=height,
        box_w=box_w,
        box_h=box_h,
        node_h=node_h,
        markers=(("w", blue), ("k", red), ("b", "#1f1f1f")),
        determinants=determinants,
        behaviour_arrow={"x1": ix2, "y": iy, "x2": beh_x - 4},
        moderation={
            "x1": node_x + node_w / 2,
            "y1": abl_y,
            "x2": mid_x,
            "y2": iy + 6,
            "colour": red,
            "label_x": mid_x + 10,
            "label_y": (iy + abl_y) / 2 + 10,
            "lines": (" ".join(words[:half]), " ".join(words[half:])),
        },
        nodes=[
            {"x": x, "y": y, "w": nw, "colour": c, "label": label, "value": value}
            for x, y, nw, c, label, value in nodes
        ],
    )


def diagram_sentence(model: Model, lang: str) -> str:
    """One sentence that says in words what the model diagram shows."""
    weights = model.weights.normalised_values()
    w_top = max(WILLEN, key=lambda k: weights[k])
    k_top = max(KUNNEN, key=lambda k: weights[k])
    return t(
        "diagram.summary",
        lang,
        domain=t(f"domain.{model.domain}", lang),
        willen_top=_name(w_top, lang),
        willen_weight=fmt_number(100 * weights[w_top], lang, 0) + "%",
        kunnen_top=_name(k_top, lang),
        kunnen_weight=fmt_number(100 * weights[k_top], lang, 0) + "%",
    )


def narrative_html(case: Case, lang: str) -> str:
    """Case title, summary, target behaviour and the full narrative (folded) as HTML."""
    paragraphs = [p.strip() for p in case.narrative(lang).split("\n\n") if p.strip()]
    evidence = [
        (_name(k, lang), fmt_number(case.scores[k], lang, 0), case.evidence[k](lang))
        for k in DETERMINANTS
        if k in case.evidence
    ]
    return render("narrative.html", case=case, lang=lang, paragraphs=paragraphs, evidence=evidence)


class Explorer(CaseFolderApp):
    """The case explorer widget. Display ``Explorer().widget`` (or call :func:`app`).

    The cases come from the cases folder as it is (``scan``, default: read now): invalid files
    are skipped with a note under the case picker; a ``case_id`` that is not a valid case
    falls back to the first valid one; with no valid case at all the widget says so.
    """

    def __init__(
        self, case_id: str | None = None, lang: str = "nl", scan: CaseScan | None = None
    ) -> None:
        self.lang = lang
        self.widget = w.VBox()
        self.widget.add_class("igm-app")
        self.widget.add_class("igm-explorer")
        self.sliders: dict[str, ScoreSlider] = {}
        self._muted = False
        self._wanted = case_id
        # The state in the page's address (igm.url_state); a note when part of it was not valid.
        self.address = address_widget()
        self.address_note = w.HTML()
        self.address_note.add_class("igm-case-note")
        self._take(choose_case(read_cases() if scan is None else scan, case_id))
        self._build()

    def _take(self, choice: CaseChoice) -> None:
        super()._take(choice)
        if self.case is not None:
            self.original = self.model.predict(self.case.scores)
            self.prediction = self.original

    def _build_fresh(self) -> None:
        self.address_note.value = ""
        self._build()

    # -- state -------------------------------------------------------------------------------
    def scores(self) -> DeterminantScores:
        """The scores the sliders show now."""
        return DeterminantScores.from_mapping({k: s.value for k, s in self.sliders.items()})

    def set_language(self, lang: str) -> None:
        """Show every label in ``lang``; keeps the case and the slider positions."""
        scores = self.scores() if self.case is not None else None
        self.lang = lang
        self._build(scores)

    def reset(self) -> None:
        """Put every slider back at the case's score."""
        if self.case is not None:
            self.set_scores({key: round(self.case.scores[key]) for key in self.sliders})

    def set_scores(self, scores: dict[str, int]) -> None:
        """Put these sliders (determinant -> 1–7) at these settings, the others stay."""
        self._muted = True
        try:
            for key, value in scores.items():
                self.sliders[key].value = value
        finally:
            self._muted = False
        self._update()

    def apply_address(self, query: str) -> None:
        """Take the slider settings in a page's query string (a reload, a shared link) for
        the case it names; settings that are not valid are skipped, with a note."""
        if self.case is None or self.choice.unavailable is not None:
            return  # not the case the settings were made for
        scores, ignored = explorer_scores(query)
        self.set_scores(scores)
        if ignored:
            text = t("url.ignored", self.lang, values=", ".join(map(str, ignored)))
            self.address_note.value = text_html("p", text, cls="igm-address-note", role="note")

    # -- building ----------------------------------------------------------------------------
    def _build(self, scores: DeterminantScores | None = None) -> None:
        lang, case = self.lang, self.case
        switch = language_switch(lang, self.set_language)
        intro = w.HTML(text_html("p", t("explorer.intro", lang)))
        notes = case_notes(self.choice, lang)
        if case is None:
            self.sliders = {}
            self.widget.children = no_case_page(lang, switch, intro, notes)
            return
        scores = scores or case.scores
        self.prediction = self.model.predict(scores)
        picker = case_picker(self.cases.values(), case.id, lang, self.set_case)

        self.sliders = {}
        blocks = []
        for block, keys in (("willen", WILLEN), ("kunnen", KUNNEN)):
            rows: list[w.Widget] = [w.HTML(render("block_heading.html", block=block, lang=lang))]
            for key in keys:
                slider = ScoreSlider(
                    value=round(scores[key]),
                    original=round(case.scores[key]),
                    label=_name(key, lang),
                    help=t(f"determinant.{key}.description", lang),
                )
                slider.add_class("igm-slider")
                slider.add_class(f"igm-slider-{key}")
                slider.observe(self._on_slider, names="value")
                self.sliders[key] = slider
                rows.append(slider)
            box = w.VBox(rows)
            box.add_class(f"igm-block-{block}")
            blocks.append(box)

        reset = w.Button(description=t("ui.reset", lang), icon="", tooltip=t("ui.reset", lang))
        reset.add_class("igm-reset")
        reset.on_click(lambda _b: self.reset())

        self.intention_out = w.HTML()
        self.intention_out.add_class("igm-readout")
        self.intention_out.add_class("igm-intention-readout")
        self.ability_out = w.HTML()
        self.ability_out.add_class("igm-readout")
        self.ability_out.add_class("igm-ability-readout")
        self.behaviour_out = w.HTML()
        self.behaviour_out.add_class("igm-readout")
        self.behaviour_out.add_class("igm-behaviour-readout")
        readouts = w.HBox([self.intention_out, self.ability_out, self.behaviour_out])
        readouts.add_class("igm-readouts")
        # The knelpunt in full: which one and how sure, or that there is none (combine steps).
        self.bottleneck_out = w.HTML()
        self.bottleneck_out.add_class("igm-bottleneck-readout")
        live = w.HTML(text_html("h3", t("ui.outcome", lang), element_id="igm-outcome-heading"))

        # Fixed x axis per case: every contribution is largest with all scores at 7.
        top = max(contribution_values(self.model.predict(case.scores.with_values(_ALL_SEVEN))))
        self._spec = contribution_spec(self.prediction, self.original, lang, top)
        self.chart = jupyter_chart(
            self._spec, {CONTRIB_PARAM: contribution_values(self.prediction)}
        )
        self.chart.add_class("igm-contribution-chart")
        self.chart_text = chart_summary("")
        self.diagram = w.HTML(layout=w.Layout(width="100%"))
        self.diagram.add_class("igm-model-diagram")
        self.diagram_text = chart_summary(diagram_sentence(self.model, lang))

        scale = w.HTML(text_html("p", t("ui.scale_hint", lang), cls="igm-block-desc"))
        left = w.VBox(
            [
                w.HTML(text_html("h3", t("output.scores", lang))),
                scale,
                *blocks,
                reset,
            ]
        )
        left.add_class("igm-column")
        right = w.VBox(
            [
                live,
                readouts,
                self.bottleneck_out,
                w.HTML(text_html("h3", t("output.contributions", lang))),
                self.chart_text,
                self.chart,
            ]
        )
        right.add_class("igm-column")
        columns = w.HBox([left, right])
        columns.add_class("igm-columns")
        self.widget.children = [
            style_widget(lang),
            w.HBox([switch]),
            notice(lang),
            intro,
            picker,
            *notes,
            self.address_note,
            w.HTML(narrative_html(case, lang)),
            columns,
            w.HTML(text_html("h3", t("diagram.title", lang))),
            self.diagram_text,
            self.diagram,
            self.address,
        ]
        self._update(rebuild_chart=False)

    def _on_slider(self, _change: dict[str, Any]) -> None:
        if not self._muted:
            self._update()

    def _update(self, rebuild_chart: bool = True) -> None:
        """Recompute with the engine and refresh readouts, notes, chart and diagram."""
        if self.case is None:
            return
        lang = self.lang
        scores = self.scores()
        p = self.prediction = self.model.predict(scores)
        # The knelpunt is not squeezed into the behaviour readout: its sentence sits right below.
        readouts = prediction_readouts(p, lang)
        self.intention_out.value = readouts["intention"]
        self.ability_out.value = readouts["ability"]
        self.behaviour_out.value = readouts["behaviour"]
        self.bottleneck_out.value = bottleneck_html(p, lang)
        for key, slider in self.sliders.items():
            original = self.case.scores[key]
            text = t("ui.original", lang, score=fmt_number(original, lang, 0))
            delta = scores[key] - original
            if delta:
                change = fmt_number(delta, lang, 0)
                change = change if delta < 0 else "+" + change
                text += " · " + t("ui.changed", lang, delta=change)
            slider.note = text
        self.chart_text.value = summary_html(contribution_sentence(p, lang))
        if rebuild_chart:
            self.chart._params = {CONTRIB_PARAM: contribution_values(p)}
        self.diagram.value = model_diagram_svg(self.model, p, lang)
        self.address.query = explorer_query(
            page_query(), lang, self.case.id, scores, self.case.scores
        )


def app(case_id: str | None = None, lang: str | None = None) -> w.VBox:
    """The explorer for a Voila app; language from ``?lang=`` and case from ``?case=`` unless
    given (the book's "Open as app" links give both).

    The widget is built before the request is known: in a preheated Voila kernel that work
    is done before the page is asked for. Once the request is there, the cases folder is read
    again: a case added, fixed or broken since the kernel was preheated shows on this page
    view (the widget is rebuilt only then, for another case or for a language switch). A case
    that is not valid now shows the first valid case, with a notice.
    """
    explorer = Explorer(case_id, DEFAULT_LANGUAGE)
    chosen = lang or language_from_query()
    explorer.refresh(lang=chosen, case_id=case_id or case_from_query())
    explorer.apply_address(page_query())  # the slider settings of a reload or a shared link
    return explorer.widget
