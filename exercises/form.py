"""The one form of every exercise: renders any declared answer sheet with ipywidgets.

An exercise declares its form as data (:meth:`exercises.Exercise.answer_sheet`, see
:mod:`exercises._base`); :class:`AnswerForm` shows it, one :class:`Control` per field
kind, and reads it back in the answer format of the exercise's grader. Every input carries
its label (``description``), so a screen reader and the keyboard reach it as any form
field. What the learner reads comes from the package's Jinja2 templates
(``exercises/templates/``, :func:`render`), which escape every text.

Before an answer goes to the grader, :meth:`AnswerForm.check` finds what is still missing
(an unanswered field, a text under its minimum length) and says so next to each control
(``igm-field-error``); a text field with a minimum length counts its characters while the
learner types (``igm-counter``). The grader stays the judge of what can be graded: this only
spares the learner a round trip and puts each message where it belongs.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeAlias

import ipywidgets as w

from exercises._base import (
    AnswerField,
    AnswerSheet,
    Block,
    DialogueTurn,
    FieldKind,
    OptionList,
    Paragraph,
    Table,
)
from exercises._shared import join_names
from exercises.catalog import get_exercise
from igm.i18n import t
from igm.report import in_sentence
from widgets.templates import environment, text_html

__all__ = [
    "CONTROLS",
    "AnswerForm",
    "ChoiceControl",
    "Control",
    "DialogueControl",
    "MultiSelectControl",
    "NumberControl",
    "ScaleControl",
    "TextControl",
    "answer_sheet",
    "html_widget",
    "render",
]


def render(name: str, /, **context: Any) -> str:
    """The exercises' template ``name`` (``exercises/templates/<name>``) filled with ``context``
    (autoescaped: every text in ``context`` reaches the page as text)."""
    return environment("exercises").get_template(name).render(**context)


def html_widget(content: str, *classes: str) -> Any:
    """An HTML widget with CSS classes (``content``: HTML from a template)."""
    widget = w.HTML(value=content)
    for cls in classes:
        widget.add_class(cls)
    return widget


# --- what the learner reads -----------------------------------------------------------------


def _block_kind(block: Block) -> str:
    """How ``blocks.html`` shows ``block``."""
    if isinstance(block, Paragraph):
        return "paragraph"
    if isinstance(block, Table):
        return "table"
    if isinstance(block, OptionList):
        return "options"
    raise TypeError(f"not a block: {block!r}")


def _blocks_html(blocks: Sequence[Block]) -> str:
    return render("blocks.html", blocks=[(_block_kind(block), block) for block in blocks])


def _blocks_widgets(blocks: Sequence[Block]) -> list[Any]:
    """What to read, as few widgets as possible: a heading stands in a widget of its own
    (the spacing between widgets sets it apart), the blocks after it share one."""
    runs: list[list[Block]] = []
    for block in blocks:
        if not runs or _is_heading(block) or _is_heading(runs[-1][-1]):
            runs.append([block])
        else:
            runs[-1].append(block)
    return [html_widget(_blocks_html(run)) for run in runs]


def _is_heading(block: Block) -> bool:
    return isinstance(block, Paragraph) and block.style == "heading"


def _case_html(case: Mapping[str, Any], lang: str) -> str:
    """The case of a view (``view["case"]``), with its scores when the view gives them."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", case["narrative"]) if p.strip()]
    return render(
        "case.html",
        case=case,
        story=[" ".join(p.split()) for p in paragraphs],
        scores=case.get("scores") or [],
        lang=lang,
    )


# --- the generic form: one control per declared field ---------------------------------------


def _field_layout() -> Any:
    """An answer field as wide as its label and input need, up to a readable 44em:
    ipywidgets' fixed 300px includes the label, and a long label left the input ~20px."""
    return w.Layout(width="auto", max_width="44em")


def _breakable(label: str) -> str:
    """An option label that may wrap between its words: ipywidgets shows every space of an
    option as a no-break space, so a zero-width space after each gives the line break back
    (a phone's drop-down then shows a long option whole, on two lines)."""
    return label.replace(" ", " \u200b")


def _dropdown(options: list[tuple[str, str]], description: str, lang: str) -> Any:
    return w.Dropdown(
        options=[
            (_breakable(t("exercise_app.choose", lang)), ""),
            *((_breakable(label), value) for label, value in options),
        ],
        value="",
        description=description,
        style={"description_width": "initial"},
        layout=_field_layout(),
    )


