"""The class roster in the trainer dashboard, and the code sheet a trainer prints.

The trainer imports a class list (CSV: a name and a learner number per row); each learner gets
a personal code (:mod:`gradebook.codes`), shown once as a printable code sheet
(:func:`code_sheet_html`: one slip per learner with name, number, code and the exercises'
address) and as CSV (:func:`code_sheet_csv`), because the gradebook keeps only hashes. The
dashboard's "Klas" section (:class:`ClassSection`) lists every class's learners with whether
they have a code and have signed in, resets a lost code, and makes codes for learners without
one. ``igm class import|codes|reset`` (:mod:`exercises.roster_cli`) does the same from a shell.

Names and numbers are hostile text: HTML comes from autoescaping templates, CSV cells that
could start a formula are neutralised (:func:`gradebook.export.neutralise`).

Stable CSS hooks for tests: ``igm-class``, ``igm-class-name``, ``igm-class-file``,
``igm-class-import``, ``igm-class-issue``, ``igm-class-reset-number``, ``igm-class-reset``,
``igm-class-result``, ``igm-roster``.
"""

from __future__ import annotations

import base64
import csv
import io
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as w

from exercises.form import render
from gradebook import Gradebook, GradebookError, IssuedCode, RosterEntry, parse_roster_csv
from gradebook.export import neutralise
from igm.i18n import t
from widgets.templates import text_html

__all__ = ["ClassSection", "code_sheet_csv", "code_sheet_html", "roster_rows"]


def code_sheet_html(issued: Sequence[IssuedCode], lang: str, address: str = "") -> str:
    """A printable HTML page: one slip per learner (name, number, code, the address)."""
    classes = sorted({code.class_name for code in issued})
    return render(
        "code_sheet.html",
        lang=lang,
        class_name=", ".join(classes),
        slips=list(issued),
        address=address.strip(),
    )


def code_sheet_csv(issued: Sequence[IssuedCode], lang: str) -> str:
    """The codes as CSV (class, number, name, code), for a mail merge; formula cells neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [
            t("dashboard.class.col.class", lang),
            t("code_sheet.number", lang),
            t("dashboard.col.name", lang),
            t("code_sheet.code", lang),
        ]
    )
    for code in issued:
        writer.writerow(
            [neutralise(cell) for cell in (code.class_name, code.number, code.name, code.code)]
        )
    return buffer.getvalue()


def roster_rows(entries: Sequence[RosterEntry], lang: str) -> list[dict[str, str]]:
    """The roster as the dashboard's table shows it."""
    return [
        {
            "class_name": entry.class_name,
            "number": entry.number,
            "name": entry.name,
            "code": t(
                "dashboard.class.has_code" if entry.has_code else "dashboard.class.no_code", lang
            ),
            "signed_in": (
                entry.last_signed_in_at.strftime("%Y-%m-%d %H:%M")
                if entry.last_signed_in_at is not None
                else t("dashboard.class.not_yet", lang)
            ),
        }
        for entry in entries
    ]


def _link(text: str, filename: str, mime: str, label: str) -> dict[str, str]:
    """A download for ``code_sheet_links.html``: the file travels in the link as a data URL."""
    data = base64.b64encode(text.encode("utf-8")).decode("ascii")
    stem = filename.replace(".", "-")
    return {"filename": filename, "data": data, "mime": mime, "stem": stem, "label": label}


