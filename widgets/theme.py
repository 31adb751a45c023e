"""The one chart theme of igm-kit: Okabe–Ito colours (colour-blind safe) and system fonts.

Every Altair chart in the kit (widgets, apps, book) uses :func:`enable` or :func:`config`.
No web fonts: the font stack names fonts that the reader's system already has.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "BLOCK_COLOURS",
    "FONT",
    "OKABE_ITO",
    "THEME_NAME",
    "config",
    "enable",
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


def enable() -> None:
    """Register the theme with Altair and make it the active one (idempotent)."""
    import altair as alt

    if THEME_NAME not in alt.theme.names():

        @alt.theme.register(THEME_NAME, enable=False)
        def _igm() -> alt.theme.ThemeConfig:
            return config()  # type: ignore[return-value]

    alt.theme.enable(THEME_NAME)