def _number_or_text(raw: str) -> Any:
    """What a learner typed in a number field: a number, ``None`` when empty, else the text."""
    text = raw.strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return raw  # the grader explains what is wrong with it
    return int(value) if value.is_integer() else value


def _hidden_html(*classes: str) -> Any:
    """An HTML widget that takes no room until it has something to say."""
    widget = html_widget("", *classes)
    widget.layout.display = "none"
    return widget


class Control(ABC):
    """The widgets of one field: :meth:`read` gives its part of the answers in the grader's
    format (``None`` when unanswered), :meth:`fill` puts such a value back.

    :meth:`problem` says what is still missing before the field can be graded; :meth:`show`
    puts such a message right under the field (``error``, which the form places after
    ``widgets``), and it goes away as soon as the learner has fixed the field.
    """

    widgets: list[Any]

    def __init__(self, field: AnswerField, lang: str) -> None:
        self.field = field
        self.lang = lang
        self.error = _hidden_html("igm-field-error")
        self.showing = False
        #: Where the keyboard focus goes once a field that leads the learner step by step is
        #: done (the form's submit button, set by :meth:`AnswerForm.focus_when_done`).
        self.focus_when_done: Callable[[], None] | None = None

    @abstractmethod
    def read(self) -> Any: ...

    @abstractmethod
    def fill(self, value: Any) -> None: ...

    def problem(self) -> str | None:
        """What the learner still has to do here; ``None``: nothing (every field but a
        multi-select needs an answer, as every grader asks)."""
        return t("exercise_app.field.choose", self.lang) if self.read() is None else None

    def show(self, message: str | None) -> None:
        """Show ``message`` under the field (``None``: no message)."""
        self.showing = message is not None
        self.error.value = text_html("p", message) if message else ""
        self.error.layout.display = None if message else "none"
        if message:
            self.widgets[0].add_class("igm-invalid")
        else:
            self.widgets[0].remove_class("igm-invalid")

    def focus(self) -> None:
        """Put the keyboard focus on the field (the first thing to fix)."""
        self.widgets[0].focus()

    def lock(self, again: bool) -> None:
        """The answer was just graded: show it as graded. ``again``: this same form may be
        answered and sent again (no new questions, attempts left).

        Nothing by default: the learner changes an answer and sends it again, or opens a
        new attempt. A field played step by step overrides this: its path is what was graded,
        read-only until the learner begins again.
        """
        return None  # deliberately nothing (not abstract): most fields need no override

    def _watch(self, widget: Any) -> None:
        """Re-check a shown message whenever ``widget`` changes: fixed means gone."""
        widget.observe(self._recheck, names="value")

    def _recheck(self, _change: object = None) -> None:
        if self.showing:
            self.show(self.problem())


class ChoiceControl(Control):
    """A drop-down of the options, "— choose —" first: an option id, or ``None``."""

    def __init__(self, field: AnswerField, lang: str) -> None:
        super().__init__(field, lang)
        options = [(o.label, o.id) for o in field.options]
        self.dropdown = _dropdown(options, field.label, lang)
        self.widgets = [self.dropdown]
        self._watch(self.dropdown)

    def read(self) -> str | None:
        return str(self.dropdown.value) or None

    def fill(self, value: Any) -> None:
        self.dropdown.value = "" if value is None else str(value)


class ScaleControl(Control):
    """A drop-down of the whole numbers ``low..high``: an ``int``, or ``None``."""

    def __init__(self, field: AnswerField, lang: str) -> None:
        assert field.low is not None and field.high is not None
        super().__init__(field, lang)
        numbers = [(str(n), str(n)) for n in range(int(field.low), int(field.high) + 1)]
        self.dropdown = _dropdown(numbers, field.label, lang)
        self.widgets = [self.dropdown]
        self._watch(self.dropdown)

    def read(self) -> int | None:
        return int(self.dropdown.value) if self.dropdown.value else None

    def fill(self, value: Any) -> None:
        self.dropdown.value = "" if value is None else str(value)


