"""The one chart theme of igm-kit: Okabe–Ito colours (colour-blind safe) and system fonts.

Every Altair chart in the kit (widgets, apps, book) uses :func:`enable` or :func:`config`.
No web fonts: the font stack names fonts that the reader's system already has.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from igm.i18n import DECIMAL_MARK

if TYPE_CHECKING:
    import altair as alt

__all__ = [
    "BLOCK_COLOURS",
    "FONT",
    "OKABE_ITO",
    "THEME_NAME",
    "VEGA_LITE_SCHEMA",
    "config",
    "determinant_gain_chart",
    "enable",
    "fit_container",
    "inline_data",
    "localised",
    "number_locale",
]

#: Okabe & Ito (2008) palette, safe for the common forms of colour-blindness.
OKABE_ITO: dict[str, str] = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
}
#: Colour per IGM block: willen (wanting) and kunnen (being able). Both pass 3:1 on white.
BLOCK_COLOURS: dict[str, str] = {"willen": OKABE_ITO["blue"], "kunnen": OKABE_ITO["vermillion"]}
#: Text colour with 4.5:1 or more on white.
TEXT = "#1f1f1f"
MUTED = "#595959"
#: System fonts only (no download).
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
THEME_NAME = "igm"
#: ``$schema`` of a spec written as a dict (vega-embed reads the Vega-Lite major version from it).
VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"


def config() -> dict[str, Any]:
    """The Vega-Lite ``config`` of the kit's theme."""
    return {
        "config": {
            "font": FONT,
            "background": "white",
            "view": {"stroke": None},
            "range": {"category": list(OKABE_ITO.values())},
            "axis": {
                "labelColor": TEXT,
                "titleColor": TEXT,
                "labelFontSize": 12,
                "titleFontSize": 13,
                "gridColor": "#d9d9d9",
                "domainColor": MUTED,
                "tickColor": MUTED,
                "labelLimit": 260,
            },
            "legend": {"labelColor": TEXT, "titleColor": TEXT, "labelFontSize": 12},
            "title": {"color": TEXT, "fontSize": 14, "anchor": "start", "fontWeight": 600},
            "text": {"color": TEXT, "fontSize": 12},
            "bar": {"color": OKABE_ITO["blue"]},
            "point": {"color": OKABE_ITO["blue"], "filled": True},
        }
    }


def number_locale(lang: str) -> dict[str, Any]:
    """The Vega locale of ``lang`` for numbers: axes, tooltips and ``format()`` in a chart
    write the language's decimal mark (:data:`igm.i18n.DECIMAL_MARK`, Dutch "2,4")."""
    decimal = DECIMAL_MARK[lang]
    thousands = "." if decimal == "," else ","
    return {
        "number": {
            "decimal": decimal,
            "thousands": thousands,
            "grouping": [3],
            "currency": ["€", ""],
        }
    }


def localised(spec: dict[str, Any], lang: str) -> dict[str, Any]:
    """``spec`` with the number locale of ``lang`` in its config (every chart a learner sees
    goes through here, so a Dutch chart never shows a decimal point)."""
    spec.setdefault("config", {})["locale"] = number_locale(lang)
    return spec


def inline_data(rows: Sequence[Mapping[str, Any]]) -> alt.Data:
    """A chart's rows as its own data: ``"data": {"values": rows}`` in the spec, where the
    views' tests and sentences read them (``alt.InlineData`` would move them to the spec's
    top-level ``datasets`` under a hashed name)."""
    import altair as alt

    # altair leaves Data.__init__ unannotated
    return alt.Data(values=rows)  # type: ignore[no-untyped-call]


#: Below this container width (px: a phone is 390, its content about 350) a chart's long y
#: labels go on several lines instead of one.
NARROW_CHART_PX = 640
#: Characters per line of a y label on a narrow chart (about 155 px at 12 px).
LABEL_LINE_CHARS = 24
#: Characters per line of a chart's title and of its axis titles (about 300 px): a longer
#: title goes on two lines everywhere, so it is never cut on a phone.
TITLE_LINE_CHARS = 38
#: Characters per line of an axis title, which is centred under the plot beside the labels.
AXIS_TITLE_LINE_CHARS = 24
#: Name of the Vega parameter that holds each long label's lines.
LABEL_LINES_PARAM = "igm_label_lines"
#: Height (px) of one row of a determinant bar chart: a label of three lines fits.
ROW_PX = 40
#: Height (px) of one row whose labels take at most two lines (the determinants' names).
TWO_LINE_ROW_PX = 32


def label_lines(label: str, chars: int = LABEL_LINE_CHARS) -> list[str]:
    """``label`` cut into lines of at most ``chars`` characters, between words only."""
    return textwrap.wrap(label, chars, break_long_words=False, break_on_hyphens=False) or [label]


