"""The case editor for trainers: write a new case or change one, in a form instead of YAML.

A thin layer on :mod:`igm`: the form builds the case as plain data (a dict as in a case file)
and every check is :func:`igm.cases.parse_case`, the validator ``igm validate`` uses. A
problem's field path (``scores.attitude.evidence.nl``, ``interventions[1].effects``) names the
form field whose message it is; the message shows next to that field in the reader's language
once the field was touched (all of them after a save attempt) and goes when the field is right.
The live panel is ``model_for(domain).predict(scores)``. Saving is
:func:`igm.case_writer.save_case` into :func:`igm.cases.cases_dir`, which never overwrites a
file without the trainer's yes.

Behind the trainer token when one is set (``IGM_TRAINER_TOKEN``, as for the dashboard): the
editor shows only the token field until the right token is typed.

Case texts are only ever put in form fields (values, not markup) and in escaped HTML.
Stable CSS hooks for tests: ``igm-case-editor``, ``igm-token``, ``igm-editor-picker``,
``igm-field-<key>`` (``<key>`` the field path with ``.[]`` as ``-``), ``igm-field-error``,
``igm-live``, ``igm-save``, ``igm-confirm``, ``igm-overwrite``, ``igm-cancel``, ``igm-status``,
``igm-editor-notes`` (skipped case files), ``igm-discard-confirm``, ``igm-discard``, ``igm-keep``
(the question before unsaved changes are thrown away).

Unsaved changes: the form remembers what it looked like when a case was opened or saved; picking
another case while the form differs from that asks first (the language switch keeps what was
typed, so it never asks).
"""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Callable, Iterable, Mapping
from functools import cache, partial
from pathlib import Path
from typing import Any

import ipywidgets as w
from ipywidgets.widgets.widget_description import DescriptionStyle
from ipywidgets.widgets.widget_string import HTMLStyle, TextStyle
from markupsafe import Markup

from igm import DETERMINANTS, KUNNEN, WILLEN
from igm.case_writer import case_file, case_to_data, save_case
from igm.cases import (
    EFFECT_MAX,
    EFFORT_MAX,
    EFFORT_MIN,
    GROUPS,
    MAX_EFFECTS,
    TACT,
    Case,
    CaseError,
    CaseScan,
    Problem,
    cases_dir,
    load_case,
    parse_case,
    scan_cases,
)
from igm.determinants import DeterminantScores
from igm.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from igm.model import model_for
from igm.report import bottleneck_sentence, determinant_name, lever_gain
from igm.weights import DOMAINS
from widgets.slider import ScoreSlider
from widgets.templates import render, text_html
from widgets.trainer_gate import check_key, trainer_token
from widgets.ui import (
    CaseChoice,
    case_notes,
    language_from_query,
    language_switch,
    notice,
    prediction_readouts,
    style_widget,
)

__all__ = ["CaseEditor", "app", "blank_case", "field_for_problem"]

#: Effect rows per intervention: an intervention names at most this many determinants.
_EFFECT_ROWS = MAX_EFFECTS
#: A new case starts with this many (empty) interventions; the README asks for 3 to 5.
_NEW_INTERVENTIONS = 3
#: Lines shown of a field that holds a sentence or two (the TACT parts; up to ~130 characters
#: in the kit's cases) and of one that holds a few (evidence, an intervention's description;
#: up to ~200): the whole text is in view without scrolling inside the field.
_SENTENCE_ROWS = 2
_EVIDENCE_ROWS = 3
_FIELD_SPLIT = re.compile(r"\.|(?=\[)")

