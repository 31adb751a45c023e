"""Conversation simulator: play a practice conversation and see the client's determinants move.

A thin view on :mod:`igm.conversations`: the path is played by the engine (:func:`play`,
:meth:`Playthrough.choose`, :meth:`Playthrough.back`), every number comes from
``model_for(case.domain).predict(playthrough.scores)`` and the MI profile and its advice from
:func:`igm.conversations.mi_profile`. This module only shows them.

Stable CSS hooks for tests: ``igm-intention-readout``, ``igm-ability-readout``,
``igm-behaviour-readout`` (as in the explorer), ``igm-conv-response`` (each response button),
``igm-conv-back``, ``igm-conv-restart``, ``igm-conv-status`` (the status region that announces
the client's answer) and ``igm-conv-end`` (the end screen).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as w
from markupsafe import Markup

from igm import DETERMINANTS, Case, DeterminantScores
from igm.cases import CaseScan
from igm.conversations import (
    COMPLEX_FAIR,
    COMPLEX_GOOD,
    MAX_STEPS,
    RQ_FAIR,
    RQ_GOOD,
    Conversation,
    ConversationScan,
    PathError,
    Playthrough,
    Step,
    mi_profile,
    play,
    scan_conversations,
)
from igm.determinants import block_of
from igm.i18n import DEFAULT_LANGUAGE, t
from igm.model import Model, Prediction, model_for
from igm.url_state import Ignored, with_params
from widgets import theme
from widgets.offline import jupyter_chart
from widgets.page_state import address_widget, page_query
from widgets.templates import render, text_html
from widgets.ui import (
    _query_value,
    chart_summary,
    fmt_number,
    fmt_percent,
    fmt_points,
    language_from_query,
    language_switch,
    notice,
    prediction_readouts,
    problem_line,
    read_cases,
    style_widget,
    summary_html,
)

__all__ = [
    "CONVERSATION_PARAM",
    "PATH_PARAM",
    "ConversationChoice",
    "ConversationView",
    "app",
    "choose_conversation",
    "conversation_from_query",
    "conversation_query",
    "path_from_query",
    "replay",
    "scores_spec",
]

#: The query parameters of the app's address: the scenario and the responses chosen so far.
CONVERSATION_PARAM = "conversation"
PATH_PARAM = "path"
#: Longest scenario id taken from a query string (ids are short; the rest is someone's typing).
ID_CHARS = 80
#: Name of the Vega parameter that holds the seven scores now (the chart's bars).
SCORES_PARAM = "igm_conv_scores"


# ---- the address ---------------------------------------------------------------------------


def conversation_from_query(query: str | None = None) -> str | None:
    """The scenario asked for in a page's query string (``?conversation=…``), or ``None``."""
    value = _query_value(CONVERSATION_PARAM, query)
    return value[:ID_CHARS] if value else None


def path_from_query(query: str) -> list[str]:
    """The response ids in ``path=id1,id2,…`` (at most the engine's :data:`MAX_STEPS`, each cut
    to :data:`ID_CHARS`); :func:`replay` checks them against the scenario."""
    raw = _query_value(PATH_PARAM, query) or ""
    parts = [part.strip()[:ID_CHARS] for part in raw.split(",") if part.strip()]
    return parts[: MAX_STEPS + 1]


def conversation_query(query: str, lang: str, conversation_id: str, path: Sequence[str]) -> str:
    """The app's address query: language, scenario and path (``query``'s other parameters,
    e.g. a hub's token, kept)."""
    return with_params(
        query,
        {
            "lang": lang,
            CONVERSATION_PARAM: conversation_id,
            PATH_PARAM: ",".join(path) or None,
        },
    )


def replay(
    conversation: Conversation, start_scores: DeterminantScores, path: Sequence[str]
) -> tuple[Playthrough, tuple[Ignored, ...]]:
    """The engine's playthrough of the longest playable start of ``path``, and the first
    response id it could not play (a shared link to another version of the scenario)."""
    playthrough = play(conversation, start_scores, [])
    for index, response_id in enumerate(path):
        try:
            playthrough = playthrough.choose(response_id)
        except PathError:
            rest = ",".join(path[index:])
            return playthrough, (Ignored(PATH_PARAM, rest[:40] + ("…" if len(rest) > 40 else "")),)
    return playthrough, ()


# ---- the scenarios as read -----------------------------------------------------------------


def read_conversations() -> ConversationScan:
    """The conversations folder as it is now; never raises (an unreadable folder: none)."""
    try:
        return scan_conversations()
    except OSError:
        return ConversationScan((), ())


@dataclass(frozen=True)
class ConversationChoice:
    """The scenarios the app offers (those whose case is valid now), the one it shows, and
    ``unavailable``: the id asked for when it is not one of them."""

    scan: ConversationScan
    cases: Mapping[str, Case]
    conversation: Conversation | None
    unavailable: str | None = None

    @property
    def conversations(self) -> dict[str, Conversation]:
        return {c.id: c for c in self.scan.conversations if c.case_id in self.cases}

    @property
    def without_case(self) -> list[Conversation]:
        """Valid scenario files whose case is not a valid case now (skipped too)."""
        return [c for c in self.scan.conversations if c.case_id not in self.cases]


