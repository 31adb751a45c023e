"""The trainer dashboard: who did what, score distributions, item analysis, CSV exports.

Behind a trainer token: ``IGM_TRAINER_TOKEN`` in the kernel's environment (``igm serve`` sets
it). Without a token the dashboard refuses and shows nothing; with one, the trainer types it
in a password field (:func:`widgets.trainer_gate.token_matches`) before any learner data is
read. Names and answers are always shown as text: the HTML comes from the package's Jinja2
templates (``exercises/templates/``), which escape every value. Counting per exercise uses
the exercise's retry policy (best or last attempt).

Attempts on a retired exercise (:data:`exercises.catalog.RETIRED`) are counted in a line
below the overview, named as retired in the latest attempts and kept in both exports.

The "Klas" section (:class:`exercises.roster.ClassSection`) imports a class list, shows each
learner's sign-in state, makes personal codes and resets a lost one.

Stable CSS hooks for tests: ``igm-dashboard``, ``igm-token``, ``igm-overview``, ``igm-retired``,
``igm-exercise-<id>``, ``igm-items``, ``igm-export``, ``igm-updated``, ``igm-class``.
"""

from __future__ import annotations

import base64
import datetime as dt
import statistics
import threading
from collections import Counter
from collections.abc import Mapping
from typing import Any

import ipywidgets as w

from exercises import EXERCISE_IDS, get_exercise
from exercises._base import item_label, points_text
from exercises._texts import exercise_meta
from exercises.app import CSS as EXERCISE_CSS
from exercises.app import style_html
from exercises.catalog import RETIRED
from exercises.form import render
from exercises.grades import counting_attempts, grade_sheet
from exercises.roster import ClassSection
from exercises.settings import SettingsError, quiz_settings, trainer_line
from gradebook import Attempt, Gradebook, open_gradebook
from gradebook.export import attempts_csv
from igm import DETERMINANTS
from igm.i18n import t
from widgets import theme
from widgets.offline import jupyter_chart
from widgets.templates import text_html
from widgets.trainer_gate import check_key, trainer_token
from widgets.ui import chart_summary, language_from_query, notice, style_widget, summary_html

__all__ = ["REFRESH_SECONDS", "Dashboard", "app", "distribution_spec", "item_analysis"]

#: Auto-refresh interval during a session.
REFRESH_SECONDS = 5
BINS = [(i * 10, i * 10 + 10) for i in range(10)]

CSS = """
.igm-dashboard .igm-table td, .igm-dashboard .igm-table th { font-size: 0.92em; }
.igm-export a { display: inline-block; margin: 0.3em 0.8em 0.3em 0; padding: 0.4em 0.9em;
  background: #0072B2; color: #ffffff; border-radius: 4px; text-decoration: none;
  font-weight: 600; }
.igm-export a:focus-visible { outline: 3px solid #E69F00; outline-offset: 2px; }
.igm-chart-row { gap: 1em; align-items: center; flex-wrap: wrap; }
/* wide tables scroll in their own box (keyboard-reachable), never the page: phones */
.igm-dashboard .igm-table-scroll { overflow-x: auto; max-width: 100%; }
.igm-dashboard .igm-table { line-height: 1.4; }
.igm-dashboard .igm-table th[scope="col"] { min-width: 7em; }
.igm-dashboard .igm-table-scroll:focus-visible { outline: 3px solid #E69F00; }
.igm-dashboard .igm-refresh, .igm-dashboard .widget-checkbox,
.igm-dashboard .widget-checkbox label { min-height: 44px; }
.igm-dashboard .widget-checkbox input[type="checkbox"] { width: 24px; height: 24px; }
.igm-dashboard .widget-hbox { flex-wrap: wrap; gap: 0.5em; }
/* the Klas section (exercises/roster.py): the paste box's label above it, downloads as buttons */
.igm-class .widget-textarea { flex-direction: column; align-items: stretch; height: auto; }
.igm-class .widget-textarea > .widget-label { width: auto !important; max-width: 100%;
  white-space: normal !important; overflow: visible; height: auto; line-height: 1.35; }
.igm-class textarea { font-family: ui-monospace, monospace; font-size: 0.95rem;
  width: 100%; box-sizing: border-box; }
.igm-class-result a { display: inline-block; margin: 0.3em 0.8em 0.3em 0; padding: 0.4em 0.9em;
  background: #0072B2; color: #ffffff; border-radius: 4px; text-decoration: none;
  font-weight: 600; min-height: 44px; box-sizing: border-box; line-height: 1.9; }
.igm-class-result a:focus-visible { outline: 3px solid #E69F00; outline-offset: 2px; }
.igm-class .jupyter-button { min-height: 44px; height: auto; white-space: normal; }
.igm-class .widget-text input { min-height: 44px; font-size: 1rem; }
"""