CSS = """
.igm-case-editor { max-width: 74rem; }
.igm-case-editor .igm-field { flex-direction: column; align-items: stretch; height: auto;
  width: 100%; max-width: 48rem; margin: 0.2em 0; }
.igm-case-editor .igm-field > .widget-label { width: auto !important; max-width: none;
  text-align: left; font-weight: 600; margin: 0 0 0.15em; line-height: 1.3;
  white-space: normal; height: auto; flex: 0 0 auto; }
.igm-case-editor .igm-field > input, .igm-case-editor .igm-field > textarea,
.igm-case-editor .igm-field > select { width: 100%; box-sizing: border-box; font-size: 1rem;
  flex: 0 0 auto; }
.igm-case-editor .igm-field > input, .igm-case-editor .igm-field > select { height: auto;
  min-height: 44px; }
.igm-case-editor .igm-field > textarea { font-family: inherit; line-height: 1.4; }
.igm-case-editor .igm-field.igm-invalid > input,
.igm-case-editor .igm-field.igm-invalid > textarea,
.igm-case-editor .igm-field.igm-invalid > select { border: 2px solid #b00020; }
.igm-case-editor .igm-check { height: auto; max-width: 48rem; margin: 0.4em 0; }
.igm-case-editor .igm-check label { white-space: normal; line-height: 1.3; height: auto; }
.igm-field-error p { color: #b00020; font-weight: 600; margin: 0 0 0.4em; max-width: 48rem; }
.igm-hint p { color: #3d3d3d; font-size: 0.92em; margin: 0 0 0.3em; max-width: 48rem; }
.igm-section { border-top: 4px solid #0072B2; padding-top: 0.3em; margin-top: 0.8em; }
.igm-intervention { border: 1px solid #bdbdbd; border-radius: 6px; padding: 0.3em 0.8em 0.6em;
  margin: 0.5em 0; max-width: 48rem; box-sizing: border-box; width: 100%; }
.igm-effect-row { flex-wrap: wrap; gap: 0 1em; width: 100%; max-width: 48rem; height: auto; }
.igm-effect-row > .igm-field-box { flex: 1 1 12em; width: auto; }
.igm-case-editor .igm-columns > .igm-column { flex: 1 1 22rem; max-width: 36rem; }
.igm-score-block { border-bottom: 1px solid #e0e0e0; padding-bottom: 0.4em; margin-bottom: 0.4em; }
.igm-live { border: 1px solid #bdbdbd; border-radius: 6px; padding: 0.2em 0.8em 0.6em;
  background: #fafafa; }
.igm-live ul { margin: 0.2em 0; padding-left: 1.2em; }
.igm-status p { font-weight: 600; max-width: 48rem; }
.igm-status .igm-ok { color: #1b5e20; }
.igm-status .igm-bad { color: #b00020; }
.igm-confirm { border: 2px solid #E69F00; border-radius: 6px; padding: 0.3em 0.8em;
  background: #fff8e5; max-width: 48rem; }
.igm-buttons { flex-wrap: wrap; gap: 0.5em; }
.igm-case-editor button.jupyter-button { align-self: flex-start; width: auto; min-width: 8em;
  max-width: 100%; height: auto; min-height: 44px; white-space: normal; padding: 0.3em 1em;
  margin: 0.4em 0; }
.igm-case-editor button.igm-save, .igm-case-editor button.igm-overwrite {
  background: #0072B2; color: #ffffff; font-weight: 600; }
.igm-case-editor .widget-checkbox input:focus-visible, .igm-case-editor textarea:focus-visible {
  outline: 3px solid #E69F00; outline-offset: 2px; }
@media (max-width: 600px) {
  .igm-case-editor .igm-columns { gap: 0; }
}
.igm-editor-notes .igm-editor-hint .igm-case-skipped { margin-top: -0.3em; padding-bottom: 0.2em; }
/* A text box as tall as its text (where the browser can): a case's evidence and descriptions
   are read whole, on a phone too; ``rows`` is the fallback elsewhere. */
@supports (field-sizing: content) {
  .igm-case-editor .igm-field > textarea { field-sizing: content; min-height: 3.4em;
    max-height: 28em; }
}
/* Wide screens: the model's view stays in sight beside the scores while they are moved. A
   sticky box needs every box around it to let it out (overflow visible), also Voila's. */
@media (min-width: 900px) {
  :is(.jp-Notebook, .jp-Cell-outputArea, .jp-OutputArea-child, .jp-OutputArea-output):has(
    .igm-case-editor),
  .igm-case-editor, .igm-case-editor .widget-box:has(.igm-live-column) {
    overflow: visible !important; }
  .igm-case-editor .igm-columns > .igm-live-column { position: sticky; top: 0.5rem;
    align-self: flex-start; }
}
"""


def _alerts(messages: Iterable[str]) -> str:
    """Messages as alerts, each once (a field's problems, the whole case's problems)."""
    return render("alerts.html", messages=list(dict.fromkeys(messages)))