class NumberControl(Control):
    """A text box for a number (a decimal comma is fine): a number, ``None`` when empty, or
    the text itself when it is no number (the grader explains)."""

    def __init__(self, field: AnswerField, lang: str) -> None:
        super().__init__(field, lang)
        self.box = w.Text(
            value="",
            description=field.label + (f" ({field.unit})" if field.unit else ""),
            placeholder=field.placeholder,
            style={"description_width": "initial"},
            layout=_field_layout(),
        )
        self.widgets = [self.box]
        self._watch(self.box)

    def read(self) -> Any:
        return _number_or_text(str(self.box.value))

    def problem(self) -> str | None:
        return t("exercise_app.field.fill_in", self.lang) if self.read() is None else None

    def fill(self, value: Any) -> None:
        self.box.value = "" if value is None else str(value)


class TextControl(Control):
    """A text area: the text as typed (the grader trims it and checks its length).

    With a minimum length, a counter under it follows the learner's typing (every key
    reaches the kernel: ``continuous_update``) and counts as the grader does: trimmed.
    """

    def __init__(self, field: AnswerField, lang: str) -> None:
        super().__init__(field, lang)
        self.area = w.Textarea(
            value="",
            description=field.label,
            placeholder=field.placeholder,
            # room for what is asked: a few sentences need more than three short lines
            rows=max(3, field.min_length // 25),
            continuous_update=field.min_length > 0,
            style={"description_width": "initial"},
            layout=_field_layout(),  # a column: the area spans it (exercises.app.CSS)
        )
        self.counter = html_widget("", "igm-counter")
        self.widgets = [self.area, self.counter] if field.min_length else [self.area]
        self._watch(self.area)
        self.area.observe(self._count, names="value")
        self._count()

    def length(self) -> int:
        """The length the grader checks: the text without surrounding white space."""
        return len(str(self.area.value).strip())

    def _count(self, _change: object = None) -> None:
        if not self.field.min_length:
            return
        length, minimum = self.length(), self.field.min_length
        key = "exercise_app.counter.enough" if length >= minimum else "exercise_app.counter"
        self.counter.value = text_html("p", t(key, self.lang, length=length, min=minimum))

    def read(self) -> str:
        return str(self.area.value)

    def problem(self) -> str | None:
        length, minimum = self.length(), self.field.min_length
        if length >= minimum:
            return None
        if length == 0:
            return t("exercise_app.field.fill_in", self.lang)
        return t(
            "exercise_app.field.too_short",
            self.lang,
            length=length,
            min=minimum,
            missing=minimum - length,
        )

    def fill(self, value: Any) -> None:
        self.area.value = "" if value is None else str(value)


class MultiSelectControl(Control):
    """A checkbox per option with its details, and the budget used so far: a list of the
    chosen option ids."""

    def __init__(self, field: AnswerField, lang: str) -> None:
        super().__init__(field, lang)
        self.budget = field.budget
        self.boxes: list[tuple[Any, str, int]] = []
        self.widgets = []
        for option in field.options:
            box = w.Checkbox(value=False, description=option.label, indent=False)
            box.add_class("igm-option")
            box.observe(self._show_used, names="value")
            self.boxes.append((box, option.id, option.cost))
            self.widgets.append(box)
            if option.details:
                self.widgets.append(
                    html_widget(render("option_details.html", lines=option.details))
                )
        self.used = html_widget("", "igm-budget-used")
        self.widgets.append(self.used)
        self._show_used()

    def _show_used(self, _change: object = None) -> None:
        # Adding up the costs shown beside each option: presentation, not grading.
        total = sum(cost for box, _id, cost in self.boxes if box.value)
        text = t("exercise_app.budget_used", self.lang, used=total, budget=self.budget)
        self.used.value = text_html("p", text, role="status")

    def read(self) -> list[str]:
        return [option_id for box, option_id, _cost in self.boxes if box.value]

    def problem(self) -> None:
        return None  # choosing nothing is an answer too; the grader checks the budget

    def fill(self, value: Any) -> None:
        chosen = set(value or ())
        for box, option_id, _cost in self.boxes:
            box.value = option_id in chosen


class DialogueControl(Control):
    """A dialogue played turn by turn: the exchanges so far, what the client says now, and a
    button per response (keyboard: Tab and Enter). A choice cannot be taken back, as in a
    real talk with a client; "Begin again" clears the whole path. The value is the path of
    response ids (``None`` before the first choice).

    The buttons are made once (at most four) and relabelled each turn, and the focus goes to
    the first of them after every choice, so a keyboard user never loses their place (at an
    ending: to the submit button). Every text is set as text: a button's label, or autoescaped
    in ``dialogue.html``.

    Once graded (:meth:`lock`) the dialogue is read-only: no responses, and "Begin again" only
    when the same form may be sent again (else the next attempt is a new form).
    """

    def __init__(self, field: AnswerField, lang: str) -> None:
        assert field.script is not None
        super().__init__(field, lang)
        self.dialogue = field.script
        self.path: list[str] = []
        #: graded (:meth:`lock`): no response can be chosen until the dialogue begins again
        self.locked = False
        #: graded, and the same form may be sent again: "Begin again" starts a new try
        self.again = False
        #: the label the submit button has when the dialogue ends (after a grade: "Submit again")
        self.submit_label = t("exercise_app.submit", lang)
        self.history = html_widget("", "igm-dialogue-history")
        self.now = html_widget("", "igm-dialogue-turn")
        most = max(len(turn.responses) for turn in self.dialogue.turns)
        self.buttons = [self._response_button(n) for n in range(most)]
        self.restart = w.Button(
            description=t("exercise_app.dialogue.restart", lang),
            layout=w.Layout(width="max-content"),
        )
        self.restart.add_class("igm-restart")
        self.restart.on_click(lambda _b: self.begin_again())
        # one box: a message under the field sits right under the buttons it is about
        self.box = w.VBox([self.history, self.now, *self.buttons, self.restart])
        self.box.add_class("igm-dialogue-field")
        self.widgets = [self.box]
        self._show_turn()

    def _response_button(self, index: int) -> Any:
        button = w.Button(layout=w.Layout(width="100%", max_width="44em", height="auto"))
        button.add_class("igm-response")
        button.on_click(lambda _b: self._choose_button(index))
        return button

    def turn(self) -> DialogueTurn:
        """The turn the dialogue is at now."""
        turn = self.dialogue.turn(self.dialogue.start)
        for response_id in self.path:
            turn = self.dialogue.turn(next(r for r in turn.responses if r.id == response_id).next)
        return turn

    @property
    def finished(self) -> bool:
        return self.turn().is_ending

    def choose(self, response_id: str) -> bool:
        """Say ``response_id`` at the current turn (``False``: it is not on offer here, or
        the dialogue was graded)."""
        turn = self.turn()
        if self.locked or response_id not in [r.id for r in turn.responses]:
            return False
        self.path.append(response_id)
        self._show_turn()
        return True

    def _choose_button(self, index: int) -> None:
        responses = self.turn().responses
        if index < len(responses) and self.choose(responses[index].id):
            self.focus()

    def begin_again(self) -> None:
        """Clear the whole path: the dialogue starts again (after a grade: a new try)."""
        self.locked = False
        self.path = []
        self._show_turn()
        self.focus()

    def _show_turn(self) -> None:
        name = self.dialogue.client
        turn = self.dialogue.turn(self.dialogue.start)
        steps = []
        for response_id in self.path:
            response = next(r for r in turn.responses if r.id == response_id)
            steps.append((turn.client, response.text))
            turn = self.dialogue.turn(response.next)
        context = {"name": name, "lang": self.lang}
        self.history.value = render("dialogue.html", part="history", steps=steps, **context)
        self.now.value = render(
            "dialogue.html",
            part="now",
            client=turn.client,
            ended=turn.is_ending,
            graded=self.locked,
            again=self.again,
            submit=self.submit_label,
            **context,
        )
        responses = () if self.locked else turn.responses
        for index, button in enumerate(self.buttons):
            shown = index < len(responses)
            button.description = responses[index].text if shown else ""
            button.layout.display = None if shown else "none"
        restart = bool(self.path) and (self.again or not self.locked)
        self.restart.layout.display = None if restart else "none"
        self._recheck()

    def read(self) -> list[str] | None:
        return list(self.path) or None

    def problem(self) -> str | None:
        if not self.path:
            return t("exercise_app.dialogue.not_started", self.lang)
        if not self.finished:
            return t("exercise_app.dialogue.unfinished", self.lang)
        return None

    def focus(self) -> None:
        """The first response to choose from; at an ending, what comes after the field (the
        submit button), never "Begin again": a second Enter must not wipe the dialogue."""
        if not self.finished:
            self.buttons[0].focus()
        elif self.focus_when_done is not None:
            self.focus_when_done()

    def lock(self, again: bool) -> None:
        """Graded: the dialogue stays as it was sent in, read-only; "Begin again" only
        when ``again`` (the same form may be sent again)."""
        self.locked = True
        self.again = again
        self.submit_label = t("exercise_app.resubmit", self.lang)
        self._show_turn()

    def fill(self, value: Any) -> None:
        """Play ``value`` from the start, as far as it is a path of this dialogue."""
        self.locked = False
        self.path = []
        for response_id in value if isinstance(value, list) else ():
            if not self.choose(str(response_id)):
                break
        self._show_turn()


#: The control of each kind of field.
CONTROLS: dict[FieldKind, Callable[[AnswerField, str], Control]] = {
    "choice": ChoiceControl,
    "scale": ScaleControl,
    "number": NumberControl,
    "text": TextControl,
    "multi_select": MultiSelectControl,
    "dialogue": DialogueControl,
}

FieldKey: TypeAlias = tuple[str, str | None]


def answer_sheet(view: Mapping[str, Any]) -> AnswerSheet:
    """The sheet the view's exercise declares (from the view only: no variant needed)."""
    return get_exercise(str(view["exercise"])).answer_sheet(view)


class AnswerForm:
    """Any exercise's form, rendered from its view and declared sheet.

    ``items`` maps each item id to the box where its feedback goes; ``controls`` maps each
    field (item id, part) to its :class:`Control`; :meth:`answers` reads them into the answer
    format of the exercise.
    """

    def __init__(self, view: Mapping[str, Any], sheet: AnswerSheet, lang: str) -> None:
        self.view = view
        self.sheet = sheet
        self.lang = lang
        self.items: dict[str, Any] = {}
        self.controls: dict[FieldKey, Control] = {}
        parts: list[Any] = []
        if view.get("case"):
            parts.append(html_widget(_case_html(view["case"], lang), "igm-case"))
        parts.append(html_widget(text_html("h2", t("exercise_app.answers.heading", lang))))
        parts.extend(_blocks_widgets(sheet.intro))
        for item in sheet.items:
            children = _blocks_widgets(item.intro)
            for field in item.fields:
                control = CONTROLS[field.kind](field, lang)
                self.controls[(field.item, field.part)] = control
                children.extend([*control.widgets, control.error])
            box = w.VBox(children)
            box.add_class("igm-item")
            box.add_class(f"igm-item-{item.id}")
            self.items[item.id] = box
            parts.append(box)
        self.widget = w.VBox(parts)
        self.widget.add_class("igm-exercise-form")

    def control(self, item: str, part: str | None = None) -> Control:
        return self.controls[(item, part)]

    def focus_when_done(self, focus: Callable[[], None]) -> None:
        """Where a step-by-step field sends the keyboard focus once it is done (the app's
        submit button)."""
        for control in self.controls.values():
            control.focus_when_done = focus

    def check(self) -> list[Control]:
        """Show what is missing beside each field (and clear what was fixed); the fields
        still to complete, in the order of the form."""
        missing = []
        for control in self.controls.values():
            message = control.problem()
            control.show(message)
            if message is not None:
                missing.append(control)
        return missing

    def mark(self, item: str, message: str) -> Control | None:
        """Show a message about ``item`` (the grader's, who refused it) at its first field."""
        control = next((c for (i, _part), c in self.controls.items() if i == item), None)
        if control is not None:
            control.show(message)
        return control

    def summary(self, missing: Sequence[Control]) -> str:
        """One sentence for beside the submit button: which parts still need an answer."""
        labels = {i.id: i.label for i in self.sheet.items}
        names: list[str] = []
        for control in missing:
            name = in_sentence(labels.get(control.field.item, control.field.label))
            if name not in names:
                names.append(name)
        return t("exercise_app.invalid.summary", self.lang, items=join_names(names, self.lang))

    def answers(self) -> dict[str, Any]:
        """The answers as the exercise's grader takes them (unanswered fields: ``None``)."""
        out: dict[str, Any] = {}
        for (item, part), control in self.controls.items():
            if part is None:
                out[item] = control.read()
            else:
                out.setdefault(item, {})[part] = control.read()
        return out

    def fill(self, answers: Mapping[str, Any]) -> None:
        """Put answers (in the grader's format) into the controls; items not given stay."""
        for (item, part), control in self.controls.items():
            if item in answers:
                value = answers[item]
                control.fill(value if part is None else (value or {}).get(part))
