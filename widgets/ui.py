"""Shared pieces of the igm-kit widgets: language, number formats, readouts, notice, styles.

Only presentation lives here; every number shown comes from the :mod:`igm` engine.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import ipywidgets as w
from markupsafe import Markup

from igm.cases import Case, CaseScan, Problem, scan_cases
from igm.i18n import DEFAULT_LANGUAGE, LANGUAGES, fmt_number, t
from igm.model import Model, Prediction, model_for
from igm.report import bottleneck_sentence, fmt_percent, fmt_points
from widgets.templates import render, text_html

__all__ = [
    "CSS",
    "CaseChoice",
    "CaseFolderApp",
    "bottleneck_html",
    "case_from_query",
    "case_notes",
    "chart_pair",
    "chart_summary",
    "choose_case",
    "fmt_number",
    "fmt_percent",
    "fmt_points",
    "language_from_query",
    "language_switch",
    "lever_labels_fit",
    "no_case_message",
    "no_case_page",
    "notice",
    "prediction_readouts",
    "problem_line",
    "read_cases",
    "readout_html",
    "skipped_cases_html",
    "style_widget",
    "summary_html",
    "wait_for_request",
]


_REQUEST_SEEN = False


def wait_for_request(timeout: float = 5.0) -> None:
    """In a preheated Voila kernel: wait until a page takes this kernel, then put the page
    request's variables (``QUERY_STRING``, …) in ``os.environ``.

    What ``voila.utils.wait_for_request`` does (ask Voila's ``voila/query/<kernel id>``
    websocket, from the same environment variables), without importing ``voila.utils``:
    that module imports jupyter_server, jupyterlab_server, nbconvert and jsonschema, about
    40 MiB in every kernel of the pool. ``timeout`` bounds the connection, not the wait.
    """
    if os.environ.get("VOILA_PREHEAT", "False") == "False":
        return
    import asyncio
    import json
    import threading
    import warnings

    from tornado.websocket import websocket_connect

    env = os.environ
    base = env.get("VOILA_WS_BASE_URL", env.get("VOILA_SERVER_URL", "/"))
    url = (
        f"{env.get('VOILA_WS_PROTOCOL', 'ws')}://{env.get('VOILA_APP_IP', '127.0.0.1')}:"
        f"{env.get('VOILA_APP_PORT', '8866')}{base}voila/query/{env.get('VOILA_KERNEL_ID')}"
    )
    answer: list[str] = []

    async def ask() -> None:
        connection = await asyncio.wait_for(websocket_connect(url), timeout)
        message = await connection.read_message()
        connection.close()
        if isinstance(message, str):
            answer.append(message)

    def run() -> None:  # the kernel's own event loop is busy running this cell
        try:
            asyncio.run(ask())
        except Exception as exc:  # like Voila: go on without the request (the app is then Dutch)
            warnings.warn(f"Failed to connect to {url}: {exc}", stacklevel=3)

    thread = threading.Thread(target=run, name="igm-wait-for-request")
    thread.start()
    thread.join()
    for key, value in (json.loads(answer[0]) if answer else {}).items():
        os.environ[key] = str(value)


def _query_value(name: str, query: str | None) -> str | None:
    """The first value of ``name`` in ``query`` (default: the page request's query string).

    Voila hands the page's query string to the kernel as the env var ``QUERY_STRING``.
    """
    global _REQUEST_SEEN
    if query is None and not _REQUEST_SEEN and os.environ.get("VOILA_PREHEAT") == "True":
        # A preheated kernel runs the notebook before the page is asked for: wait for the
        # request once; Voila then puts its query string in the environment.
        wait_for_request()
        _REQUEST_SEEN = True
    raw = os.environ.get("QUERY_STRING", "") if query is None else query
    values = parse_qs(raw.lstrip("?")).get(name, [])
    return values[0].strip() if values else None


def language_from_query(query: str | None = None) -> str:
    """The language asked for in a page's query string (``?lang=en``); Dutch by default."""
    lang = (_query_value("lang", query) or DEFAULT_LANGUAGE).lower()
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


#: Longest case id taken from a query string (ids are short; the rest is someone's typing).
CASE_ID_CHARS = 80


def case_from_query(query: str | None = None) -> str | None:
    """The case asked for in a page's query string (``?case=marja-bijstand``), or ``None``.

    The id is as asked (cut to :data:`CASE_ID_CHARS`): :func:`choose_case` checks it against
    the valid cases, and shows the first one with a notice when it is not one of them. The
    notice escapes it, like every string that reaches a page.
    """
    case_id = _query_value("case", query)
    return case_id[:CASE_ID_CHARS] if case_id else None


def readout_html(label: str, value_text: str, raw: float, detail: str = "") -> str:
    """The inner HTML of a live readout: label, value (with ``data-value``) and detail."""
    return render("readout.html", label=label, value_text=value_text, raw=repr(raw), detail=detail)


class CaseFolderApp:
    """What the explorer and the planner share: the cases folder as it is, and a case shown.

    Subclasses set ``lang`` and ``_wanted`` and implement ``_build_fresh`` (build the widget for
    a newly chosen case) and ``set_language``; they may extend ``_take``.
    """

    lang: str
    choice: CaseChoice
    cases: Mapping[str, Case]
    case: Case | None
    model: Model
    _wanted: str | None

    def _take(self, choice: CaseChoice) -> None:
        """Hold ``choice``: the Case objects as read now. Switching cases never reads a file
        again, so a file that breaks while the app is open cannot break the app."""
        self.choice = choice
        self.cases = choice.cases
        self.case = choice.case
        if self.case is not None:
            self.model = model_for(self.case.domain)

    def _build_fresh(self) -> None:
        raise NotImplementedError

    def set_language(self, lang: str) -> None:
        raise NotImplementedError

    def set_case(self, case_id: str) -> None:
        """Show another case, from the cases as read (never a file read again)."""
        self._wanted = case_id
        self._take(CaseChoice(self.choice.scan, self.cases[case_id]))
        self._build_fresh()

    def refresh(
        self, scan: CaseScan | None = None, lang: str | None = None, case_id: str | None = None
    ) -> bool:
        """Take the cases folder as it is now (``scan``, default: read it), ``lang`` and the
        case ``case_id`` (default: the one shown; a page's ``?case=``).

        Rebuilds only when a case was added, changed, fixed or broken, another case is asked
        for, or the language changed; returns whether it rebuilt. The case shown stays when it
        is still valid (in its new version); otherwise the first valid case, with a notice.
        """
        scan = read_cases() if scan is None else scan
        lang = lang or self.lang
        self._wanted = case_id or self._wanted
        choice = choose_case(scan, self._wanted)
        if choice == self.choice:
            if lang == self.lang:
                return False
            self.set_language(lang)
            return True
        self.lang = lang
        self._take(choice)
        self._build_fresh()
        return True


def no_case_page(
    lang: str, switch: w.Widget, intro: w.Widget, notes: list[w.Widget]
) -> list[w.Widget]:
    """An app's children when no case file is valid: the message instead of a case."""
    return [
        style_widget(lang),
        w.HBox([switch]),
        notice(lang),
        intro,
        no_case_message(lang),
        *notes,
    ]


def prediction_readouts(p: Prediction, lang: str, behaviour_note: str = "") -> dict[str, str]:
    """The inner HTML of the intention, ability and behaviour readouts of one prediction.

    ``behaviour_note`` follows the behaviour's 80% interval.
    """
    low, high = p.behaviour_interval
    interval = t(
        "ui.interval_value", lang, low=fmt_percent(low, lang), high=fmt_percent(high, lang)
    )
    out_of_100 = t("ui.out_of_100", lang)
    return {
        "intention": readout_html(
            t("output.intention", lang), fmt_number(p.intention, lang, 0), p.intention, out_of_100
        ),
        "ability": readout_html(
            t("output.ability", lang), fmt_number(p.ability, lang, 0), p.ability, out_of_100
        ),
        "behaviour": readout_html(
            t("output.behaviour", lang),
            fmt_percent(p.behaviour_probability, lang),
            p.behaviour_probability,
            interval + (f" · {behaviour_note}" if behaviour_note else ""),
        ),
    }


def bottleneck_html(p: Prediction, lang: str, lead: str = "") -> str:
    """The knelpunt in full (:func:`igm.report.bottleneck_sentence`: which one and how sure, or
    why there is none and that combining steps is the advice) as a paragraph; ``lead`` (e.g.
    "Na het plan") goes before it in bold."""
    sentence = bottleneck_sentence(p, lang)
    return render("bottleneck.html", lead=lead, sentence=sentence)


#: Width (px) a lever chart gives its labels: capacity's lever name is long ("Mentale en fysieke
#: belastbaarheid (werk en belasting aanpassen)") and must not be cut to "… (werk en…".
LEVER_LABEL_LIMIT = 420


def lever_labels_fit(spec: dict[str, Any]) -> dict[str, Any]:
    """A determinant bar chart (:func:`widgets.theme.determinant_gain_chart`) whose bars are
    named by :func:`igm.report.lever_name`, with its y labels shown in full."""
    y = spec["encoding"]["y"]
    y["axis"] = {**y.get("axis", {}), "labelLimit": LEVER_LABEL_LIMIT}
    return spec


def summary_html(text: str) -> str:
    """The HTML of a chart's sentence (the value of a :func:`chart_summary` widget)."""
    return text_html("p", text, cls="igm-summary")


def chart_summary(text: str) -> w.HTML:
    """The one sentence beside a chart that says in words what it shows."""
    widget = w.HTML(value=summary_html(text))
    widget.add_class("igm-chart-summary")
    return widget


def chart_pair(*boxes: w.Widget) -> w.HBox:
    """Charts side by side on a wide screen, one under the other on a phone (each box at least
    24em wide, never wider than the page; see ``.igm-chart-pair`` in :data:`CSS`)."""
    pair = w.HBox(list(boxes))
    pair.add_class("igm-chart-pair")
    return pair


def notice(lang: str) -> w.HTML:
    """The notice that the model is illustrative (always shown) and that cases are fictional."""
    widget = w.HTML(value=render("notice.html", lang=lang))
    widget.add_class("igm-notice")
    return widget


def case_picker(
    cases: Iterable[Case], current: str, lang: str, on_change: Callable[[str], None]
) -> w.Dropdown:
    """The dropdown that picks a case by its title; calls ``on_change(case_id)``."""
    picker = w.Dropdown(
        options=[(c.title(lang), c.id) for c in cases],
        value=current,
        description=t("ui.case", lang),
        layout=w.Layout(width="min(100%, 44em)"),
        style={"description_width": "5em"},
    )
    picker.add_class("igm-case-picker")
    picker.observe(lambda ch: on_change(str(ch["new"])), names="value")
    return picker


#: Longest problem line shown under a case picker (a hostile file may hold very long text).
PROBLEM_CHARS = 300


def read_cases() -> CaseScan:
    """The cases folder as it is now: valid cases, and why other files were skipped.

    Never raises: an app that cannot read the folder at all shows "no usable case" instead of
    a traceback.
    """
    try:
        return scan_cases()
    except OSError:
        return CaseScan((), ())


@dataclass(frozen=True)
class CaseChoice:
    """The cases an app offers and the one it shows (``None``: there is no valid case).

    ``unavailable`` is the id that was asked for but is not a valid case now (the app then
    shows the first valid case, with a notice).
    """

    scan: CaseScan
    case: Case | None
    unavailable: str | None = None

    @property
    def cases(self) -> dict[str, Case]:
        return {c.id: c for c in self.scan.cases}


def choose_case(scan: CaseScan, wanted: str | None) -> CaseChoice:
    """``wanted`` when it is a valid case, else the first valid case (or none at all)."""
    cases = {c.id: c for c in scan.cases}
    if wanted in cases:
        return CaseChoice(scan, cases[wanted])
    first = next(iter(cases.values()), None)
    return CaseChoice(scan, first, wanted if wanted else None)


def problem_line(problems: list[Problem], lang: str) -> str:
    """``file.yaml:12: scores.attitude.score: message`` for a file's first problem.

    Only the file name: the page may be seen by learners, who need no server paths.
    """
    first = problems[0]
    where = Path(first.file).name + (f":{first.line}" if first.line else "")
    field = f"{first.field}: " if first.field else ""
    line = f"{where}: {field}{first.message(lang)}"
    if len(line) > PROBLEM_CHARS:
        line = line[: PROBLEM_CHARS - 1] + "…"
    if len(problems) > 1:
        line += t("case.skipped.more", lang, count=len(problems) - 1)
    return line


def skipped_cases_html(scan: CaseScan, lang: str) -> str:
    """The note under a case picker about skipped case files ("" when none was skipped)."""
    files = scan.skipped_files()
    if not files:
        return ""
    by_file: Mapping[str, list[Problem]] = {
        f: [p for p in scan.problems if p.file == f] for f in files
    }
    heading = (
        t("case.skipped.heading.one", lang)
        if len(files) == 1
        else t("case.skipped.heading.many", lang, count=len(files))
    )
    lines = [problem_line(problems, lang) for problems in by_file.values()]
    return render(
        "skipped_files.html", heading=heading, lines=lines, hint=t("case.skipped.hint", lang)
    )


def case_notes(choice: CaseChoice, lang: str) -> list[w.Widget]:
    """What goes under the case picker: the case asked for is not available, files skipped."""
    notes: list[w.Widget] = []
    if choice.unavailable and choice.case is not None:
        text = t("case.skipped.fallback", lang, case=choice.unavailable)
        fallback = w.HTML(text_html("p", text, cls="igm-case-fallback", role="note"))
        fallback.add_class("igm-case-note")
        notes.append(fallback)
    if skipped := skipped_cases_html(choice.scan, lang):
        note = w.HTML(skipped)
        note.add_class("igm-case-note")
        notes.append(note)
    return notes


def no_case_message(lang: str) -> w.HTML:
    """Shown instead of an app when the cases folder holds no valid case."""
    widget = w.HTML(text_html("p", t("case.skipped.none", lang), cls="igm-no-case", role="status"))
    widget.add_class("igm-no-case")
    return widget


def language_switch(lang: str, on_change: Callable[[str], None]) -> w.ToggleButtons:
    """The language switch, each language by its own name; calls ``on_change(lang)`` when the
    reader picks another language."""
    switch = w.ToggleButtons(
        options=[(t("ui.language.own_name", code), code) for code in LANGUAGES],
        value=lang,
        description=t("ui.language", lang),
        tooltips=[t("ui.language.own_name", code) for code in LANGUAGES],
        style={"button_width": "7em"},
    )
    switch.add_class("igm-language-switch")

    def changed(change: dict[str, object]) -> None:
        new = str(change["new"])
        if new in LANGUAGES:
            on_change(new)

    switch.observe(changed, names="value")
    return switch


def style_widget(lang: str = DEFAULT_LANGUAGE) -> w.HTML:
    """A style element with the kit's widget CSS (system fonts, contrast, slider marks).

    It also hides the app notebook's narrative in the other language (``.igm-md-<lang>``).
    """
    hidden = [f".igm-md-{other}" for other in LANGUAGES if other != lang]
    # Markup: CSS is this module's own constant (a <style> element's text is not HTML, so
    # escaping would break its quotes); no outside text goes into it.
    return w.HTML(
        value=render("style.html", css=Markup(CSS), hidden=hidden),
        layout=w.Layout(display="none"),
    )


CSS = """
.igm-app { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: #1f1f1f; max-width: 1200px; }
.igm-app h2 { font-size: 1.35rem; margin: 0.6em 0 0.3em; }
.igm-app h3 { font-size: 1.1rem; margin: 0.8em 0 0.3em; }
.igm-app p { line-height: 1.45; }
.igm-notice { border-left: 4px solid #E69F00; background: #fff8e5; padding: 0 0.8em;
  margin: 0.5em 0; }
.igm-narrative { max-width: 70ch; }
.igm-case-skipped { border-left: 4px solid #bdbdbd; padding: 0 0.8em; margin: 0.3em 0;
  font-size: 0.92em; color: #3d3d3d; max-width: 70ch; }
.igm-case-skipped p, .igm-case-fallback { margin: 0.3em 0; }
.igm-case-skipped ul { margin: 0.2em 0; padding-left: 1.2em; }
.igm-case-skipped code { white-space: pre-wrap; overflow-wrap: anywhere; line-height: 1.4; }
.igm-no-case { border-left: 4px solid #E69F00; padding: 0.4em 0.8em; font-weight: 600; }
.igm-narrative details summary { cursor: pointer; font-weight: 600; }
.igm-block-willen { border-top: 4px solid #0072B2; padding-top: 0.3em; }
.igm-block-kunnen { border-top: 4px solid #D55E00; padding-top: 0.3em; }
.igm-block-title { font-weight: 700; margin: 0.2em 0; }
.igm-block-desc { color: #3d3d3d; font-size: 0.92em; margin: 0 0 0.4em; max-width: 60ch; }
.igm-columns { flex-wrap: wrap; gap: 0 2em; align-items: flex-start; overflow: visible !important; }
.igm-column { flex: 1 1 36em; max-width: 42em; overflow: visible !important; }
.igm-readouts { gap: 0.6em; flex-wrap: wrap; }
.igm-readout { border: 1px solid #bdbdbd; border-radius: 6px; padding: 0.4em 0.8em;
  min-width: 9em; flex: 1 1 9em; background: #fafafa; }
.igm-readout .igm-readout-label { display: block; font-size: 0.9em; color: #3d3d3d; }
.igm-readout .igm-readout-value { display: block; font-size: 1.6em; font-weight: 700;
  color: #1f1f1f; }
.igm-readout .igm-readout-detail { display: block; font-size: 0.85em; color: #3d3d3d;
  line-height: 1.35; }
.igm-readout .igm-readout-label { line-height: 1.35; }
.igm-chart-summary p { font-size: 0.95em; color: #1f1f1f; margin: 0.2em 0 0.6em;
  max-width: 60ch; }
.igm-export { flex-direction: column; align-items: flex-start; }
.igm-export .widget-label { width: auto !important; max-width: 100%; font-weight: 600;
  margin-bottom: 0.3em; white-space: normal; height: auto; line-height: 1.35; }
.igm-export textarea { font-family: ui-monospace, "DejaVu Sans Mono", monospace;
  font-size: 0.9em; }
.igm-app .widget-label, .igm-app .widget-label-basic { color: #1f1f1f; }
.igm-app button.jupyter-button { color: #1f1f1f; background: #eeeeee; }
.igm-app button.jupyter-button.mod-active, .igm-app .widget-toggle-button.mod-active {
  background: #0072B2; color: #ffffff; }
.igm-app .jupyter-button:focus-visible,
.igm-app select:focus-visible, .igm-app input:focus-visible {
  outline: 3px solid #E69F00; outline-offset: 2px; }
/* Phones (390 px) to projectors (1366 px): nothing is wider than the page. A flex item may
   shrink below its content (min-width: 0); a chart takes its container's width. */
.igm-app { max-width: min(1200px, 100%); box-sizing: border-box; overflow-wrap: break-word; }
.igm-app .widget-box, .igm-app .widget-inline-hbox, .igm-app .widget-html,
.igm-app .widget-html-content { min-width: 0; max-width: 100%; }
.igm-columns > .igm-column { flex: 1 1 min(36em, 100%); min-width: 0; }
.igm-app .vega-embed { display: block; width: 100%; max-width: 100%; }
.igm-chart-pair { flex-flow: row wrap; gap: 0 2em; }
.igm-chart-pair > * { flex: 1 1 min(24em, 100%); min-width: 0; }
.igm-app .vega-embed.igm-chart-square { max-width: 36em; }
.igm-app svg { max-width: 100%; height: auto; }
/* Controls a finger can hit (44 px, WCAG 2.5.5) that show their whole value. */
.igm-app .widget-dropdown { height: auto; min-height: 44px; flex-wrap: wrap; row-gap: 0.2em; }
.igm-app .widget-dropdown > .widget-label { line-height: 1.3; height: auto; align-self: center;
  white-space: normal; }
.igm-app .widget-dropdown > select { height: auto; min-height: 44px; flex: 1 1 12em;
  min-width: 0; max-width: 100%; white-space: normal; font-size: 1rem; line-height: 1.3;
  padding: 0.35em 0.5em; }
.igm-app button.jupyter-button, .igm-app .widget-toggle-button { height: auto;
  min-height: 44px; white-space: normal; }
.igm-app .widget-toggle-buttons { height: auto; flex-wrap: wrap; row-gap: 0.3em; }
.igm-app .widget-toggle-buttons .widget-label { line-height: 44px; height: auto; }
.igm-app .widget-checkbox { height: auto; min-height: 44px; }
.igm-app .widget-checkbox > label { display: flex; align-items: center; gap: 0.6em;
  min-height: 44px; height: auto; line-height: 1.3; white-space: normal; cursor: pointer; }
.igm-app .widget-checkbox input[type="checkbox"] { width: 22px; height: 22px; margin: 0;
  flex: 0 0 auto; }
.igm-app .widget-text input, .igm-app .widget-password input { min-height: 44px; height: auto;
  font-size: 1rem; }
.igm-app .widget-text, .igm-app .widget-password { height: auto; }
"""
