"""Intervention planner: choose interventions for a case, compare before and after, export.

Numbers come from ``Model.compare`` and ``Model.predict``, the plan's effects and its text from
:mod:`igm.report`; this module shows them. The plan can be copied, printed and downloaded
(:mod:`widgets.page_state`), and the case, language and chosen interventions live in the page's
address (:mod:`igm.url_state`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import altair as alt
import ipywidgets as w

from igm import Case, Comparison, Intervention
from igm.cases import CaseScan
from igm.determinants import block_of
from igm.i18n import DEFAULT_LANGUAGE, t
from igm.report import (
    estimate_note,
    estimated_effects,
    lever_name,
    plan_effects,
    plan_file_name,
    plan_text,
)
from igm.url_state import planner_query, planner_steps
from widgets import theme
from widgets.offline import jupyter_chart
from widgets.page_state import address_widget, page_query, plan_actions
from widgets.templates import render, text_html
from widgets.ui import (
    CaseFolderApp,
    bottleneck_html,
    case_from_query,
    case_notes,
    case_picker,
    chart_pair,
    chart_summary,
    choose_case,
    fmt_number,
    fmt_percent,
    fmt_points,
    language_from_query,
    language_switch,
    lever_labels_fit,
    no_case_page,
    notice,
    read_cases,
    readout_html,
    style_widget,
    summary_html,
)

__all__ = ["Planner", "app", "combined_effects", "export_text"]


#: The plan's effects (what ``Model.compare`` takes) and its text come from the report layer:
#: this module only shows them.
combined_effects = plan_effects


def export_text(
    case: Case, chosen: Iterable[Intervention], comparison: Comparison, lang: str
) -> str:
    """The practice plan as plain text (:func:`igm.report.plan_text`)."""
    return plan_text(case, chosen, comparison, lang)


def compare_spec(comparison: Comparison, lang: str) -> dict[str, Any]:
    """Grouped bars: intention, ability and behaviour probability (0–100), before and after."""
    theme.enable()
    before, after = t("planner.before", lang), t("planner.after", lang)
    measures = [t("output.intention", lang), t("output.ability", lang), t("output.behaviour", lang)]
    rows = []
    for moment, p in ((before, comparison.before), (after, comparison.after)):
        values = (p.intention, p.ability, 100.0 * p.behaviour_probability)
        rows += [
            {"measure": m, "moment": moment, "value": round(v, 2)}
            for m, v in zip(measures, values, strict=False)
        ]
    chart = (
        alt.Chart(theme.inline_data(rows))
        .mark_bar()
        .encode(
            y=alt.Y("measure:N", sort=measures, title=None),
            yOffset=alt.YOffset("moment:N", sort=[before, after]),
            x=alt.X(
                "value:Q",
                scale=alt.Scale(domain=[0, 100]),
                axis=alt.Axis(values=[0, 20, 40, 60, 80, 100]),
                title=t("chart.compare.axis", lang),
            ),
            color=alt.Color(
                "moment:N",
                sort=[before, after],
                scale=alt.Scale(range=[theme.OKABE_ITO["sky_blue"], theme.OKABE_ITO["blue"]]),
                legend=alt.Legend(title=t("chart.compare.moment", lang), orient="bottom"),
            ),
            tooltip=["measure:N", "moment:N", alt.Tooltip("value:Q", format=".1f")],
        )
        .properties(height=170, title=t("chart.compare.title", lang))
    )
    spec: dict[str, Any] = chart.to_dict()
    return theme.localised(theme.fit_container(spec), lang)  # as wide as its box, a phone too


def levers_spec(comparison: Comparison, lang: str) -> dict[str, Any]:
    """Bars of each determinant's gain for one more point, after the plan, largest first.

    Named as levers: capacity reads as adapting the work and the load."""
    spec = theme.determinant_gain_chart(
        [
            (
                lever_name(lever.key, lang),
                t(f"block.{block_of(lever.key)}", lang),
                round(100.0 * lever.gain, 3),
            )
            for lever in comparison.after.levers
        ],
        axis_title=t("chart.levers.axis", lang),
        title=t("output.levers", lang),
        block_title=t("chart.block", lang),
        block_names=(t("block.willen", lang), t("block.kunnen", lang)),
    )
    return theme.localised(lever_labels_fit(spec), lang)


def compare_sentence(comparison: Comparison, lang: str) -> str:
    """One sentence that says what the before/after chart shows."""
    b, a = comparison.before, comparison.after
    return t(
        "chart.compare.summary",
        lang,
        before=fmt_percent(b.behaviour_probability, lang),
        after=fmt_percent(a.behaviour_probability, lang),
        i_before=fmt_number(b.intention, lang, 0),
        i_after=fmt_number(a.intention, lang, 0),
        a_before=fmt_number(b.ability, lang, 0),
        a_after=fmt_number(a.ability, lang, 0),
    )


def levers_sentence(comparison: Comparison, lang: str) -> str:
    """One sentence that says what the levers chart shows."""
    first, second = comparison.after.levers[0], comparison.after.levers[1]
    close = comparison.after.close_levers is not None  # then "gives most" would mislead
    return t(
        "chart.levers.summary_close" if close else "chart.levers.summary",
        lang,
        top=lever_name(first.key, lang),
        points=fmt_number(100 * first.gain, lang),
        second=lever_name(second.key, lang),
        second_points=fmt_number(100 * second.gain, lang),
    )


class Planner(CaseFolderApp):
    """The intervention planner widget. Display ``Planner().widget`` (or call :func:`app`).

    Cases as in :class:`widgets.explorer.Explorer`: invalid files are skipped with a note, a
    ``case_id`` that is not a valid case falls back to the first valid one, and with no valid
    case at all the widget says so.
    """

    def __init__(
        self, case_id: str | None = None, lang: str = "nl", scan: CaseScan | None = None
    ) -> None:
        self.lang = lang
        self.widget = w.VBox()
        self.widget.add_class("igm-app")
        self.widget.add_class("igm-planner")
        self.checks: dict[str, w.Checkbox] = {}
        self._wanted = case_id
        # The state in the page's address (igm.url_state); a note when part of it was not valid.
        self.address = address_widget()
        self.address_note = w.HTML()
        self.address_note.add_class("igm-case-note")
        self._take(choose_case(read_cases() if scan is None else scan, case_id))
        self._build(set())

    def _build_fresh(self) -> None:
        self.address_note.value = ""
        self._build(set())

    @property
    def chosen(self) -> list[Intervention]:
        """The interventions ticked now, in the case's order."""
        if self.case is None:
            return []
        return [i for i in self.case.interventions if self.checks[i.id].value]

    def choose(self, intervention_ids: Iterable[str]) -> None:
        """Tick exactly these interventions (by id)."""
        wanted = set(intervention_ids)
        for key in wanted - set(self.checks):
            raise KeyError(
                f"case {self.case.id if self.case else None!r} has no intervention {key!r}"
            )
        self._muted = True
        try:
            for key, box in self.checks.items():
                box.value = key in wanted
        finally:
            self._muted = False
        self._update()

    @property
    def shown_case(self) -> Case:
        """The case shown; an app whose cases folder holds no valid case has none."""
        if self.case is None:
            raise LookupError(t("case.skipped.none", self.lang))
        return self.case

    def comparison(self) -> Comparison:
        """Before and after the chosen interventions, from the engine."""
        return self.model.compare(self.shown_case.scores, combined_effects(self.chosen))

    def set_language(self, lang: str) -> None:
        """Show every label in ``lang``; keeps the case and the chosen interventions."""
        chosen = {i.id for i in self.chosen}
        self.lang = lang
        self._build(chosen)

    def apply_address(self, query: str) -> None:
        """Tick the interventions in a page's query string (a reload, a shared link) for the
        case it names; ids that are not the case's are skipped, with a note."""
        if self.case is None or self.choice.unavailable is not None:
            return  # not the case the plan was made for
        steps, ignored = planner_steps(query, [i.id for i in self.case.interventions])
        self.choose(steps)
        if ignored:
            text = t("url.ignored", self.lang, values=", ".join(map(str, ignored)))
            self.address_note.value = text_html("p", text, cls="igm-address-note", role="note")

    def export(self) -> str:
        """The plan as text (what the export box shows)."""
        return export_text(self.shown_case, self.chosen, self.comparison(), self.lang)

    def _build(self, chosen: set[str]) -> None:
        lang, case = self.lang, self.case
        self._muted = False
        switch = language_switch(lang, self.set_language)
        intro = w.HTML(text_html("p", t("planner.intro", lang)))
        notes = case_notes(self.choice, lang)
        if case is None:
            self.checks = {}
            self.widget.children = no_case_page(lang, switch, intro, notes)
            return
        picker = case_picker(self.cases.values(), case.id, lang, self.set_case)

        self.checks = {}
        rows: list[w.Widget] = []
        for item in case.interventions:
            alone = self.model.compare(case.scores, item.effects).behaviour_gain
            box = w.Checkbox(
                value=item.id in chosen,
                description=item.label(lang),
                indent=False,
                layout=w.Layout(width="auto"),
            )
            box.add_class("igm-intervention")
            box.add_class(f"igm-intervention-{item.id}")
            box.observe(self._on_change, names="value")
            self.checks[item.id] = box
            detail = " · ".join(
                (
                    estimated_effects(item.effects, lang),
                    t("planner.effort", lang, effort=item.effort),
                    t("planner.alone", lang, points=fmt_points(alone, lang)),
                )
            )
            rows.append(
                w.VBox(
                    [
                        box,
                        w.HTML(
                            render(
                                "intervention.html",
                                description=item.description(lang),
                                detail=detail,
                            )
                        ),
                    ]
                )
            )

        self.before_out = w.HTML()
        self.before_out.add_class("igm-readout")
        self.before_out.add_class("igm-before-readout")
        self.after_out = w.HTML()
        self.after_out.add_class("igm-readout")
        self.after_out.add_class("igm-after-readout")
        self.after_out.add_class("igm-behaviour-readout")
        self.gain_out = w.HTML()
        readouts = w.HBox([self.before_out, self.after_out])
        readouts.add_class("igm-readouts")

        cmp = self.comparison()
        self.compare_chart = jupyter_chart(compare_spec(cmp, lang))
        self.compare_text = chart_summary("")
        self.levers_chart = jupyter_chart(levers_spec(cmp, lang))
        self.levers_text = chart_summary("")
        self.bottleneck_out = w.HTML()
        self.bottleneck_out.add_class("igm-bottleneck-after")
        self.export_box = w.Textarea(
            description=t("planner.export", lang),
            layout=w.Layout(width="min(100%, 52em)", height="16em"),
            style={"description_width": "initial"},
        )
        self.export_box.add_class("igm-export")
        self.plan_buttons = plan_actions("", plan_file_name(case, lang), lang)

        self.widget.children = [
            style_widget(lang),
            w.HBox([switch]),
            notice(lang),
            intro,
            picker,
            *notes,
            self.address_note,
            w.HTML(
                render(
                    "planner_case.html",
                    case=case,
                    lang=lang,
                    estimate_note=estimate_note(case, lang),
                )
            ),
            *rows,
            w.HTML(text_html("h3", t("ui.outcome", lang))),
            readouts,
            self.gain_out,
            self.bottleneck_out,
            chart_pair(
                w.VBox([self.compare_text, self.compare_chart]),
                w.VBox([self.levers_text, self.levers_chart]),
            ),
            self.export_box,
            self.plan_buttons,
            self.address,
        ]
        self._update(rebuild_charts=False)

    def _on_change(self, _change: dict[str, Any]) -> None:
        if not self._muted:
            self._update()

    def _readout(self, title: str, p: Any) -> str:
        lang = self.lang
        low, high = p.behaviour_interval
        detail = (
            f"{t('output.intention', lang)} {fmt_number(p.intention, lang, 0)} · "
            f"{t('output.ability', lang)} {fmt_number(p.ability, lang, 0)} · "
            + t("ui.interval_value", lang, low=fmt_percent(low, lang), high=fmt_percent(high, lang))
        )
        return readout_html(
            f"{title}: {t('output.behaviour', lang)}",
            fmt_percent(p.behaviour_probability, lang),
            p.behaviour_probability,
            detail,
        )

    def _update(self, rebuild_charts: bool = True) -> None:
        if self.case is None:
            return
        lang = self.lang
        cmp = self.comparison()
        self.before_out.value = self._readout(t("planner.before", lang), cmp.before)
        self.after_out.value = self._readout(t("planner.after", lang), cmp.after)
        effort = sum(i.effort for i in self.chosen)
        gain = (
            t("planner.gain", lang, points=fmt_points(cmp.behaviour_gain, lang), effort=effort)
            if self.chosen
            else t("planner.none", lang)
        )
        self.gain_out.value = text_html("p", gain, cls="igm-gain", strong=True)
        self.compare_text.value = summary_html(compare_sentence(cmp, lang))
        self.levers_text.value = summary_html(levers_sentence(cmp, lang))
        self.bottleneck_out.value = bottleneck_html(cmp.after, lang, t("planner.after", lang) + ":")
        if rebuild_charts:
            self.compare_chart.spec = compare_spec(cmp, lang)
            self.levers_chart.spec = levers_spec(cmp, lang)
        self.export_box.value = self.plan_buttons.text = plan_text(
            self.case, self.chosen, cmp, lang
        )
        steps = (i.id for i in self.chosen)
        self.address.query = planner_query(page_query(), lang, self.case.id, steps)


def app(case_id: str | None = None, lang: str | None = None) -> w.VBox:
    """The planner for a Voila app; language from ``?lang=`` and case from ``?case=`` unless
    given."""
    planner = Planner(case_id, DEFAULT_LANGUAGE)  # before the request (preheated kernels)
    chosen = lang or language_from_query()
    # After the request: take cases added, fixed or broken since the kernel was preheated.
    planner.refresh(lang=chosen, case_id=case_id or case_from_query())
    planner.apply_address(page_query())  # the plan of a reload or a shared link
    return planner.widget