def choose_conversation(
    scan: ConversationScan, case_scan: CaseScan, wanted: str | None
) -> ConversationChoice:
    """``wanted`` when it is a playable scenario, else the first one (or none at all)."""
    cases = {c.id: c for c in case_scan.cases}
    probe = ConversationChoice(scan, cases, None)
    playable = probe.conversations
    if wanted in playable:
        return ConversationChoice(scan, cases, playable[wanted])
    first = next(iter(playable.values()), None)
    return ConversationChoice(scan, cases, first, wanted if wanted else None)


def skipped_html(choice: ConversationChoice, lang: str) -> str:
    """The note under the picker about skipped scenario files ("" when none was skipped), in
    the style of the cases' note."""
    lines = [
        problem_line([p for p in choice.scan.problems if p.file == file], lang)
        for file in choice.scan.skipped_files()
    ]
    lines += [
        t("conversation_app.skipped.no_case", lang, file=c.path.name, case=c.case_id)
        for c in choice.without_case
    ]
    if not lines:
        return ""
    heading = (
        t("conversation_app.skipped.one", lang)
        if len(lines) == 1
        else t("conversation_app.skipped.many", lang, count=len(lines))
    )
    hint = t("conversation_app.skipped.hint", lang)
    return render("skipped_files.html", heading=heading, lines=lines, hint=hint)


# ---- what is shown, worked out from the engine's results ------------------------------------


def _name(key: str, lang: str) -> str:
    return t(f"determinant.{key}.name", lang)


def _score(value: float, lang: str) -> str:
    """A score on the 1–7 scale as the kit writes it (``4``, ``4,5``)."""
    return fmt_number(value, lang, None)


def _signed(value: float, lang: str, decimals: int | None = None) -> str:
    """A change with its sign (``+1``, ``−0,5``, ``0``)."""
    text = fmt_number(abs(value), lang, decimals)
    if text.strip("0,.") == "":
        return fmt_number(0, lang, decimals)
    return ("+" if value > 0 else "−") + text


def scores_spec(
    start: DeterminantScores, lang: str, now: DeterminantScores | None = None
) -> dict[str, Any]:
    """Vega-Lite spec (a dict, through the kit's theme): a bar per determinant at its score now
    (from the parameter :data:`SCORES_PARAM`, seven values, ``now``: default the start) and a
    black mark at its score at the start; coloured by block (Okabe–Ito, colour-blind safe), on
    the 1–7 scale.

    The parameter's value in the spec must be the scores now: the chart script takes it from
    the spec when it draws the chart (and sends it back as the widget's ``_params``), so a
    chart drawn after a reload with a path, or a change of language, would otherwise show the
    bars at the start."""
    rows: list[dict[str, Any]] = [
        {
            "i": i,
            "name": _name(key, lang),
            "block": t(f"block.{block_of(key)}", lang),
            "start": start[key],
        }
        for i, key in enumerate(DETERMINANTS)
    ]
    names = [_name(key, lang) for key in DETERMINANTS]
    y = {"field": "name", "sort": names, "title": None, "type": "nominal"}
    x_scale = {"domain": [1, 7], "nice": False}
    bars = {
        "mark": {"type": "bar", "height": 16},
        "encoding": {
            "color": {
                "field": "block",
                # one entry under the other: "Kunnen (being able)" beside "Willen (wanting)" is
                # wider than a phone
                "legend": {"orient": "bottom", "title": t("chart.block", lang), "columns": 1},
                "scale": {
                    "domain": [t("block.willen", lang), t("block.kunnen", lang)],
                    "range": [theme.BLOCK_COLOURS["willen"], theme.BLOCK_COLOURS["kunnen"]],
                },
                "type": "nominal",
            },
            "tooltip": [
                {
                    "field": "name",
                    "type": "nominal",
                    "title": t("conversation_app.moved.what", lang),
                },
                {
                    "field": "score",
                    "format": ".1f",
                    "type": "quantitative",
                    "title": t("conversation_app.moved.end", lang),
                },
                {
                    "field": "start",
                    "format": ".1f",
                    "type": "quantitative",
                    "title": t("conversation_app.moved.start", lang),
                },
            ],
            "x": {
                "field": "score",
                "scale": x_scale,
                "axis": {"values": [1, 2, 3, 4, 5, 6, 7], "format": "d"},
                "title": t("conversation_app.chart.axis", lang),
                "type": "quantitative",
            },
            "x2": {"datum": 1},
            "y": y,
        },
        "transform": [{"calculate": f"{SCORES_PARAM}[datum.i]", "as": "score"}],
    }
    ticks = {
        "mark": {"type": "tick", "color": theme.TEXT, "size": 22, "thickness": 3},
        "encoding": {
            "x": {"field": "start", "type": "quantitative", "scale": x_scale},
            "y": dict(y),
        },
    }
    spec: dict[str, Any] = {
        **theme.config(),
        "layer": [bars, ticks],
        "data": {"values": rows},
        "height": 7 * theme.TWO_LINE_ROW_PX,
        "params": [{"name": SCORES_PARAM, "value": scores_values(now or start)}],
        "title": t("conversation_app.chart.title", lang),
        "$schema": theme.VEGA_LITE_SCHEMA,
    }
    return theme.localised(theme.fit_container(spec, names), lang)