def _exercise_name(exercise_id: str, lang: str) -> str:
    """An exercise as the trainer reads it: its title; a retired one marked, with the title
    of the exercise that replaced it; any other id as stored."""
    if exercise_id in EXERCISE_IDS:
        return get_exercise(exercise_id).title(lang)
    if exercise_id in RETIRED:
        replacement = RETIRED[exercise_id].replaced_by
        try:
            title = exercise_meta(replacement).title(lang)
        except KeyError:
            title = replacement
        return t("dashboard.retired.exercise", lang, exercise=exercise_id, replacement=title)
    return exercise_id


def _settings_line(exercise_id: str, lang: str) -> str:
    """The exercise's quiz settings in one line; a broken settings file is named here (the
    learner's page only says to ask the trainer)."""
    try:
        return trainer_line(quiz_settings(exercise_id), lang)
    except SettingsError as err:
        return str(err)


def _item_order(item: str) -> tuple[int, int, str]:
    if item in DETERMINANTS:
        return (0, DETERMINANTS.index(item), item)
    if item[:1] == "q" and item[1:].isdigit():
        return (1, int(item[1:]), item)
    return (2, 0, item)


def _answer_text(value: Any, lang: str) -> str:
    """A stored answer as a trainer reads it (determinant names instead of keys)."""
    if isinstance(value, Mapping):
        return _answer_text(value.get("intervention"), lang)
    if isinstance(value, list):
        return ", ".join(_answer_text(v, lang) for v in value) or t("dashboard.items.nothing", lang)
    if isinstance(value, str) and value in DETERMINANTS:
        return t(f"determinant.{value}.name", lang)
    if value is None:
        return t("dashboard.items.nothing", lang)
    return str(value)


def item_analysis(attempts: list[Attempt], exercise_id: str, lang: str) -> list[dict[str, Any]]:
    """Per item: share with full points and the most chosen wrong answer (counting attempts)."""
    items: set[str] = set()
    for a in attempts:
        items.update(a.item_scores)
    rows = []
    for item in sorted(items, key=_item_order):
        scored = [a for a in attempts if item in a.item_scores]
        full = [
            a
            for a in scored
            if a.item_scores[item] >= a.max_points / max(1, len(a.item_scores)) - 1e-9
        ]
        wrong = Counter(
            _answer_text(a.answers.get(item) if isinstance(a.answers, Mapping) else None, lang)
            for a in scored
            if a not in full
        )
        top = wrong.most_common(1)
        rows.append(
            {
                "item": item,
                "label": item_label(item, lang)[:1].upper() + item_label(item, lang)[1:],
                "n": len(scored),
                "correct": len(full) / len(scored) if scored else 0.0,
                "wrong": f"{top[0][0]} ({top[0][1]}×)" if top else "—",
            }
        )
    return rows