def _css_key(key: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", key.lower()).strip("-")


def _in(field: str, lang: str, ui_lang: str) -> str:
    """A field label with the language it is written in: ``Titel (Nederlands)``."""
    return t(
        "case_editor.in_language",
        ui_lang,
        field=field,
        language=t(f"case_editor.language.{lang}", ui_lang),
    )


def blank_case() -> dict[str, Any]:
    """The data of a new, empty case: every field present, texts empty, scores 4."""

    def text() -> dict[str, str]:
        return dict.fromkeys(LANGUAGES, "")

    return {
        "id": "",
        "name": "",
        "fictional": False,
        "group": "",
        "domain": "",
        "title": text(),
        "summary": text(),
        "narrative": text(),
        "target_behaviour": {part: text() for part in TACT},
        "scores": {key: {"score": 4, "evidence": text()} for key in DETERMINANTS},
        "interventions": [_blank_intervention() for _ in range(_NEW_INTERVENTIONS)],
    }


def _blank_intervention() -> dict[str, Any]:
    return {
        "id": "",
        "label": dict.fromkeys(LANGUAGES, ""),
        "description": dict.fromkeys(LANGUAGES, ""),
        "effects": {},
        "effort": 2,
    }


def _parts(path: str) -> list[str]:
    return [p for p in _FIELD_SPLIT.split(path) if p]


def _join(parts: list[str]) -> str:
    return "".join(p if p.startswith("[") or i == 0 else "." + p for i, p in enumerate(parts))


def field_for_problem(problem_field: str, keys: list[str]) -> str:
    """The form field (one of ``keys``) that shows a problem at ``problem_field``.

    The field itself when the form has it; else the first field inside it (``title`` missing:
    ``title.nl``); else the nearest field around it (``interventions[0].effects.attitude``:
    ``interventions[0].effects``); else ``""``, the message for the whole case.
    """
    parts = _parts(problem_field)
    while parts:
        path = _join(parts)
        if path in keys:
            return path
        inside = [k for k in keys if k.startswith(path + ".") or k.startswith(path + "[")]
        if inside:
            return inside[0]
        parts = parts[:-1]
    return ""


class _Field:
    """One form control with the message slot beside it."""

    def __init__(self, key: str, control: w.Widget, on_edit: Callable[[str], None]) -> None:
        self.key = key
        self.control = control
        self.error = _html("", "igm-field-error", f"igm-error-{_css_key(key)}")
        self.box = _vbox([control, self.error], "igm-field-box", f"igm-field-{_css_key(key)}")
        control.observe(lambda _change: on_edit(self.key), names="value")

    def show(self, messages: list[str]) -> None:
        self.error.value = _alerts(messages)
        if messages:
            self.control.add_class("igm-invalid")
        else:
            self.control.remove_class("igm-invalid")


#: Seconds a button waits before it reads the form (see :func:`_after_pending_typing`).
SETTLE_SECONDS = 0.3


def _in_kernel() -> bool:
    """True inside a running Jupyter kernel (a Voila app), whose event loop handles clicks."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
        asyncio.get_running_loop()
    except (ImportError, RuntimeError):
        return False
    return getattr(shell, "kernel", None) is not None


def _after_pending_typing(action: Callable[[], object]) -> Callable[[object], None]:
    """A click handler that runs ``action`` a moment later when a kernel event loop runs.

    ipywidgets sends a field's typing at most one message at a time (the next waits until
    the kernel has handled the previous one), while a button's click goes at once: a click
    right after typing could reach the kernel before the last letters, and the form would be
    read (saved, rebuilt) without them. The letters are on their way by then; waiting a
    moment lets them arrive first. Outside a kernel (tests, a plain script) it runs now: an
    event loop may look "running" there without ever running the callback (Playwright's sync
    API keeps its loop current in the main thread).
    """

    def handler(_button: object) -> None:
        if not _in_kernel():
            action()
            return
        asyncio.get_running_loop().call_later(SETTLE_SECONDS, action)

    return handler


@cache
def _layout(kind: str) -> w.Layout:
    """One layout shared by many widgets ("full": the width of the form, "auto": default).

    The form has a few hundred widgets; each has a layout and a style model of its own unless
    they share one, and a kernel that sends well over a thousand messages at once may lose
    some on a busy machine (the form then shows half). Shared models and classes given at
    construction (not added afterwards) keep the form to about half the messages.
    """
    return w.Layout(width="100%") if kind == "full" else w.Layout()


@cache
def _style(kind: str) -> Any:
    """One style shared by every widget of a kind (labels above the field: width "initial")."""
    if kind == "text":
        return TextStyle(description_width="initial")
    if kind == "description":
        return DescriptionStyle(description_width="initial")
    return HTMLStyle()


def _html(value: str = "", *classes: str) -> w.HTML:
    return w.HTML(value=value, layout=_layout("auto"), style=_style("html"), _dom_classes=classes)


def _vbox(children: list[w.Widget], *classes: str) -> w.VBox:
    return w.VBox(children, layout=_layout("auto"), _dom_classes=classes)


def _hbox(children: list[w.Widget], *classes: str) -> w.HBox:
    return w.HBox(children, layout=_layout("auto"), _dom_classes=classes)


def _close_tree(widget: w.Widget) -> None:
    """Close a widget and everything in it (a rebuilt form leaves nothing behind in the kernel)."""
    for child in getattr(widget, "children", ()):
        _close_tree(child)
    widget.close()


class CaseEditor:
    """The editor for one trainer's page. ``token``: the trainer token (None: no gate)."""

    def __init__(
        self,
        lang: str = DEFAULT_LANGUAGE,
        token: str | None = None,
        directory: Path | str | None = None,
    ) -> None:
        self.lang = lang
        self.directory = Path(directory) if directory is not None else cases_dir()
        self._token = token
        self.unlocked = token is None
        self.data: dict[str, Any] = blank_case()
        self.loaded_id = ""  # the case whose own file this form edits ("" for a new case)
        self.fields: dict[str, _Field] = {}
        self.touched: set[str] = set()
        self.show_all = False
        self.problems: list[Problem] = []
        self._muted = False
        self._status_html = ""
        # What the form held when its case was opened or saved (None: take it once built);
        # the form differs from it = unsaved changes.
        self._clean: dict[str, Any] | None = None
        self._pending_pick: str | None = None  # the case asked for while changes are unsaved
        self.widget = w.VBox()
        self.widget.add_class("igm-app")
        self.widget.add_class("igm-case-editor")
        self._render()

    # -- access ------------------------------------------------------------------------------
    def unlock(self, typed: str) -> bool:
        """Show the editor when ``typed`` is the trainer token."""
        if self.unlocked:
            return True
        check = check_key(typed, self._token)  # wrong keys in a row: a growing wait
        if not check.ok:
            wrong = t("case_editor.gate.wrong", self.lang)
            if check.wait_seconds:
                wrong = t("trainer_gate.wait", self.lang, seconds=check.wait_seconds)
            self.gate_message.value = _alerts([wrong])
            # Empty and focused again: the trainer types the token anew (a typo in a masked
            # field cannot be seen anyway), also after a click on the button took the focus.
            self.token_input.value = ""
            self.token_input.focus()
            return False
        self.unlocked = True
        self._render()
        return True

    # -- the cases ---------------------------------------------------------------------------
    def scan(self) -> CaseScan:
        """The cases folder now (re-read every time): valid cases and skipped files.

        Never raises: a folder that cannot be read offers only "new case".
        """
        try:
            return scan_cases(self.directory)
        except OSError:
            return CaseScan((), ())

    def cases(self) -> list[Case]:
        """The valid cases in the folder now (re-read every time)."""
        return list(self.scan().cases)

    def has_unsaved_changes(self) -> bool:
        """Whether the form differs from the case as it was opened or last saved."""
        return self.unlocked and self._clean is not None and self.form_data() != self._clean

    def open_case(self, case_id: str) -> None:
        """Fill the form with a case from the folder ("" for a new, empty case).

        Throws away what was typed: the picker asks first (see :meth:`pick`).
        """
        self.status("")
        self._hide_confirm()
        self._hide_discard()
        self.touched = set()
        self.show_all = False
        self._clean = None
        if not case_id:
            self.data, self.loaded_id = blank_case(), ""
        else:
            case = next(c for c in self.cases() if c.id == case_id)
            self.data, self.loaded_id = case_to_data(load_case(case.path)), case.id
        self._build_form()

    def set_language(self, lang: str) -> None:
        """Show every label in ``lang``; keeps what was typed."""
        if self.unlocked:
            self.data = self.form_data()
        self.lang = lang
        self._render()

    def pick(self, case_id: str) -> None:
        """The trainer picked ``case_id`` ("" for a new case) in the picker.

        With unsaved changes the editor asks first; the picker shows the case asked for until
        the trainer answers (:meth:`discard_changes` or :meth:`keep_editing`).
        """
        if case_id == self.loaded_id and self._clean is not None:
            self._hide_discard()  # back to the case in the form: nothing to ask or load
            return
        if not self.has_unsaved_changes():
            self.open_case(case_id)
            return
        self._pending_pick = case_id
        self.discard_text.value = _alerts([t("case_editor.unsaved.question", self.lang)])
        self.discard_box.layout.display = "flex"
        # The safe answer gets the focus: a keyboard user who moved through the picker with
        # the arrow keys lands on the question instead of passing it by.
        self.keep_button.focus()

    def discard_changes(self) -> None:
        """Yes to the question: open the case asked for; what was typed is gone."""
        if self._pending_pick is not None:
            self.open_case(self._pending_pick)

    def keep_editing(self) -> None:
        """No to the question: the picker shows the case in the form again; nothing changes."""
        self._hide_discard()
        self._show_loaded_in_picker()

    def _hide_discard(self) -> None:
        self._pending_pick = None
        if hasattr(self, "discard_box"):
            self.discard_box.layout.display = "none"
            self.discard_text.value = ""

    def _show_loaded_in_picker(self) -> None:
        self._muted = True
        try:
            values = [v for _, v in self.picker.options]
            self.picker.value = self.loaded_id if self.loaded_id in values else ""
        finally:
            self._muted = False

    def _switch_language(self, lang: str) -> None:
        _after_pending_typing(lambda: self.set_language(lang))(None)

    # -- building ----------------------------------------------------------------------------
    def _render(self) -> None:
        lang = self.lang
        header: list[w.Widget] = [
            style_widget(lang),
            # Markup: CSS is this module's own constant, no outside text in it.
            w.HTML(
                value=render("style.html", css=Markup(CSS), hidden=[]),
                layout=w.Layout(display="none"),
            ),
            w.HBox([language_switch(lang, self._switch_language)]),
            notice(lang),
        ]
        if not self.unlocked:
            self.token_input = w.Password(
                description=t("case_editor.gate.token", lang),
                style={"description_width": "initial"},
            )
            self.open_button = w.Button(
                description=t("case_editor.gate.open", lang), layout=w.Layout(width="max-content")
            )
            self.open_button.add_class("igm-open")
            submit = _after_pending_typing(lambda: self.unlock(self.token_input.value))
            self.open_button.on_click(submit)
            self.token_input.on_msg(_on_enter(submit))
            self.gate_message = w.HTML(value="")
            gate = w.VBox([self.token_input, self.open_button, self.gate_message])
            gate.add_class("igm-token")
            self.widget.children = [*header, gate]
            return
        self.form = w.VBox()
        self.status_out = w.HTML(value=self._status_html)
        self.status_out.add_class("igm-status")
        self.save_button = w.Button(description=t("case_editor.save", lang))
        self.save_button.add_class("igm-save")
        self.save_button.on_click(_after_pending_typing(self.save))
        self.confirm = self._confirm_box()
        self._pending_pick = None
        self.discard_box = self._discard_box()
        scan = self.scan()
        self.picker = self._picker(scan)
        self.picker_notes = _vbox([], "igm-editor-notes")
        self._show_notes(scan)
        self.widget.children = [
            *header,
            w.HTML(value=text_html("p", t("case_editor.intro", lang))),
            self.picker,
            self.picker_notes,
            self.discard_box,
            self.form,
            self.save_button,
            self.confirm,
            self.status_out,
        ]
        self._build_form()

    def _picker_options(self, scan: CaseScan) -> list[tuple[str, str]]:
        lang = self.lang
        options = [(t("case_editor.new", lang), "")]
        return options + [(f"{c.title(lang)} ({c.id}.yaml)", c.id) for c in scan.cases]

    def _show_notes(self, scan: CaseScan) -> None:
        """Under the picker: the case files that were skipped, with what is wrong in each."""
        notes = case_notes(CaseChoice(scan, None), self.lang)
        if notes:
            hint = t("case_editor.skipped.hint", self.lang)
            # Styled as the end of the note above it (same bar), not as page text.
            notes.append(
                _html(render("editor_hint.html", hint=hint), "igm-case-note", "igm-editor-hint")
            )
        for child in self.picker_notes.children:
            child.close()
        self.picker_notes.children = notes

    def _picker(self, scan: CaseScan) -> w.Dropdown:
        lang = self.lang
        options = self._picker_options(scan)
        current = self.loaded_id if any(v == self.loaded_id for _, v in options) else ""
        picker = w.Dropdown(
            options=options,
            value=current,
            description=t("case_editor.pick", lang),
            layout=w.Layout(width="min(100%, 48rem)"),
            style={"description_width": "initial"},
        )
        picker.add_class("igm-editor-picker")
        picker.observe(self._on_pick, names="value")
        return picker

    def _on_pick(self, change: dict[str, Any]) -> None:
        if self._muted:
            return
        wanted = str(change["new"] or "")
        # The last letters typed may still be on their way: let them arrive before the form
        # is compared with the case as opened (else the question could be skipped).

        def answer() -> None:
            if self.picker.value == wanted:  # (not picked over again in the meantime)
                self.pick(wanted)

        _after_pending_typing(answer)(None)

    def _discard_box(self) -> w.VBox:
        lang = self.lang
        self.discard_text = w.HTML(value="")
        discard = w.Button(description=t("case_editor.unsaved.discard", lang))
        discard.add_class("igm-discard")
        discard.on_click(lambda _b: self.discard_changes())
        self.keep_button = w.Button(description=t("case_editor.unsaved.keep", lang))
        self.keep_button.add_class("igm-keep")
        self.keep_button.on_click(lambda _b: self.keep_editing())
        buttons = w.HBox([discard, self.keep_button])
        buttons.add_class("igm-buttons")
        box = w.VBox([self.discard_text, buttons], layout=w.Layout(display="none"))
        box.add_class("igm-confirm")
        box.add_class("igm-discard-confirm")
        return box

    def _confirm_box(self) -> w.VBox:
        lang = self.lang
        self.confirm_text = w.HTML(value="")
        overwrite = w.Button(description=t("case_editor.overwrite", lang))
        overwrite.add_class("igm-overwrite")
        overwrite.on_click(_after_pending_typing(lambda: self.save(overwrite=True)))
        cancel = w.Button(description=t("case_editor.cancel", lang))
        cancel.add_class("igm-cancel")
        cancel.on_click(lambda _b: self.cancel_overwrite())
        buttons = w.HBox([overwrite, cancel])
        buttons.add_class("igm-buttons")
        box = w.VBox([self.confirm_text, buttons], layout=w.Layout(display="none"))
        box.add_class("igm-confirm")
        return box

    def _field(self, key: str, control: w.Widget) -> w.Widget:
        field = _Field(key, control, self._edited)
        self.fields[key] = field
        return field.box

    def _text(self, key: str, label: str, value: str, rows: int = 0) -> w.Widget:
        kwargs: dict[str, Any] = {
            "value": value,
            "description": label,
            "continuous_update": True,
            "style": _style("text"),
            "layout": _layout("full"),
            "_dom_classes": ("igm-field",),
        }
        control = w.Textarea(rows=rows, **kwargs) if rows else w.Text(**kwargs)
        return self._field(key, control)

    def _bilingual(self, key: str, label: str, value: Any, rows: int = 0) -> list[w.Widget]:
        value = value if isinstance(value, Mapping) else {}
        return [
            self._text(
                f"{key}.{lang}", _in(label, lang, self.lang), str(value.get(lang) or ""), rows
            )
            for lang in LANGUAGES
        ]

    def _dropdown(
        self, key: str, label: str, options: list[tuple[str, Any]], value: Any
    ) -> w.Widget:
        values = [v for _, v in options]
        control = w.Dropdown(
            options=options,
            value=value if value in values else values[0],
            description=label,
            style=_style("description"),
            layout=_layout("full"),
            _dom_classes=("igm-field",),
        )
        return self._field(key, control)

    def _hint(self, text: str) -> w.HTML:
        return _html(text_html("p", text), "igm-hint")

    def _section(self, title: str, children: list[w.Widget]) -> w.VBox:
        return _vbox([_html(text_html("h3", title)), *children], "igm-section")

    def _build_form(self) -> None:
        lang, data = self.lang, self.data
        for child in self.form.children:
            _close_tree(child)
        self.fields = {}
        choose = t("case_editor.choose", lang)
        fictional = w.Checkbox(
            value=data.get("fictional") is True,
            description=t("case_editor.field.fictional", lang),
            indent=False,
            layout=w.Layout(width="100%"),
        )
        fictional.add_class("igm-check")
        basics = self._section(
            t("case_editor.section.basics", lang),
            [
                self._text("id", t("case_editor.field.id", lang), str(data.get("id") or "")),
                self._hint(t("case_editor.field.id.hint", lang)),
                self._text("name", t("case_editor.field.name", lang), str(data.get("name") or "")),
                self._field("fictional", fictional),
                self._dropdown(
                    "group",
                    t("case_editor.field.group", lang),
                    [(choose, ""), *((t(f"group.{g}", lang), g) for g in GROUPS)],
                    data.get("group"),
                ),
                self._dropdown(
                    "domain",
                    t("case_editor.field.domain", lang),
                    [(choose, ""), *((t(f"domain.{d}", lang), d) for d in DOMAINS)],
                    data.get("domain"),
                ),
            ],
        )
        texts = self._section(
            t("case_editor.section.texts", lang),
            [
                *self._bilingual("title", t("case_editor.field.title", lang), data.get("title")),
                *self._bilingual(
                    "summary", t("case_editor.field.summary", lang), data.get("summary"), rows=3
                ),
                self._hint(t("case_editor.field.narrative.hint", lang)),
                *self._bilingual(
                    "narrative",
                    t("case_editor.field.narrative", lang),
                    data.get("narrative"),
                    rows=10,
                ),
            ],
        )
        target_data = data.get("target_behaviour") or {}
        target = self._section(
            t("case_editor.section.target", lang),
            [
                field
                for part in TACT
                for field in self._bilingual(
                    f"target_behaviour.{part}",
                    t(f"case_editor.tact.{part}", lang),
                    target_data.get(part) if isinstance(target_data, Mapping) else None,
                    rows=_SENTENCE_ROWS,
                )
            ],
        )
        self.live = _html("", "igm-live")
        scores = self._section(
            t("case_editor.section.scores", lang),
            [self._hint(t("case_editor.scores.hint", lang)), self._scores_and_live()],
        )
        self.interventions_box = w.VBox()
        add = w.Button(description=t("case_editor.intervention.add", lang))
        add.add_class("igm-add-intervention")
        add.on_click(_after_pending_typing(self.add_intervention))
        interventions = self._section(
            t("case_editor.section.interventions", lang),
            [self._hint(t("case_editor.intervention.hint", lang)), self.interventions_box, add],
        )
        self.general_error = _html("", "igm-field-error")
        self.form.children = [basics, texts, target, scores, interventions, self.general_error]
        self._build_interventions()
        self.validate()
        self._update_live()
        if self._clean is None:  # a case just opened (a language switch keeps the old one)
            self._clean = self.form_data()

    def _scores_and_live(self) -> w.Widget:
        lang = self.lang
        score_data = self.data.get("scores") or {}
        self.sliders: dict[str, ScoreSlider] = {}
        blocks = []
        for block, keys in (("willen", WILLEN), ("kunnen", KUNNEN)):
            rows: list[w.Widget] = [
                _html(text_html("p", t(f"block.{block}", lang), cls="igm-block-title"))
            ]
            for key in keys:
                entry = score_data.get(key) if isinstance(score_data, Mapping) else None
                entry = entry if isinstance(entry, Mapping) else {}
                raw = entry.get("score")
                value = int(raw) if isinstance(raw, int | float) and 1 <= raw <= 7 else 4
                name = t(f"determinant.{key}.name", lang)
                slider = ScoreSlider(
                    value=value,
                    original=value,
                    label=name,
                    help=t(f"determinant.{key}.description", lang),
                    layout=_layout("auto"),
                    _dom_classes=("igm-slider", f"igm-slider-{key}"),
                )
                slider.observe(lambda _c: self._scores_changed(), names="value")
                self.sliders[key] = slider
                evidence = self._bilingual(
                    f"scores.{key}.evidence",
                    t("case_editor.evidence", lang, name=name),
                    entry.get("evidence"),
                    rows=_EVIDENCE_ROWS,
                )
                rows.append(_vbox([slider, *evidence], "igm-score-block"))
            blocks.append(_vbox(rows, f"igm-block-{block}"))
        left = _vbox(blocks, "igm-column")
        right = _vbox(
            [_html(text_html("h4", t("ui.outcome", lang))), self.live],
            "igm-column",
            "igm-live-column",
        )
        return _hbox([left, right], "igm-columns")

    def _build_interventions(self) -> None:
        lang = self.lang
        for key in [k for k in self.fields if k.startswith("interventions[")]:
            del self.fields[key]
        for child in self.interventions_box.children:
            _close_tree(child)
        items = self.data.get("interventions") or []
        boxes = []
        determinant_options = [(t("case_editor.intervention.none", lang), "")] + [
            (t(f"determinant.{k}.name", lang), k) for k in DETERMINANTS
        ]
        points = [(f"+{n}", n) for n in range(1, EFFECT_MAX + 1)]
        efforts = [(str(n), n) for n in range(EFFORT_MIN, EFFORT_MAX + 1)]
        for i, item in enumerate(items if isinstance(items, list) else []):
            item = item if isinstance(item, Mapping) else {}
            where, number = f"interventions[{i}]", i + 1
            raw_effects = item.get("effects")
            effects = raw_effects if isinstance(raw_effects, Mapping) else {}
            pairs = list(effects.items())[:_EFFECT_ROWS]
            rows = []
            for row in range(_EFFECT_ROWS):
                key, delta = pairs[row] if row < len(pairs) else ("", 1)
                row_box = _hbox(
                    [
                        self._dropdown(
                            f"{where}.effects.{row}.key",
                            t("case_editor.intervention.effect", lang, number=row + 1),
                            determinant_options,
                            key,
                        ),
                        self._dropdown(
                            f"{where}.effects.{row}.points",
                            t("case_editor.intervention.points", lang, number=row + 1),
                            points,
                            delta,
                        ),
                    ],
                    "igm-effect-row",
                )
                rows.append(row_box)
            effects_error = _html("", "igm-field-error")
            self.fields[f"{where}.effects"] = _EffectsSlot(f"{where}.effects", effects_error)
            remove = w.Button(description=t("case_editor.intervention.remove", lang, number=number))
            remove.add_class("igm-remove-intervention")
            remove.on_click(_after_pending_typing(partial(self.remove_intervention, i)))
            box = _vbox(
                [
                    _html(
                        text_html("h4", t("case_editor.intervention.heading", lang, number=number))
                    ),
                    self._text(
                        f"{where}.id",
                        t("case_editor.intervention.id", lang, number=number),
                        str(item.get("id") or ""),
                    ),
                    *self._bilingual(
                        f"{where}.label",
                        t("case_editor.intervention.label", lang),
                        item.get("label"),
                    ),
                    *self._bilingual(
                        f"{where}.description",
                        t("case_editor.intervention.description", lang),
                        item.get("description"),
                        rows=_EVIDENCE_ROWS,
                    ),
                    *rows,
                    effects_error,
                    self._dropdown(
                        f"{where}.effort",
                        t("case_editor.intervention.effort", lang),
                        efforts,
                        item.get("effort"),
                    ),
                    remove,
                ],
                "igm-intervention",
                f"igm-intervention-{i}",
            )
            boxes.append(box)
        self.interventions_box.children = boxes

    def add_intervention(self) -> None:
        """One more (empty) intervention at the end."""
        self.data = self.form_data()
        self.data["interventions"].append(_blank_intervention())
        self._build_interventions()
        self.validate()

    def remove_intervention(self, index: int) -> None:
        """Remove intervention ``index``; the messages of the others move with them."""
        self.data = self.form_data()
        del self.data["interventions"][index]
        prefix = re.compile(r"^interventions\[(\d+)\]")

        def moved(key: str) -> str | None:
            match = prefix.match(key)
            if not match:
                return key
            i = int(match.group(1))
            if i == index:
                return None
            return prefix.sub(f"interventions[{i - 1 if i > index else i}]", key)

        self.touched = {k for k in (moved(key) for key in self.touched) if k is not None}
        self._build_interventions()
        self.validate()

    # -- reading the form --------------------------------------------------------------------
    def _value(self, key: str) -> Any:
        return self.fields[key].control.value

    def _str_value(self, key: str) -> str | None:
        # An empty field is a missing value: the validator then says "is missing; fill it in".
        return str(self._value(key)).strip() or None

    def _text_value(self, key: str) -> dict[str, str | None]:
        return {lang: self._str_value(f"{key}.{lang}") for lang in LANGUAGES}

    def form_data(self) -> dict[str, Any]:
        """The case as plain data (as in a case file), from what the form shows now."""
        interventions = []
        i = 0
        while f"interventions[{i}].id" in self.fields:
            where = f"interventions[{i}]"
            effects: dict[str, int] = {}
            for row in range(_EFFECT_ROWS):
                key = self._value(f"{where}.effects.{row}.key")
                if key and key not in effects:
                    effects[key] = int(self._value(f"{where}.effects.{row}.points"))
            interventions.append(
                {
                    "id": self._str_value(f"{where}.id"),
                    "label": self._text_value(f"{where}.label"),
                    "description": self._text_value(f"{where}.description"),
                    "effects": effects,
                    "effort": int(self._value(f"{where}.effort")),
                }
            )
            i += 1
        return {
            "id": self._str_value("id"),
            "name": self._str_value("name"),
            "fictional": bool(self._value("fictional")),
            "group": self._value("group") or None,
            "domain": self._value("domain") or None,
            "title": self._text_value("title"),
            "summary": self._text_value("summary"),
            "narrative": self._text_value("narrative"),
            "target_behaviour": {p: self._text_value(f"target_behaviour.{p}") for p in TACT},
            "scores": {
                key: {
                    "score": int(self.sliders[key].value),
                    "evidence": self._text_value(f"scores.{key}.evidence"),
                }
                for key in DETERMINANTS
            },
            "interventions": interventions,
        }

    def _path(self, data: Mapping[str, Any]) -> Path:
        case_id = data.get("id")
        return case_file(
            self.directory, case_id if isinstance(case_id, str) and case_id else "case"
        )

    # -- checking ----------------------------------------------------------------------------
    def _duplicate_effects(self) -> dict[str, list[str]]:
        """Editor-only check: a determinant chosen in two effect rows of one intervention
        (the case file's mapping cannot say that, so the validator never sees it)."""
        found: dict[str, list[str]] = {}
        i = 0
        while f"interventions[{i}].id" in self.fields:
            chosen = [
                self._value(f"interventions[{i}].effects.{row}.key") for row in range(_EFFECT_ROWS)
            ]
            for key in dict.fromkeys(k for k in chosen if k and chosen.count(k) > 1):
                name = t(f"determinant.{key}.name", self.lang)
                found.setdefault(f"interventions[{i}].effects", []).append(
                    t("case_editor.intervention.duplicate", self.lang, name=name)
                )
            i += 1
        return found

    def validate(self) -> list[Problem]:
        """Check the form with the case validator and show each message at its field."""
        data = self.form_data()
        try:
            parse_case(data, self._path(data))
            self.problems = []
        except CaseError as exc:
            self.problems = list(exc.problems)
        keys = [k for k in self.fields if not re.search(r"\.effects\.\d", k)]
        messages: dict[str, list[str]] = {}
        for problem in self.problems:
            messages.setdefault(field_for_problem(problem.field, keys), []).append(
                problem.message(self.lang)
            )
        for key, extra in self._duplicate_effects().items():
            messages.setdefault(key, []).extend(extra)
        for key, field in self.fields.items():
            shown = self.show_all or key in self.touched or self._touched_inside(key)
            field.show(messages.get(key, []) if shown else [])
        general = messages.get("", []) if self.show_all else []
        whole_case = t("case_editor.whole_case", self.lang)
        self.general_error.value = _alerts(f"{whole_case}: {m}" for m in general)
        return self.problems

    def _touched_inside(self, key: str) -> bool:
        """An effects slot counts as touched when one of its rows was."""
        return key.endswith(".effects") and any(k.startswith(key + ".") for k in self.touched)

    def _edited(self, key: str) -> None:
        if self._muted:
            return
        self.touched.add(key)
        self.validate()
        if key == "domain":
            self._update_live()

    def _scores_changed(self) -> None:
        if not self._muted:
            self._update_live()

    def field_messages(self) -> dict[str, str]:
        """What each field's message slot shows now (as text), for tests and checks."""
        return {
            key: html.unescape(re.sub(r"<[^>]+>", " ", field.error.value)).strip()
            for key, field in self.fields.items()
            if field.error.value
        }

    # -- the live panel ----------------------------------------------------------------------
    def scores(self) -> DeterminantScores:
        return DeterminantScores.from_mapping({k: s.value for k, s in self.sliders.items()})

    def _update_live(self) -> None:
        lang = self.lang
        domain = self.fields["domain"].control.value
        if not domain:
            self.live.value = text_html("p", t("case_editor.live.no_domain", lang))
            return
        p = model_for(domain).predict(self.scores())
        self.live.value = render(
            "editor_live.html",
            lang=lang,
            # Markup: the readouts' inner HTML, rendered (and escaped) by readout.html.
            readouts={name: Markup(body) for name, body in prediction_readouts(p, lang).items()},
            bottleneck=bottleneck_sentence(p, lang),
            levers=[
                f"{determinant_name(lever.key, lang)}: {lever_gain(lever.key, lever.gain, lang)}"
                for lever in p.levers[:3]
            ],
        )

    # -- saving ------------------------------------------------------------------------------
    def status(self, message: str, ok: bool = True) -> None:
        cls, role = ("igm-ok", "status") if ok else ("igm-bad", "alert")
        self._status_html = text_html("p", message, cls=cls, role=role) if message else ""
        if self.unlocked:
            self.status_out.value = self._status_html

    def _hide_confirm(self) -> None:
        self.confirm.layout.display = "none"
        self.confirm_text.value = ""

    def cancel_overwrite(self) -> None:
        self._hide_confirm()
        self.status(t("case_editor.cancelled", self.lang), ok=False)

    def save(self, overwrite: bool = False) -> Path | None:
        """Check and write the case; ask first when the file exists and is not this case's."""
        self._hide_confirm()
        if self._pending_pick is not None:  # saving answers the unsaved-changes question
            self.keep_editing()
        self.show_all = True
        data = self.form_data()
        problems = self.validate()
        count = len(problems) + len(self._duplicate_effects())
        if count:
            self.status(t("case_editor.invalid", self.lang, count=count), ok=False)
            return None
        own_file = bool(self.loaded_id) and data["id"] == self.loaded_id
        try:
            path = save_case(data, self.directory, overwrite=overwrite or own_file)
        except FileExistsError:
            name = self._path(data).name
            self.confirm_text.value = _alerts([t("case_editor.exists", self.lang, file=name)])
            self.confirm.layout.display = "flex"
            self.status("")
            return None
        except CaseError as exc:  # cannot happen after validate(); say so rather than hide it
            self.status(
                t("case_editor.write_failed", self.lang, reason=exc.text(self.lang)), ok=False
            )
            return None
        except OSError as exc:
            self.status(
                t("case_editor.write_failed", self.lang, reason=exc.strerror or exc), ok=False
            )
            return None
        self.loaded_id = str(data["id"])
        self.data = data
        self._clean = data
        self._refresh_picker()
        self.status(t("case_editor.saved", self.lang, file=path.name))
        return path

    def _refresh_picker(self) -> None:
        scan = self.scan()
        options = self._picker_options(scan)
        self._show_notes(scan)  # a saved case may replace a file that was skipped
        self._muted = True
        try:
            self.picker.options = options
            self.picker.value = (
                self.loaded_id if any(v == self.loaded_id for _, v in options) else ""
            )
        finally:
            self._muted = False