def scores_values(scores: DeterminantScores) -> list[float]:
    """The chart parameter: the seven scores in canonical order."""
    return [float(scores[key]) for key in DETERMINANTS]


def scores_sentence(playthrough: Playthrough, lang: str) -> str:
    """What the score chart shows, in words: which scores moved since the start."""
    start, now = playthrough.start_scores, playthrough.scores
    moved = playthrough.total_change()
    changes = [
        t(
            "conversation_app.chart.change",
            lang,
            name=_name(key, lang),
            start=_score(start[key], lang),
            now=_score(now[key], lang),
        )
        for key in DETERMINANTS
        if moved[key]
    ]
    if not changes:
        return t("conversation_app.chart.unchanged", lang)
    return t("conversation_app.chart.changed", lang, changes="; ".join(changes))


def step_changes(step: Step, lang: str) -> tuple[list[str], bool]:
    """The changes a step applied (``Houding +1``), and whether the 1–7 scale cut any of the
    author's changes (the engine records what applied)."""
    lines = [
        f"{_name(key, lang)} {_signed(value, lang)}" for key, value in step.applied.items() if value
    ]
    clamped = any(step.applied.get(key) != value for key, value in step.response.changes.items())
    return lines, clamped


def effect_html(playthrough: Playthrough, lang: str) -> str:
    """What the last response did: its text, MI code, explanation and applied changes."""
    if not playthrough.steps:
        return render("conversation_effect.html", lang=lang, step=None)
    step = playthrough.steps[-1]
    response = step.response
    changes, clamped = step_changes(step, lang)
    return render(
        "conversation_effect.html",
        lang=lang,
        step=step,
        said=response.text(lang),
        code=t(f"conversation.mi.{response.mi}", lang),
        kind=t(f"conversation.mi_class.{response.mi_class}", lang),
        explanation=response.explanation(lang),
        changes=changes,
        clamped=clamped,
    )


def transcript_entries(playthrough: Playthrough, lang: str) -> list[dict[str, str]]:
    """Each exchange so far: what the client said and what the learner answered."""
    return [
        {
            "client": playthrough.conversation.turn(step.turn_id).client(lang),
            "text": step.response.text(lang),
            "code": t(f"conversation.mi.{step.response.mi}", lang),
        }
        for step in playthrough.steps
    ]


def moved_rows(
    playthrough: Playthrough, start: Prediction, end: Prediction, lang: str
) -> list[dict[str, Any]]:
    """The end table: each determinant, then intention, ability and behaviour, start to end."""
    moved = playthrough.total_change()
    rows: list[dict[str, Any]] = [
        {
            "key": key,
            "name": _name(key, lang),
            "start": _score(playthrough.start_scores[key], lang),
            "end": _score(playthrough.scores[key], lang),
            "change": _signed(moved[key], lang),
            "output": False,
        }
        for key in DETERMINANTS
    ]
    for key, label in (("intention", "output.intention"), ("ability", "output.ability")):
        before, after = getattr(start, key), getattr(end, key)
        # the change of the whole numbers shown, so that start + change = end on the page
        change = round(after) - round(before)
        rows.append(
            {
                "key": key,
                "name": t(label, lang),
                "start": fmt_number(before, lang, 0),
                "end": fmt_number(after, lang, 0),
                "change": _signed(change, lang, 0),
                "output": True,
            }
        )
    points = fmt_points(end.behaviour_probability - start.behaviour_probability, lang)
    rows.append(
        {
            "key": "behaviour",
            "name": t("output.behaviour", lang),
            "start": fmt_percent(start.behaviour_probability, lang),
            "end": fmt_percent(end.behaviour_probability, lang),
            "change": t("conversation_app.moved.points", lang, points=points),
            "output": True,
        }
    )
    return rows


def moved_sentence(playthrough: Playthrough, start: Prediction, end: Prediction, lang: str) -> str:
    """The end table in words."""
    moved = playthrough.total_change()
    up = [_name(k, lang) for k in DETERMINANTS if moved[k] > 0]
    down = [_name(k, lang) for k in DETERMINANTS if moved[k] < 0]
    parts = []
    if up:
        parts.append(t("conversation_app.moved.up", lang, names=", ".join(up)))
    if down:
        parts.append(t("conversation_app.moved.down", lang, names=", ".join(down)))
    return t(
        "conversation_app.moved.summary",
        lang,
        b_start=fmt_percent(start.behaviour_probability, lang),
        b_end=fmt_percent(end.behaviour_probability, lang),
        i_start=fmt_number(start.intention, lang, 0),
        i_end=fmt_number(end.intention, lang, 0),
        a_start=fmt_number(start.ability, lang, 0),
        a_end=fmt_number(end.ability, lang, 0),
        scores=" ".join(parts) or t("conversation_app.moved.same", lang),
    )