class ClassSection:
    """The dashboard's "Klas" section (shown only after the trainer key was typed).

    ``lock``: held around every use of the gradebook, which the dashboard's refresh thread
    shares (one database session is not for two threads at once).
    """

    def __init__(self, gradebook: Gradebook, lang: str, lock: threading.Lock | None = None) -> None:
        self.gradebook = gradebook
        self.lang = lang
        self._lock = lock or threading.Lock()
        self.class_name = w.Text(
            description=t("dashboard.class.name", lang), style={"description_width": "initial"}
        )
        self.class_name.add_class("igm-class-name")
        # pasted, not uploaded: the page script draws no file-upload widget, and a paste from a
        # spreadsheet (tab-separated) or a CSV file opened in an editor both work
        self.pasted = w.Textarea(
            description=t("dashboard.class.file", lang),
            placeholder="naam;deelnemersnummer\nSam de Vries;s1234567",
            layout=w.Layout(width="auto", height="8em"),
        )
        self.pasted.add_class("igm-class-file")
        self.import_button = self._button("dashboard.class.import", "igm-class-import")
        self.import_button.on_click(self._locked(self.import_pasted))
        self.issue_button = self._button("dashboard.class.issue", "igm-class-issue")
        self.issue_button.on_click(self._locked(self.issue_missing))
        self.reset_number = w.Text(
            description=t("dashboard.class.reset_number", lang),
            placeholder="s1234567",
            style={"description_width": "initial"},
        )
        self.reset_number.add_class("igm-class-reset-number")
        self.reset_button = self._button("dashboard.class.reset", "igm-class-reset")
        self.reset_button.on_click(self._locked(lambda: self.reset(self.reset_number.value)))
        self.result = w.HTML(value="")
        self.result.add_class("igm-class-result")
        self.roster = w.HTML(value="")
        self.roster.add_class("igm-roster-box")
        #: The exercises' address printed on each slip (``IGM_PUBLIC_URL`` when set).
        self.address = os.environ.get("IGM_PUBLIC_URL", "").strip()
        self.widget = w.VBox(
            [
                w.HTML(
                    value=render(
                        "heading.html",
                        heading=t("dashboard.class.heading", lang),
                        note=t("dashboard.class.intro", lang),
                    )
                ),
                self.class_name,
                self.pasted,
                self.import_button,
                self.result,
                self.roster,
                w.HBox([self.reset_number, self.reset_button]),
                self.issue_button,
            ]
        )
        self.widget.add_class("igm-class")

    def _locked(self, action: Callable[[], object]) -> Callable[[Any], None]:
        """A button handler that runs ``action`` holding the gradebook lock."""

        def handler(_button: Any) -> None:
            with self._lock:
                action()

        return handler

    def _button(self, key: str, css_class: str) -> Any:
        button = w.Button(description=t(key, self.lang), layout=w.Layout(width="max-content"))
        button.add_class(css_class)
        return button

    # actions ------------------------------------------------------------------------------
    def import_pasted(self) -> bool:
        """Import the pasted class list into the class named in the field."""
        if not self.pasted.value.strip() or not self.class_name.value.strip():
            self._say(t("dashboard.class.no_file", self.lang))
            return False
        ok = self.import_csv(self.pasted.value.encode("utf-8"), self.class_name.value)
        if ok:
            self.pasted.value = ""
        return ok

    def import_csv(self, data: bytes, class_name: str) -> bool:
        """Import a class list; show the new codes once (``False``: nothing imported)."""
        lang = self.lang
        try:
            result = self.gradebook.import_roster(class_name, parse_roster_csv(data))
        except GradebookError as err:
            self._say(err.message(lang))
            return False
        heading = t(
            "dashboard.class.imported",
            lang,
            name=result.class_name,
            issued=len(result.issued),
            already=len(result.already),
        )
        kept = [
            t("dashboard.class.kept_name", lang, number=number, stored=stored, roster=roster)
            for number, stored, roster in result.kept_names
        ]
        self._show_codes(heading, result.issued, kept)
        self.draw()
        return True

    def issue_missing(self) -> list[IssuedCode]:
        """Codes for every learner in a class who has none yet."""
        issued = self.gradebook.issue_codes()
        if not issued:
            self.result.value = text_html(
                "p", t("dashboard.class.none_missing", self.lang), role="status"
            )
        else:
            self._show_codes(t("dashboard.class.issue", self.lang), issued, [])
        self.draw()
        return issued

    def reset(self, number: str) -> IssuedCode | None:
        """A new code for a learner who lost theirs; the old one stops working."""
        try:
            issued = self.gradebook.reset_code(number)
        except GradebookError as err:
            self._say(err.message(self.lang))
            return None
        line = t(
            "dashboard.class.reset_done",
            self.lang,
            name=issued.name,
            number=issued.number,
            code=issued.code,
        )
        self._show_codes(line, [issued], [])
        self.reset_number.value = ""
        self.draw()
        return issued

    def draw(self) -> None:
        """Draw the roster again (the caller holds the gradebook lock)."""
        entries = self.gradebook.roster()
        if not entries:
            self.roster.value = text_html("p", t("dashboard.class.empty", self.lang))
            return
        self.roster.value = render(
            "class_roster.html", rows=roster_rows(entries, self.lang), lang=self.lang
        )

    # output -------------------------------------------------------------------------------
    def _say(self, text: str) -> None:
        self.result.value = "".join(
            text_html("p", line, role="alert" if i == 0 else "")
            for i, line in enumerate(text.split("\n"))
        )

    def _show_codes(self, heading: str, issued: Sequence[IssuedCode], lines: list[str]) -> None:
        lang = self.lang
        stem = "igm-codes"
        links = [
            _link(
                code_sheet_html(issued, lang, self.address),
                f"{stem}.html",
                "text/html",
                t("dashboard.class.sheet_html", lang),
            ),
            _link(
                code_sheet_csv(issued, lang),
                f"{stem}.csv",
                "text/csv",
                t("dashboard.class.sheet_csv", lang),
            ),
        ]
        self.result.value = render(
            "code_sheet_links.html", heading=heading, lines=lines, links=links, lang=lang
        )
