"""Explore the model with made-up profiles: invented score profiles on the willen × kunnen
plane, with a domain filter, a CIBER-style view and the potential for change per determinant.

Not a caseload and no groups of people: every profile's scores come from one distribution
(igm/data/caseload.md), and the behaviour was simulated by the same model, so the view says
plainly that its correlations only show the model's own assumptions (circular).

Predictions come from :func:`igm.caseload.predict_caseload`; the statistics from
:mod:`igm.caseload` (``determinant_relevance``, ``potential_for_change``, ``quadrants``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import altair as alt
import ipywidgets as w
import numpy as np
import pandas as pd

from igm import DETERMINANTS
from igm.caseload import (
    QUADRANTS,
    determinant_relevance,
    potential_for_change,
    predict_caseload,
    quadrants,
)
from igm.determinants import block_of
from igm.i18n import DEFAULT_LANGUAGE, t
from igm.report import lever_name
from igm.resources import caseload_csv
from widgets import theme
from widgets.offline import jupyter_chart
from widgets.templates import text_html
from widgets.ui import (
    chart_pair,
    chart_summary,
    fmt_number,
    fmt_percent,
    language_from_query,
    language_switch,
    lever_labels_fit,
    notice,
    style_widget,
    summary_html,
)

__all__ = [
    "ALL",
    "CaseloadView",
    "app",
    "association_spec",
    "default_caseload_path",
    "load_caseload",
    "relevance_spec",
]

#: Filter value meaning "no filter".
ALL = "__all__"
_QUADRANT_COLOURS = {
    "high_high": theme.OKABE_ITO["bluish_green"],
    "high_low": theme.OKABE_ITO["blue"],
    "low_high": theme.OKABE_ITO["vermillion"],
    "low_low": theme.OKABE_ITO["reddish_purple"],
}


def default_caseload_path() -> Path:
    """``$IGM_CASELOAD``, else the kit's synthetic caseload (``igm/data/caseload.csv``)."""
    explicit = os.environ.get("IGM_CASELOAD")
    if explicit:
        return Path(explicit)
    return caseload_csv()


def load_caseload(path: str | Path | None = None) -> pd.DataFrame:
    """Read the made-up profiles (CSV)."""
    return pd.read_csv(path or default_caseload_path())


def _ids(frame: pd.DataFrame) -> list[str]:
    """Each row's label: ``profile_id`` (the kit's file), else ``client_id``, else the index."""
    for column in ("profile_id", "client_id"):
        if column in frame.columns:
            return [str(v) for v in frame[column]]
    return [str(v) for v in frame.index]


def _name(key: str, lang: str) -> str:
    return t(f"determinant.{key}.name", lang)


def scatter_spec(selected: pd.DataFrame, lang: str) -> dict[str, Any]:
    """Intention × ability per profile, coloured by neutral quadrant names, boundaries at 50."""
    theme.enable()
    names = {q: t(f"quadrant.{q}", lang) for q in QUADRANTS}
    rows = [
        {
            "profile": c,
            "intention": round(float(i), 2),
            "ability": round(float(a), 2),
            "quadrant": names[str(q)],
        }
        for c, i, a, q in zip(
            _ids(selected),
            selected["intention"],
            selected["ability"],
            selected["quadrant"],
            strict=False,
        )
    ]
    points = (
        alt.Chart(theme.inline_data(rows))
        .mark_circle(size=34, opacity=0.75)
        .encode(
            x=alt.X(
                "intention:Q", scale=alt.Scale(domain=[0, 100]), title=t("output.intention", lang)
            ),
            y=alt.Y("ability:Q", scale=alt.Scale(domain=[0, 100]), title=t("output.ability", lang)),
            color=alt.Color(
                "quadrant:N",
                scale=alt.Scale(
                    domain=[names[q] for q in QUADRANTS],
                    range=[_QUADRANT_COLOURS[q] for q in QUADRANTS],
                ),
                legend=alt.Legend(title=t("chart.quadrant", lang), orient="bottom", columns=1),
            ),
            shape=alt.Shape("quadrant:N", sort=[names[q] for q in QUADRANTS], legend=None),
            tooltip=[
                alt.Tooltip("profile:N", title=t("caseload.profile", lang)),
                alt.Tooltip("intention:Q", format=".0f"),
                alt.Tooltip("ability:Q", format=".0f"),
                "quadrant:N",
            ],
        )
    )
    lines = alt.Chart(theme.inline_data([{"v": 50}])).mark_rule(color="#595959", strokeDash=[4, 4])
    chart = (points + lines.encode(x="v:Q") + lines.encode(y="v:Q")).properties(
        height=340, title=t("chart.scatter.title", lang)
    )
    spec: dict[str, Any] = chart.to_dict()
    return theme.localised(theme.fit_container(spec), lang)  # as wide as the page, a phone too