def profile_rows(playthrough: Playthrough, lang: str) -> list[dict[str, str]]:
    """The MI profile (:func:`igm.conversations.mi_profile`) with MITI 4.2.1's thresholds
    (``threshold`` and ``level`` are "" for a measure the MITI gives none)."""
    profile = mi_profile(playthrough.mi_codes)
    ratio = profile.rq_ratio
    rq_value = (
        t(
            "conversation_app.mi.ratio_counts",
            lang,
            value=fmt_number(ratio, lang, 1),
            reflections=profile.reflections,
            questions=profile.questions,
        )
        if ratio is not None
        # no questions: the level is the MITI's all the same, so say what it rests on
        else t("conversation_app.mi.no_questions_counts", lang, reflections=profile.reflections)
    )
    complex_share = profile.complex_share
    complex_level = profile.complex_level()
    open_share = profile.open_share
    return [
        {
            "key": "rq",
            "name": t("conversation_app.mi.rq", lang),
            "value": rq_value,
            "threshold": t(
                "conversation_app.mi.rq.threshold",
                lang,
                fair=fmt_number(RQ_FAIR, lang, None),
                good=fmt_number(RQ_GOOD, lang, None),
            ),
            "level": t(f"conversation.level.{profile.rq_level()}", lang),
        },
        {
            "key": "complex",
            "name": t("conversation_app.mi.complex", lang),
            "value": (
                fmt_percent(complex_share, lang, 0)
                if complex_share is not None
                else t("conversation_app.mi.no_reflections", lang)
            ),
            "threshold": t(
                "conversation_app.mi.rq.threshold",
                lang,
                fair=fmt_percent(COMPLEX_FAIR, lang, 0),
                good=fmt_percent(COMPLEX_GOOD, lang, 0),
            ),
            "level": t(f"conversation.level.{complex_level}", lang) if complex_level else "",
        },
        {
            "key": "open",
            "name": t("conversation_app.mi.open", lang),
            "value": (
                fmt_percent(open_share, lang, 0)
                if open_share is not None
                else t("conversation_app.mi.no_questions", lang)
            ),
            "threshold": "",
            "level": "",
        },
        {
            "key": "adherent",
            "name": t("conversation_app.mi.adherent", lang),
            "value": str(profile.adherent),
            "threshold": "",
            "level": "",
        },
        {
            "key": "non_adherent",
            "name": t("conversation_app.mi.non_adherent", lang),
            "value": str(profile.non_adherent),
            "threshold": "",
            "level": "",
        },
    ]


def inconsistent_sentence(playthrough: Playthrough, lang: str) -> str:
    """Which responses were MI-inconsistent, by step ("" when none was)."""
    items = [
        t(
            "conversation_app.mi.which_item",
            lang,
            step=number,
            code=t(f"conversation.mi.{step.response.mi}", lang),
        )
        for number, step in enumerate(playthrough.steps, start=1)
        if step.response.mi_class == "non_adherent"
    ]
    return t("conversation_app.mi.which", lang, items=", ".join(items)) if items else ""


def end_html(playthrough: Playthrough, case: Case, model: Model, lang: str, serial: int = 0) -> str:
    """The end screen of a finished playthrough."""
    start = model.predict(playthrough.start_scores)
    end = model.predict(playthrough.scores)
    turn = playthrough.turn
    ending = playthrough.ending or "mixed"
    return render(
        "conversation_end.html",
        lang=lang,
        serial=serial,
        name=playthrough.conversation.speaker_name(case.name),
        ending=ending,
        ending_name=t(f"conversation.ending.{ending}", lang),
        outcome=turn.outcome(lang) if turn.outcome is not None else "",
        path=transcript_entries(playthrough, lang),
        moved=moved_rows(playthrough, start, end, lang),
        moved_summary=moved_sentence(playthrough, start, end, lang),
        total=len(playthrough.steps),
        profile=profile_rows(playthrough, lang),
        inconsistent=inconsistent_sentence(playthrough, lang),
        advice=[
            t(f"conversation.advice.{key}", lang)
            for key in mi_profile(playthrough.mi_codes).advice()
        ],
    )


# ---- the status region and focus -----------------------------------------------------------

