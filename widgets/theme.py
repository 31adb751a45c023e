"""The one chart theme of igm-kit: Okabe–Ito colours (colour-blind safe) and system fonts.

Every Altair chart in the kit (widgets, apps, book) uses :func:`enable` or :func:`config`.
No web fonts: the font stack names fonts that the reader's system already has.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    """Horizontal bars of a gain per determinant, in the order given, coloured by block.

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
        .properties(width=360, height=7 * 26, title=title)
    )
    spec: dict[str, Any] = chart.to_dict()
    return spec