def _relevance_rows(relevance: pd.DataFrame, lang: str) -> list[dict[str, Any]]:
    return [
        {
            "name": _name(str(k), lang),
            "block": t(f"block.{block_of(str(k))}", lang),
            **{str(c): (None if pd.isna(v) else round(float(v), 4)) for c, v in r.items()},
        }
        for k, r in relevance.iterrows()
    ]


def _block_colour(lang: str) -> alt.Color:
    return alt.Color(
        "block:N",
        scale=alt.Scale(
            domain=[t("block.willen", lang), t("block.kunnen", lang)],
            range=[theme.BLOCK_COLOURS["willen"], theme.BLOCK_COLOURS["kunnen"]],
        ),
        legend=alt.Legend(title=t("chart.block", lang), orient="bottom"),
    )


def relevance_spec(relevance: pd.DataFrame, lang: str) -> dict[str, Any]:
    """CIBER-style, first half: each determinant's mean score (95% CI). The second half is
    :func:`association_spec`; two charts, each as wide as its box, side by side on a wide
    screen and one under the other on a phone."""
    theme.enable()
    order = [_name(k, lang) for k in DETERMINANTS]
    base = alt.Chart(theme.inline_data(_relevance_rows(relevance, lang)))
    y = alt.Y("name:N", sort=order, title=None)
    colour = _block_colour(lang)
    means = (
        base.mark_rule(strokeWidth=2).encode(
            x=alt.X(
                "mean_low:Q", scale=alt.Scale(domain=[1, 7]), title=t("chart.relevance.means", lang)
            ),
            x2="mean_high:Q",
            y=y,
            color=colour,
        )
        + base.mark_point(filled=True, size=60).encode(
            x="mean:Q",
            y=y,
            color=colour,
            tooltip=["name:N", alt.Tooltip("mean:Q", format=".2f")],
        )
    ).properties(height=7 * theme.TWO_LINE_ROW_PX, title=t("chart.relevance.title", lang))
    spec: dict[str, Any] = means.to_dict()
    return theme.localised(theme.fit_container(spec, order), lang)


def association_spec(relevance: pd.DataFrame, lang: str) -> dict[str, Any]:
    """CIBER-style, second half: each determinant's correlation with behaviour (95% CI)."""
    theme.enable()
    order = [_name(k, lang) for k in DETERMINANTS]
    base = alt.Chart(theme.inline_data(_relevance_rows(relevance, lang)))
    y = alt.Y("name:N", sort=order, title=None)
    colour = _block_colour(lang)
    extreme = relevance[["r_low", "r_high"]].abs().max().max()
    limit = max(0.3, float(np.ceil(float(extreme) * 10.0) / 10.0)) if pd.notna(extreme) else 1.0
    zero = alt.Chart(theme.inline_data([{"v": 0}])).mark_rule(color="#595959").encode(x="v:Q")
    assoc = (
        zero
        + base.mark_rule(strokeWidth=2).encode(
            x=alt.X(
                "r_low:Q",
                scale=alt.Scale(domain=[-min(limit, 1.0), min(limit, 1.0)]),
                title=t("chart.relevance.assoc", lang),
            ),
            x2="r_high:Q",
            y=y,
            color=colour,
        )
        + base.mark_point(filled=True, size=60, shape="diamond").encode(
            x="r:Q",
            y=y,
            color=colour,
            tooltip=["name:N", alt.Tooltip("r:Q", format=".2f")],
        )
    ).properties(height=7 * theme.TWO_LINE_ROW_PX, title=t("chart.relevance.assoc", lang))
    spec: dict[str, Any] = assoc.to_dict()
    return theme.localised(theme.fit_container(spec, order), lang)