def _y_encodings(spec: dict[str, Any]) -> Iterable[dict[str, Any]]:
    """The y encodings of a single or layered view (the ones that draw an axis)."""
    for view in [spec, *spec.get("layer", [])]:
        y = view.get("encoding", {}).get("y")
        if isinstance(y, dict) and y.get("type") == "nominal":
            yield y


def _wrapped(title: Any, chars: int = TITLE_LINE_CHARS) -> Any:
    """A title (text, or Vega-Lite's list of lines) in lines of at most ``chars``."""
    if isinstance(title, str) and len(title) > chars:
        return label_lines(title, chars)
    return title


def _wrap_titles(spec: dict[str, Any]) -> None:
    """The chart's title and its axis titles in lines short enough for a phone."""
    title = spec.get("title")
    if isinstance(title, dict):
        title["text"] = _wrapped(title.get("text"))
    elif title is not None:
        spec["title"] = _wrapped(title)
    for view in [spec, *spec.get("layer", [])]:
        for channel in view.get("encoding", {}).values():
            if isinstance(channel, dict) and "title" in channel:
                channel["title"] = _wrapped(channel["title"], AXIS_TITLE_LINE_CHARS)


def fit_container(spec: dict[str, Any], y_labels: Iterable[str] = ()) -> dict[str, Any]:
    """``spec`` as wide as the element it is drawn in (a phone or a projector), never wider.

    Vega-Lite's ``width: "container"`` with the axes inside that width. On a narrow container
    (below :data:`NARROW_CHART_PX`), each of ``y_labels`` longer than a line is drawn on
    several lines (:func:`label_lines`) instead of being cut mid-word; the chart's own
    ``labelLimit`` still holds for the one-line labels of a wide container.
    """
    spec["width"] = "container"
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    _wrap_titles(spec)
    lines = {label: label_lines(label) for label in y_labels}
    lines = {label: parts for label, parts in lines.items() if len(parts) > 1}
    if not lines:
        return spec
    spec.setdefault("params", []).append({"name": LABEL_LINES_PARAM, "value": lines})
    # ``width >= 0`` makes the labels follow the width signal (redrawn on a resize);
    # containerSize() is the element's width itself, which the labels do not change.
    narrow = f"width >= 0 && containerSize()[0] < {NARROW_CHART_PX}"
    expr = (
        f"{narrow} && {LABEL_LINES_PARAM}[datum.label] ? {LABEL_LINES_PARAM}[datum.label]"
        " : datum.label"
    )
    for y in _y_encodings(spec):
        y["axis"] = {**(y.get("axis") or {}), "labelExpr": expr, "labelLineHeight": 13}
    return spec


def enable() -> None:
    """Register the theme with Altair and make it the active one (idempotent)."""
    import altair as alt

    if THEME_NAME not in alt.theme.names():

        @alt.theme.register(THEME_NAME, enable=False)
        def _igm() -> alt.theme.ThemeConfig:
            return config()  # type: ignore[return-value]

    alt.theme.enable(THEME_NAME)


def determinant_gain_chart(
    gains: list[tuple[str, str, float | None]],
    *,
    axis_title: str,
    title: str,
    block_title: str,
    block_names: tuple[str, str],
    number_format: str = ".1f",
) -> dict[str, Any]:
    """Horizontal bars of a gain per determinant, in the order given, coloured by block, as
    wide as their container (:func:`fit_container`; long names on several lines on a phone).

    ``gains`` holds (determinant name, block name, gain in percentage points) per row;
    ``block_names`` are the display names of willen and kunnen, in that order.
    """
    import altair as alt  # only the UI layer draws

    enable()
    rows = [{"name": name, "block": block, "gain": gain} for name, block, gain in gains]
    chart = (
        alt.Chart(inline_data(rows))
        .mark_bar(height=16)
        .encode(
            y=alt.Y("name:N", sort=[name for name, _block, _gain in gains], title=None),
            x=alt.X("gain:Q", title=axis_title),
            color=alt.Color(
                "block:N",
                scale=alt.Scale(
                    domain=list(block_names),
                    range=[BLOCK_COLOURS["willen"], BLOCK_COLOURS["kunnen"]],
                ),
                legend=alt.Legend(title=block_title, orient="bottom"),
            ),
            tooltip=["name:N", alt.Tooltip("gain:Q", format=number_format)],
        )
        .properties(height=len(gains) * ROW_PX, title=title)
    )
    spec: dict[str, Any] = chart.to_dict()
    return fit_container(spec, [name for name, _block, _gain in gains])