_ANNOUNCER_ESM = """\
// igm-kit: the conversation's status region (announces the client's answer) and focus moves.
function visible(selector) {
  for (const node of document.querySelectorAll(selector)) {
    if (node.getClientRects().length) return node;
  }
  return null;
}

export default {
  render({ model, el }) {
    const status = document.createElement("p");
    status.className = "igm-conv-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    el.append(status);
    let frame = 0;
    const announce = () => {
      // emptied first, so that the same words twice are announced twice
      status.textContent = "";
      setTimeout(() => { status.textContent = model.get("message"); }, 60);
    };
    const focus = () => {
      const selector = model.get("focus");
      if (!selector) return;
      const started = performance.now();
      cancelAnimationFrame(frame);
      // the new buttons are drawn a moment after the kernel's message: wait for them
      const attempt = () => {
        const target = visible(selector);
        if (target) {
          target.focus();
          target.scrollIntoView({ block: "nearest" });
        } else if (performance.now() - started < 5000) {
          frame = requestAnimationFrame(attempt);
        }
      };
      attempt();
    };
    status.textContent = model.get("message");
    model.on("change:serial", () => { announce(); focus(); });
  },
};
"""

_ANNOUNCER: Any = None


def announcer() -> Any:
    """A widget holding the page's status region (``message``) that also moves the keyboard
    focus to the first element matching ``focus`` when ``serial`` changes."""
    global _ANNOUNCER
    if _ANNOUNCER is None:
        import anywidget
        import traitlets

        class Announcer(anywidget.AnyWidget):
            message = traitlets.Unicode("").tag(sync=True)
            focus = traitlets.Unicode("").tag(sync=True)
            serial = traitlets.Int(0).tag(sync=True)

        Announcer._esm = _ANNOUNCER_ESM
        Announcer._css = CONVERSATION_CSS_STATUS
        Announcer.__module__ = __name__
        _ANNOUNCER = Announcer
    widget = _ANNOUNCER()
    widget.add_class("igm-conv-announcer")
    return widget


#: The status region is read aloud, not shown: the client's answer is on the page already.
CONVERSATION_CSS_STATUS = """\
.igm-conv-status { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
"""

CONVERSATION_CSS = """
.igm-conversation .igm-conv-title { font-size: 1.6rem; margin: 0.4em 0 0.2em; }
.igm-conv-setting { max-width: 70ch; }
/* ipywidgets gives HTML content the line height of a one-line control (28 px) */
.igm-conversation .widget-html-content { line-height: 1.45; }
.igm-conv-case { color: #3d3d3d; font-size: 0.95em; }
.igm-conv-transcript { padding-left: 1.4em; margin: 0.3em 0; max-width: 70ch; }
.igm-conv-exchange { margin-bottom: 0.5em; }
.igm-conv-line { margin: 0.15em 0; }
.igm-conv-you-line { color: #1f1f1f; padding-left: 0.8em; border-left: 3px solid #0072B2; }
.igm-conv-code { color: #3d3d3d; font-size: 0.9em; }
.igm-conv-current { border: 1px solid #bdbdbd; border-left: 6px solid #E69F00;
  border-radius: 6px; padding: 0.3em 0.9em; background: #fffdf5; margin: 0.6em 0; max-width: 70ch; }
.igm-conv-speaker { font-weight: 700; margin: 0.3em 0 0.1em; }
.igm-conv-client { margin: 0 0 0.4em; font-size: 1.1em; line-height: 1.45; }
.igm-conv-choose { margin-top: 0.6em; }
.igm-conv-responses { gap: 0.5em; max-width: 70ch; }
.igm-app button.igm-conv-response { width: 100%; text-align: left; justify-content: flex-start;
  padding: 0.55em 0.9em; line-height: 1.4; font-size: 1rem; background: #ffffff;
  border: 2px solid #0072B2; border-radius: 6px; color: #1f1f1f; height: auto; }
.igm-app button.igm-conv-response:hover { background: #e8f2fa; }
.igm-conv-controls { gap: 0.6em; flex-wrap: wrap; margin: 0.8em 0 0.4em; }
.igm-app button.igm-conv-back, .igm-app button.igm-conv-restart { width: auto; padding: 0 1.1em; }
.igm-conv-effect { border-top: 1px solid #d9d9d9; margin-top: 0.6em; max-width: 60ch; }
.igm-conv-said { font-style: italic; }
.igm-conv-mi { color: #3d3d3d; }
.igm-conv-end { border-top: 4px solid #0072B2; margin-top: 1em; padding-top: 0.2em; }
.igm-conv-end-poor { border-top-color: #D55E00; }
.igm-conv-end-mixed { border-top-color: #E69F00; }
/* a line of the end screen's text no longer than a reader's eye takes in (a laptop: 160+) */
.igm-conv-end p { max-width: 70ch; }
.igm-conv-end-heading:focus { outline: 3px solid #E69F00; outline-offset: 2px; }
.igm-conv-ending { font-size: 1.15em; }
.igm-conv-path { padding-left: 1.4em; max-width: 70ch; }
.igm-conv-path li { margin-bottom: 0.5em; }
.igm-conv-path-client, .igm-conv-path-you { display: block; }
.igm-conv-path-you { padding-left: 0.8em; border-left: 3px solid #0072B2; }
.igm-conv-table-wrap { max-width: 100%; overflow-x: auto; }
.igm-conv-table-wrap table { border-collapse: collapse; margin: 0.3em 0 0.8em; }
.igm-conv-table-wrap caption { text-align: left; font-weight: 600; padding: 0.2em 0; }
.igm-conv-table-wrap th, .igm-conv-table-wrap td { border-bottom: 1px solid #d9d9d9;
  padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
.igm-conv-table-wrap td { font-variant-numeric: tabular-nums; }
/* the caption names the table for a screen reader; the heading above says it for the eye */
.igm-conv-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
/* the MI profile: each measure a block, its name above what you did and the MITI's yardstick */
.igm-conv-mi-row { border-bottom: 1px solid #d9d9d9; padding: 0.35em 0; }
/* JupyterLab floats an output's dt (20 %) and dd (80 %) side by side: undone, the name stands
   above its lines */
.igm-conversation .igm-conv-mi-profile { width: auto; overflow: visible; padding: 0;
  margin: 0.3em 0 0.8em; max-width: 70ch; }
.igm-conversation .igm-conv-mi-row dt { font-weight: 700; float: none; width: auto; }
.igm-conversation .igm-conv-mi-row dd { float: none; width: auto; margin: 0.1em 0 0 1em;
  padding: 0; }
.igm-conv-mi-label { color: #3d3d3d; }
.igm-conv-mi-value { font-variant-numeric: tabular-nums; }
.igm-conv-moved-output th, .igm-conv-moved-output td { background: #f3f7fb; }
.igm-conv-advice { max-width: 70ch; }
@media (max-width: 480px) {
  .igm-conv-table-wrap th, .igm-conv-table-wrap td { padding: 0.3em 0.3em; font-size: 0.92em; }
}
"""