def potential_spec(potential: pd.DataFrame, lang: str) -> dict[str, Any]:
    """Bars of the mean gain per determinant (percentage points), largest first; named as
    levers (capacity reads as adapting the work and the load)."""
    ranked = potential.sort_values("mean_gain", ascending=False)
    spec = theme.determinant_gain_chart(
        [
            (
                lever_name(str(k), lang),
                t(f"block.{block_of(str(k))}", lang),
                None if pd.isna(g) else round(100.0 * float(g), 3),
            )
            for k, g in ranked["mean_gain"].items()
        ],
        axis_title=t("chart.potential.axis", lang),
        title=t("chart.potential.title", lang),
        block_title=t("chart.block", lang),
        block_names=(t("block.willen", lang), t("block.kunnen", lang)),
        number_format=".2f",
    )
    return theme.localised(lever_labels_fit(spec), lang)


def knelpunt_counts(selected: pd.DataFrame) -> tuple[int, int]:
    """How many profiles have one knelpunt, and how many have none (the model names no single
    knelpunt: ``None`` in the ``bottleneck`` column; a combination of steps is the advice)."""
    named = int(selected["bottleneck"].notna().sum()) if "bottleneck" in selected else 0
    return named, len(selected) - named


class CaseloadView:
    """The view "explore the model with made-up profiles". Display ``CaseloadView().widget``
    (or call :func:`app`)."""

    def __init__(self, frame: pd.DataFrame | None = None, lang: str = "nl") -> None:
        raw = load_caseload() if frame is None else frame
        predicted = predict_caseload(raw, interval=False)
        predicted["quadrant"] = quadrants(predicted)
        self.data = predicted
        self.lang = lang
        self.domain = ALL
        self.widget = w.VBox()
        self.widget.add_class("igm-app")
        self.widget.add_class("igm-caseload")
        self._build()

    def selected(self) -> pd.DataFrame:
        """The profiles that pass the domain filter."""
        mask = np.ones(len(self.data), dtype=bool)
        if self.domain != ALL:
            mask &= (self.data["domain"] == self.domain).to_numpy()
        return self.data.loc[mask]

    def set_filters(self, domain: str | None = None) -> None:
        """Filter by behaviour domain (``ALL`` for no filter). There is no group filter: the
        profiles belong to no group of people."""
        self._muted = True
        try:
            if domain is not None:
                self.domain_picker.value = domain
                self.domain = domain
        finally:
            self._muted = False
        self._update()

    def set_language(self, lang: str) -> None:
        """Show every label in ``lang``; keeps the filters."""
        self.lang = lang
        self._build()

    def _options(self, column: str, prefix: str) -> list[tuple[str, str]]:
        values = sorted(str(v) for v in self.data[column].dropna().unique())
        return [(t("ui.all", self.lang), ALL)] + [
            (t(f"{prefix}.{v}", self.lang), v) for v in values
        ]

    def _build(self) -> None:
        lang = self.lang
        self._muted = False
        switch = language_switch(lang, self.set_language)
        self.domain_picker = w.Dropdown(
            options=self._options("domain", "domain"),
            value=self.domain,
            description=t("caseload.domain", lang),
            style={"description_width": "9em"},
            layout=w.Layout(width="min(100%, 36em)"),
        )
        self.domain_picker.add_class("igm-filter-domain")
        self.domain_picker.observe(self._on_filter, names="value")

        self.count_out = w.HTML()
        self.count_out.add_class("igm-caseload-count")
        selected = self.selected()
        self.scatter = jupyter_chart(scatter_spec(selected, lang))
        self.scatter.add_class("igm-chart-square")  # intention × ability: as tall as wide
        self.scatter_text = chart_summary("")
        relevance = determinant_relevance(selected)
        self.relevance = jupyter_chart(relevance_spec(relevance, lang))
        self.association = jupyter_chart(association_spec(relevance, lang))
        self.relevance_text = chart_summary("")
        self.potential = jupyter_chart(potential_spec(potential_for_change(selected), lang))
        self.potential_text = chart_summary("")
        self.widget.children = [
            style_widget(lang),
            w.HBox([switch]),
            notice(lang),
            w.HTML(text_html("p", t("caseload.intro", lang, n=len(self.data)))),
            w.HTML(text_html("p", t("caseload.circular", lang), strong=True)),
            self.domain_picker,
            self.count_out,
            w.HTML(text_html("h3", t("chart.scatter.title", lang))),
            self.scatter_text,
            self.scatter,
            w.HTML(text_html("h3", t("chart.relevance.title", lang))),
            self.relevance_text,
            chart_pair(self.relevance, self.association),
            w.HTML(text_html("h3", t("chart.potential.title", lang))),
            self.potential_text,
            self.potential,
        ]
        self._update()

    def _on_filter(self, _change: dict[str, Any]) -> None:
        if self._muted:
            return
        self.domain = str(self.domain_picker.value)
        self._update()

    def _update(self) -> None:
        lang = self.lang
        selected = self.selected()
        if selected.empty:
            self.count_out.value = text_html("p", t("caseload.empty", lang), strong=True)
            self.scatter_text.value = self.relevance_text.value = self.potential_text.value = ""
            self.scatter.spec = scatter_spec(selected, lang)
            return
        self.count_out.value = text_html(
            "p",
            t(
                "caseload.count",
                lang,
                n=len(selected),
                predicted=fmt_percent(float(selected["behaviour_probability"].mean()), lang),
                observed=fmt_percent(float(selected["behaviour"].mean()), lang),
            ),
        )
        counts = selected["quadrant"].value_counts()
        self.scatter.spec = scatter_spec(selected, lang)
        self.scatter_text.value = summary_html(
            t("chart.scatter.summary", lang, **{q: int(counts.get(q, 0)) for q in QUADRANTS})
        )

        relevance = determinant_relevance(selected)
        self.relevance.spec = relevance_spec(relevance, lang)
        self.association.spec = association_spec(relevance, lang)
        if relevance["r"].notna().any():
            top = str(relevance["r"].abs().idxmax())
            r_text = fmt_number(float(relevance["r"][top]), lang, 2)
        else:
            top, r_text = DETERMINANTS[0], "–"
        lowest = str(relevance["mean"].idxmin())
        self.relevance_text.value = summary_html(
            t(
                "chart.relevance.summary",
                lang,
                top=_name(top, lang),
                r=r_text,
                lowest=_name(lowest, lang),
                mean=fmt_number(float(relevance["mean"][lowest]), lang),
            )
        )

        potential = potential_for_change(selected)
        self.potential.spec = potential_spec(potential, lang)
        best = str(potential["mean_gain"].idxmax())
        worst = str(potential["mean_gain"].idxmin())
        named, none = knelpunt_counts(selected)
        self.potential_text.value = summary_html(
            t(
                "chart.potential.summary",
                lang,
                top=lever_name(best, lang),
                points=fmt_number(100 * float(potential["mean_gain"][best]), lang),
                low=lever_name(worst, lang),
                low_points=fmt_number(100 * float(potential["mean_gain"][worst]), lang),
            )
            + " "
            + t("caseload.knelpunt_counts", lang, named=named, none=none)
        )


def app(lang: str | None = None) -> w.VBox:
    """The caseload view for a Voila app; language from ``?lang=`` unless given."""
    view = CaseloadView(lang=DEFAULT_LANGUAGE)  # before the request (preheated kernels)
    chosen = lang or language_from_query()
    if chosen != view.lang:
        view.set_language(chosen)
    return view.widget