def distribution_spec(scores: list[float], title: str, lang: str) -> dict[str, Any]:
    """Vega-Lite bar chart: number of learners per 10%-band of the counting score."""
    import altair as alt

    theme.enable()
    labels = [f"{lo}–{hi}" for lo, hi in BINS]
    counts = [0] * len(BINS)
    for score in scores:
        counts[min(int(score * 100) // 10, len(BINS) - 1)] += 1
    rows = [{"band": b, "count": c} for b, c in zip(labels, counts, strict=True)]
    top = max(1, *counts)
    step = max(1, -(-top // 5))  # at most about five whole-number ticks
    chart = (
        alt.Chart(alt.InlineData(values=rows))
        .mark_bar(color=theme.OKABE_ITO["blue"])
        .encode(
            x=alt.X("band:O", sort=labels, title=t("dashboard.distribution.axis_x", lang)),
            y=alt.Y(
                "count:Q",
                title=t("dashboard.distribution.axis_y", lang),
                scale=alt.Scale(domain=[0, top]),
                axis=alt.Axis(values=list(range(0, top + 1, step)), format="d"),
            ),
            tooltip=["band:O", "count:Q"],
        )
        .properties(width=360, height=160, description=title)
    )
    spec: dict[str, Any] = chart.to_dict()
    return theme.localised(spec, lang)


def distribution_sentence(scores: list[float], lang: str) -> str:
    median = statistics.median(scores) * 100 if scores else 0.0
    return t(
        "dashboard.distribution.summary",
        lang,
        n=len(scores),
        median=points_text(round(median), lang),
        half=sum(1 for s in scores if s >= 0.5),
    )


def _download_link(text: str, filename: str, label: str) -> dict[str, str]:
    """A CSV download for ``export.html``: the file travels in the link as a data URL."""
    data = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return {"filename": filename, "data": data, "stem": filename.split(".")[0], "label": label}


class Dashboard:
    """The dashboard for one trainer session; ``token``: the expected trainer token."""

    def __init__(self, lang: str, gradebook: Gradebook | None, token: str | None) -> None:
        self.lang = lang
        self.gradebook = gradebook
        self._token = token or ""
        self._signature: tuple[Any, ...] | None = None
        self.message = w.HTML(value="")
        self.message.add_class("igm-message")
        self.body = w.VBox([])
        header = [
            style_widget(lang),
            w.HTML(value=style_html(EXERCISE_CSS + CSS)),
            notice(lang),
        ]
        if not self._token:
            self.message.value = text_html("p", t("dashboard.disabled", lang), role="alert")
            self.gate = w.VBox([])
        else:
            self.token_input = w.Password(
                description=t("dashboard.token", lang), style={"description_width": "initial"}
            )
            self.open_button = w.Button(
                description=t("dashboard.open", lang), layout=w.Layout(width="max-content")
            )
            self.open_button.add_class("igm-open")
            self.open_button.on_click(lambda _b: self.unlock(self.token_input.value))
            self.gate = w.VBox([self.token_input, self.open_button])
            self.gate.add_class("igm-token")
        self.widget = w.VBox([*header, self.gate, self.message, self.body])
        self.widget.add_class("igm-app")
        self.widget.add_class("igm-dashboard")
        self.unlocked = False
        self._lock = threading.Lock()
        self._stop = threading.Event()

    # access -------------------------------------------------------------------------------
    def unlock(self, typed: str) -> bool:
        """Open the dashboard when ``typed`` is the trainer token; nothing is read before."""
        if self.unlocked:
            return True
        check = check_key(typed, self._token)  # wrong keys in a row: a growing wait
        if not check.ok:
            text = t("dashboard.wrong_token", self.lang)
            if check.wait_seconds:
                text = t("trainer_gate.wait", self.lang, seconds=check.wait_seconds)
            self.message.value = text_html("p", text, role="alert")
            return False
        self.unlocked = True
        self.message.value = ""
        for child in self.gate.children:
            child.close()
        self.gate.children = []
        if self.gradebook is None:
            self.gradebook = open_gradebook()
        self._build()
        self.refresh(force=True)
        return True

    # layout -------------------------------------------------------------------------------
    def _build(self) -> None:
        lang = self.lang
        self.refresh_button = w.Button(
            description=t("dashboard.refresh", lang), layout=w.Layout(width="max-content")
        )
        self.refresh_button.add_class("igm-refresh")
        self.refresh_button.on_click(lambda _b: self.refresh(force=True))
        self.auto = w.Checkbox(
            value=True,
            description=t("dashboard.auto", lang, seconds=REFRESH_SECONDS),
            indent=False,
        )
        self.auto.add_class("igm-auto-refresh")
        self._start_timer()
        self.updated = w.HTML(value="")
        self.updated.add_class("igm-updated")
        self.overview = w.HTML(value="")
        self.overview.add_class("igm-overview")
        self.retired = w.HTML(value="")
        self.retired.add_class("igm-retired")
        self.recent = w.HTML(value="")
        self.recent.add_class("igm-recent")
        self.export = w.HTML(value="")
        self.export.add_class("igm-export")
        assert self.gradebook is not None
        self.class_section = ClassSection(self.gradebook, lang, self._lock)
        self.sections: dict[str, tuple[Any, w.HTML, w.HTML]] = {}
        parts: list[w.Widget] = []
        for ex_id in EXERCISE_IDS:
            chart = jupyter_chart(distribution_spec([], get_exercise(ex_id).title(lang), lang))
            summary = chart_summary("")
            items = w.HTML(value="")
            items.add_class("igm-items")
            row = w.HBox([chart, summary])
            row.add_class("igm-chart-row")
            section = w.VBox(
                [
                    w.HTML(
                        value=render(
                            "section_heading.html",
                            title=get_exercise(ex_id).title(lang),
                            policy=t(f"dashboard.policy.{get_exercise(ex_id).retry}", lang),
                            settings=_settings_line(ex_id, lang),
                        )
                    ),
                    row,
                    items,
                ]
            )
            section.add_class(f"igm-exercise-{ex_id}")
            self.sections[ex_id] = (chart, summary, items)
            parts.append(section)
        self.body.children = [
            w.HBox([self.refresh_button, self.auto]),
            self.updated,
            w.HTML(value=text_html("h2", t("dashboard.export.heading", lang))),
            self.export,
            w.HTML(
                value=render(
                    "heading.html",
                    heading=t("dashboard.overview", lang),
                    note=t("dashboard.overview.note", lang),
                )
            ),
            self.overview,
            self.retired,
            w.HTML(value=text_html("h2", t("dashboard.recent", lang))),
            self.recent,
            *parts,
            self.class_section.widget,
        ]

    def _start_timer(self) -> None:
        """Refresh every :data:`REFRESH_SECONDS` in a daemon thread while the box is ticked.

        The thread ends with the kernel (Voila stops it when the page is closed).
        """

        def loop() -> None:
            while not self._stop.wait(REFRESH_SECONDS):
                if self.auto.value:
                    try:
                        self.refresh()
                    except Exception:  # a locked or vanished database: try again next tick
                        continue

        threading.Thread(target=loop, name="igm-dashboard-refresh", daemon=True).start()

    def stop(self) -> None:
        """Stop the auto-refresh thread."""
        self._stop.set()

    # data ---------------------------------------------------------------------------------
    def refresh(self, force: bool = False) -> bool:
        """Read the gradebook again; redraw only when something changed (or ``force``)."""
        if not self.unlocked or self.gradebook is None:
            return False
        with self._lock:  # the button and the timer thread share one gradebook session
            return self._refresh(force)

    def _refresh(self, force: bool) -> bool:
        assert self.gradebook is not None
        learners = self.gradebook.learners()
        attempts = self.gradebook.attempts()
        signature = (len(learners), len(attempts), max((a.id for a in attempts), default=0))
        now = dt.datetime.now(dt.timezone.utc).strftime("%H:%M:%S")
        self.updated.value = text_html(
            "p",
            t(
                "dashboard.updated",
                self.lang,
                time=now,
                learners=len(learners),
                attempts=len(attempts),
            ),
        )
        self.class_section.draw()  # sign-ins change no attempt: drawn every time
        if signature == self._signature and not force:
            return False
        self._signature = signature
        self._draw(learners, attempts)
        return True

    def _draw(self, learners: list[Any], attempts: list[Attempt]) -> None:
        lang = self.lang
        assert self.gradebook is not None
        by_exercise: dict[str, list[Attempt]] = {}
        for a in attempts:
            by_exercise.setdefault(a.exercise_id, []).append(a)
        counting = counting_attempts(self.gradebook, sorted(by_exercise))
        tries = Counter((a.learner.learner_number, a.exercise_id) for a in attempts)
        # who did what
        if learners:
            rows = [
                {
                    "name": learner.display_name,
                    "number": learner.learner_number,
                    "cells": [
                        self._cell(
                            counting.get(ex_id, {}).get(learner.learner_number),
                            tries[(learner.learner_number, ex_id)],
                        )
                        for ex_id in EXERCISE_IDS
                    ],
                }
                for learner in learners
            ]
            titles = [get_exercise(e).title(lang) for e in EXERCISE_IDS]
            self.overview.value = render("overview.html", titles=titles, rows=rows, lang=lang)
        else:
            self.overview.value = text_html("p", t("dashboard.no_attempts", lang))
        # attempts on retired exercises: kept, counted here and exported, never dropped
        on_retired = Counter(a.exercise_id for a in attempts if a.exercise_id in RETIRED)
        if on_retired:
            counts = [
                t(
                    "dashboard.retired.count",
                    lang,
                    exercise=_exercise_name(ex_id, lang),
                    attempts=n,
                )
                for ex_id, n in sorted(on_retired.items())
            ]
            note = t("dashboard.retired.note", lang, exercises="; ".join(counts))
            self.retired.value = text_html("p", note)
        else:
            self.retired.value = ""
        # latest attempts
        latest = sorted(attempts, key=lambda a: a.id, reverse=True)[:15]
        if latest:
            recent = [
                {
                    "time": a.submitted_at.strftime("%Y-%m-%d %H:%M:%S"),
                    "name": a.learner.display_name,
                    "exercise": _exercise_name(a.exercise_id, lang),
                    "attempt": a.attempt_no,
                    "points": points_text(a.points, lang),
                    "max": points_text(a.max_points, lang),
                }
                for a in latest
            ]
            self.recent.value = render("recent.html", rows=recent, lang=lang)
        else:
            self.recent.value = text_html("p", t("dashboard.no_attempts", lang))
        # per exercise
        for ex_id, (chart, summary, items) in self.sections.items():
            chosen_attempts = list(counting.get(ex_id, {}).values())
            scores = [a.score for a in chosen_attempts]
            chart.spec = distribution_spec(scores, get_exercise(ex_id).title(lang), lang)
            summary.value = summary_html(distribution_sentence(scores, lang))
            analysis = item_analysis(chosen_attempts, ex_id, lang)
            if analysis:
                rows = [
                    {**row, "correct": points_text(round(100 * row["correct"]), lang)}
                    for row in analysis
                ]
                items.value = render("items.html", rows=rows, lang=lang)
            else:
                items.value = ""
        # exports (CSV as text; the export module neutralises formula cells)
        exported = [*EXERCISE_IDS, *sorted(on_retired)]  # retired ones with attempts too
        sheet = grade_sheet(self.gradebook, exported)
        every = attempts_csv(self.gradebook)
        links = [
            _download_link(sheet, "igm-gradebook.csv", t("dashboard.export.gradebook", lang)),
            _download_link(every, "igm-attempts.csv", t("dashboard.export.attempts", lang)),
        ]
        self.export.value = render("export.html", links=links)

    def _cell(self, counted: Attempt | None, attempts: int) -> str:
        """A learner's cell at one exercise: the counting score and how many attempts
        (empty: no attempt)."""
        if counted is None:
            return ""
        return t(
            "dashboard.cell",
            self.lang,
            points=points_text(counted.points, self.lang),
            max=points_text(counted.max_points, self.lang),
            attempts=attempts,
        )


def app(lang: str | None = None, gradebook: Gradebook | None = None) -> w.VBox:
    """The trainer dashboard for a Voila notebook; token from ``IGM_TRAINER_TOKEN``."""
    chosen = lang or language_from_query()
    return Dashboard(chosen, gradebook, trainer_token()).widget