class _EffectsSlot(_Field):
    """The message slot of an intervention's effects (its controls are the effect rows)."""

    def __init__(self, key: str, error: w.HTML) -> None:
        self.key = key
        self.error = error
        self.control = None
        self.box = None

    def show(self, messages: list[str]) -> None:
        self.error.value = _alerts(messages)


def _on_enter(action: Callable[[object], None]) -> Callable[[w.Widget, Any, Any], None]:
    """A handler for a text field's messages that runs ``action`` when Enter is pressed.

    The browser sends ``{"event": "submit"}`` for Enter in a Text or Password field;
    ``Text.on_submit`` is deprecated in ipywidgets 8, and its replacement (observing the value
    with ``continuous_update=False``) would also fire when the field merely loses the focus.
    """

    def handler(_widget: w.Widget, content: Any, _buffers: Any) -> None:
        if isinstance(content, Mapping) and content.get("event") == "submit":
            action(None)

    return handler


def app(lang: str | None = None) -> w.VBox:
    """The case editor for a Voila app; language from ``?lang=``; trainer token from the env."""
    editor = CaseEditor(DEFAULT_LANGUAGE, trainer_token())
    chosen = lang or language_from_query()
    if chosen != editor.lang:
        editor.set_language(chosen)
    return editor.widget