# ---- the view ------------------------------------------------------------------------------


class ConversationView:
    """The simulator widget. Display ``ConversationView().widget`` (or call :func:`app`).

    The scenarios come from the conversations folder as it is (``scan``, default: read now),
    their cases from the cases folder (``case_scan``); files that are not valid are skipped
    with a note under the picker, and an id that is not a playable scenario falls back to the
    first one.
    """

    def __init__(
        self,
        conversation_id: str | None = None,
        lang: str = DEFAULT_LANGUAGE,
        scan: ConversationScan | None = None,
        case_scan: CaseScan | None = None,
    ) -> None:
        self.lang = lang
        self.widget = w.VBox()
        self.widget.add_class("igm-app")
        self.widget.add_class("igm-conversation")
        self._wanted = conversation_id
        self.serial = 0
        self.address = address_widget()
        self.address_note = w.HTML()
        self.address_note.add_class("igm-case-note")
        self.announcer = announcer()
        self.response_buttons: list[w.Button] = []
        self.responses = w.VBox()
        self._take(
            choose_conversation(
                read_conversations() if scan is None else scan,
                read_cases() if case_scan is None else case_scan,
                conversation_id,
            )
        )
        self._build()

    # -- state -------------------------------------------------------------------------------
    def _take(self, choice: ConversationChoice) -> None:
        """Hold ``choice`` and start its scenario from the beginning."""
        self.choice = choice
        self.conversation = choice.conversation
        if self.conversation is not None:
            self.case: Case | None = choice.cases[self.conversation.case_id]
            self.model = model_for(self.case.domain)
            self.playthrough = play(self.conversation, self.case.scores, [])
        else:
            self.case = None

    def prediction(self) -> Prediction:
        """What the engine expects at the scores of the playthrough now."""
        return self.model.predict(self.playthrough.scores)

    def choose(self, response_id: str) -> None:
        """The learner says ``response_id`` (one of the current turn's responses)."""
        self.playthrough = self.playthrough.choose(response_id)
        turn = self.playthrough.turn
        name = self.speaker()
        message = t(
            "conversation_app.status.answer", self.lang, name=name, text=turn.client(self.lang)
        )
        if self.playthrough.finished and turn.ending:
            ending = t(f"conversation.ending.{turn.ending}", self.lang)
            message += " " + t("conversation_app.status.ended", self.lang, ending=ending)
        self._show(message)

    def back(self) -> None:
        """Undo the last choice (to explore another branch)."""
        if not self.playthrough.steps:
            return
        self.playthrough = self.playthrough.back()
        self._show(self._says("conversation_app.status.back"))

    def restart(self) -> None:
        """Play the scenario again from its start."""
        self.playthrough = play(self.playthrough.conversation, self.playthrough.start_scores, [])
        self._show(self._says("conversation_app.status.start"))

    def speaker(self) -> str:
        """Who speaks the client's turns (the scenario's speaker, else the case's name)."""
        if self.conversation is None or self.case is None:
            return ""
        return self.conversation.speaker_name(self.case.name)

    def _says(self, key: str) -> str:
        name = self.speaker()
        return t(key, self.lang, name=name, text=self.playthrough.turn.client(self.lang))

    def set_language(self, lang: str) -> None:
        """Every label in ``lang``; keeps the scenario and the path."""
        self.lang = lang
        self._build()

    def set_conversation(self, conversation_id: str) -> None:
        """Show another scenario from its start (from the files as read, none read again)."""
        self._wanted = conversation_id
        playable = self.choice.conversations
        self._take(
            ConversationChoice(self.choice.scan, self.choice.cases, playable[conversation_id])
        )
        self.address_note.value = ""
        self._build()

    def refresh(
        self,
        scan: ConversationScan | None = None,
        case_scan: CaseScan | None = None,
        lang: str | None = None,
        conversation_id: str | None = None,
    ) -> bool:
        """Take the folders as they are now, ``lang`` and the scenario ``conversation_id``
        (default: the one shown); rebuilds only when something changed. Returns whether it did."""
        scan = read_conversations() if scan is None else scan
        case_scan = read_cases() if case_scan is None else case_scan
        lang = lang or self.lang
        self._wanted = conversation_id or self._wanted
        choice = choose_conversation(scan, case_scan, self._wanted)
        if choice == self.choice:
            if lang == self.lang:
                return False
            self.set_language(lang)
            return True
        self.lang = lang
        self._take(choice)
        self._build()
        return True

    def apply_address(self, query: str) -> None:
        """Play the path in a page's query string (a reload, a shared link) for the scenario
        it names; a path that does not fit the scenario is followed as far as it fits, with a
        note."""
        if self.conversation is None or self.choice.unavailable is not None:
            return
        asked = conversation_from_query(query)
        if asked is not None and asked != self.conversation.id:
            return
        path = path_from_query(query)
        if not path:
            return
        self.playthrough, ignored = replay(
            self.conversation,
            self.case.scores if self.case else self.playthrough.start_scores,
            path,
        )
        self._refresh_play(focus=False)
        if ignored:
            text = t(
                "conversation_app.address.ignored", self.lang, values=", ".join(map(str, ignored))
            )
            self.address_note.value = text_html("p", text, cls="igm-address-note", role="note")

    # -- building ----------------------------------------------------------------------------
    def _build(self) -> None:
        lang = self.lang
        if self.response_buttons:
            # The response buttons are closed when replaced (_refresh_play); the box that held
            # them lets go first: a page asks for every open widget's state, and one that
            # names a closed widget as its child stops the whole page from drawing.
            self.responses.children = ()
        switch = language_switch(lang, self.set_language)
        heading = w.HTML(render("conversation_title.html", lang=lang))
        skipped = skipped_html(self.choice, lang)
        notes: list[w.Widget] = []
        if self.choice.unavailable and self.conversation is not None:
            text = t("conversation_app.fallback", lang, conversation=self.choice.unavailable)
            fallback = w.HTML(text_html("p", text, cls="igm-case-fallback", role="note"))
            fallback.add_class("igm-case-note")
            notes.append(fallback)
        if skipped:
            note = w.HTML(skipped)
            note.add_class("igm-case-note")
            notes.append(note)
        style = w.HTML(
            render("style.html", css=Markup(CONVERSATION_CSS), hidden=[]),
            layout=w.Layout(display="none"),
        )
        top = [style_widget(lang), style, w.HBox([switch]), notice(lang), heading]
        if self.conversation is None or self.case is None:
            message = text_html(
                "p", t("conversation_app.none", lang), cls="igm-no-case", role="status"
            )
            self.widget.children = [*top, w.HTML(message), *notes]
            return
        conversation, case = self.conversation, self.case

        picker = w.Dropdown(
            options=[(c.title(lang), c.id) for c in self.choice.conversations.values()],
            value=conversation.id,
            description=t("conversation_app.picker", lang),
            layout=w.Layout(width="min(100%, 44em)"),
            style={"description_width": "initial"},
        )
        picker.add_class("igm-case-picker")
        picker.add_class("igm-conv-picker")
        picker.observe(lambda change: self.set_conversation(str(change["new"])), names="value")

        setting = w.HTML(
            render("conversation_setting.html", conversation=conversation, case=case, lang=lang)
        )
        self.transcript = w.HTML()
        self.transcript.add_class("igm-conv-transcript-box")
        self.current = w.HTML()
        self.current.add_class("igm-conv-current-box")
        self.responses = w.VBox()
        self.responses.add_class("igm-conv-responses")
        self.back_button = w.Button(description=t("conversation_app.back", lang))
        self.back_button.add_class("igm-conv-back")
        self.back_button.on_click(lambda _b: self.back())
        self.restart_button = w.Button(description=t("conversation_app.restart", lang))
        self.restart_button.add_class("igm-conv-restart")
        self.restart_button.on_click(lambda _b: self.restart())
        self.controls = w.HBox([self.back_button, self.restart_button])
        self.controls.add_class("igm-conv-controls")

        self.intention_out = w.HTML()
        self.ability_out = w.HTML()
        self.behaviour_out = w.HTML()
        for key, out in (
            ("intention", self.intention_out),
            ("ability", self.ability_out),
            ("behaviour", self.behaviour_out),
        ):
            out.add_class("igm-readout")
            out.add_class(f"igm-{key}-readout")
        readouts = w.HBox([self.intention_out, self.ability_out, self.behaviour_out])
        readouts.add_class("igm-readouts")
        self.effect = w.HTML()
        self.effect.add_class("igm-conv-effect-box")
        self.chart = jupyter_chart(
            scores_spec(case.scores, lang, self.playthrough.scores),
            {SCORES_PARAM: scores_values(self.playthrough.scores)},
        )
        self.chart.add_class("igm-conv-chart")
        self.chart_text = chart_summary("")
        self.end = w.HTML()
        self.end.add_class("igm-conv-end-box")
        self.end_area = w.VBox([self.end])
        self.end_area.add_class("igm-conv-end-area")

        self.left = w.VBox([self.transcript, self.current, self.responses, self.controls])
        self.left.add_class("igm-column")
        right = w.VBox(
            [
                w.HTML(text_html("h3", t("ui.outcome", lang))),
                readouts,
                self.effect,
                w.VBox([self.chart_text, self.chart]),
            ]
        )
        right.add_class("igm-column")
        columns = w.HBox([self.left, right])
        columns.add_class("igm-columns")
        self.widget.children = [
            *top,
            picker,
            *notes,
            self.address_note,
            setting,
            columns,
            self.end_area,
            self.announcer,
            self.address,
        ]
        self._refresh_play(focus=False)

    def _show(self, message: str) -> None:
        """After a choice, a step back or a restart: the page, the status and the focus."""
        self.announcer.message = message
        self._refresh_play(focus=True)

    def _refresh_play(self, focus: bool) -> None:
        """Show the playthrough as it is now: transcript, current turn, responses, numbers."""
        if self.case is None:
            return
        lang, playthrough, case = self.lang, self.playthrough, self.case
        self.serial += 1
        turn = playthrough.turn
        self.transcript.value = render(
            "conversation_transcript.html",
            lang=lang,
            name=self.speaker(),
            entries=transcript_entries(playthrough, lang),
        )
        lead_key = "conversation_app.last_words" if turn.is_ending else "conversation_app.now"
        self.current.value = render(
            "conversation_turn.html",
            lang=lang,
            lead=t(lead_key, lang, name=self.speaker()),
            client=turn.client(lang),
            ending=turn.is_ending,
        )
        marker = f"igm-conv-r{self.serial}"
        buttons = []
        for response in turn.responses:
            button = w.Button(description=response.text(lang), layout=w.Layout(width="100%"))
            button.add_class("igm-conv-response")
            button.add_class(f"igm-conv-response-{response.id}")
            button.add_class(marker)
            button.on_click(lambda _b, rid=response.id: self.choose(rid))
            buttons.append(button)
        old = self.response_buttons
        self.responses.children = buttons
        self.response_buttons = buttons
        for button in old:
            button.close()
        self.back_button.disabled = not playthrough.steps

        p = self.prediction()
        readouts = prediction_readouts(p, lang)
        self.intention_out.value = readouts["intention"]
        self.ability_out.value = readouts["ability"]
        self.behaviour_out.value = readouts["behaviour"]
        self.effect.value = effect_html(playthrough, lang)
        self.chart._params = {SCORES_PARAM: scores_values(playthrough.scores)}
        if not focus:
            # drawn (again) from its spec: a path from the address must be in it (a choice
            # only moves the parameter: no new drawing, the page keeps its place)
            self.chart.spec = scores_spec(case.scores, lang, playthrough.scores)
        self.chart_text.value = summary_html(scores_sentence(playthrough, lang))
        self.end.value = (
            end_html(playthrough, case, self.model, lang, self.serial)
            if playthrough.finished
            else ""
        )
        self.end.layout.display = None if playthrough.finished else "none"
        # at the end, "Step back" and "Start again" come right after the end screen that names
        # them: the next Tab from its heading (the focus), not somewhere far above
        ended = playthrough.finished
        self.left.children = (
            (self.transcript, self.current, self.responses)
            if ended
            else (self.transcript, self.current, self.responses, self.controls)
        )
        self.end_area.children = (self.end, self.controls) if ended else (self.end,)
        if focus:
            self.announcer.focus = (
                f"#igm-conv-end-heading-{self.serial}"
                if playthrough.finished
                else f"button.{marker}"
            )
            self.announcer.serial = self.serial
        self.address.query = conversation_query(
            page_query(), lang, self.playthrough.conversation.id, playthrough.response_ids
        )


def app(conversation_id: str | None = None, lang: str | None = None) -> w.VBox:
    """The simulator for a Voila app; language from ``?lang=``, scenario from
    ``?conversation=`` and the path played so far from ``?path=`` unless given.

    Built before the request is known (a preheated kernel), then the folders are read again
    once the request is there, as the explorer does.
    """
    view = ConversationView(conversation_id, DEFAULT_LANGUAGE)
    chosen = lang or language_from_query()
    view.refresh(lang=chosen, conversation_id=conversation_id or conversation_from_query())
    view.apply_address(page_query())
    return view.widget
