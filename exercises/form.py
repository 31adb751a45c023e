"""The one form of every exercise: renders any declared answer sheet with ipywidgets.

An exercise declares its form as data (:meth:`exercises.Exercise.answer_sheet`, see
:mod:`exercises._base`); :class:`AnswerForm` shows it, one :class:`Control` per field
kind, and reads it back in the answer format of the exercise's grader. Every input carries
its label (``description``), so a screen reader and the keyboard reach it as any form
field. What the learner reads comes from the package's Jinja2 templates
(``exercises/templates/``, :func:`render`), which escape every text.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeAlias

import ipywidgets as w

from exercises._base import AnswerField, AnswerSheet, Block, FieldKind, OptionList, Paragraph, Table
from exercises.catalog import get_exercise
from igm.i18n import t
from widgets.templates import environment, text_html

__all__ = [
    "CONTROLS",
    "AnswerForm",
    "ChoiceControl",
    "Control",
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


def _dropdown(options: list[tuple[str, str]], description: str, lang: str) -> Any:
    return w.Dropdown(
        options=[(t("exercise_app.choose", lang), ""), *options],
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


class Control(ABC):
    """The widgets of one field: :meth:`read` gives its part of the answers in the grader's
    format (``None`` when unanswered), :meth:`fill` puts such a value back."""

    widgets: list[Any]

    @abstractmethod
    def read(self) -> Any: ...

    @abstractmethod
    def fill(self, value: Any) -> None: ...


class ChoiceControl(Control):
    """A drop-down of the options, "— choose —" first: an option id, or ``None``."""

    def __init__(self, field: AnswerField, lang: str) -> None:
        options = [(o.label, o.id) for o in field.options]
        self.dropdown = _dropdown(options, field.label, lang)
        self.widgets = [self.dropdown]

    def read(self) -> str | None:
        return str(self.dropdown.value) or None

    def fill(self, value: Any) -> None:
        self.dropdown.value = "" if value is None else str(value)


class ScaleControl(Control):
    """A drop-down of the whole numbers ``low..high``: an ``int``, or ``None``."""

    def __init__(self, field: AnswerField, lang: str) -> None:
        assert field.low is not None and field.high is not None
        numbers = [(str(n), str(n)) for n in range(int(field.low), int(field.high) + 1)]
        self.dropdown = _dropdown(numbers, field.label, lang)
        self.widgets = [self.dropdown]

    def read(self) -> int | None:
        return int(self.dropdown.value) if self.dropdown.value else None

    def fill(self, value: Any) -> None:
        self.dropdown.value = "" if value is None else str(value)


class NumberControl(Control):
    """A text box for a number (a decimal comma is fine): a number, ``None`` when empty, or
    the text itself when it is no number (the grader explains)."""

    def __init__(self, field: AnswerField, lang: str) -> None:
        self.box = w.Text(
            value="",
            description=field.label + (f" ({field.unit})" if field.unit else ""),
            placeholder=field.placeholder,
            style={"description_width": "initial"},
            layout=_field_layout(),
        )
        self.widgets = [self.box]

    def read(self) -> Any:
        return _number_or_text(str(self.box.value))

    def fill(self, value: Any) -> None:
        self.box.value = "" if value is None else str(value)


class TextControl(Control):
    """A text area: the text as typed (the grader trims it and checks its length)."""

    def __init__(self, field: AnswerField, lang: str) -> None:
        self.area = w.Textarea(
            value="",
            description=field.label,
            placeholder=field.placeholder,
            # room for what is asked: a few sentences need more than three short lines
            rows=max(3, field.min_length // 25),
            style={"description_width": "initial"},
            layout=w.Layout(width="100%", max_width="44em")
            if field.min_length >= 100
            else _field_layout(),
        )
        self.widgets = [self.area]

    def read(self) -> str:
        return str(self.area.value)

    def fill(self, value: Any) -> None:
        self.area.value = "" if value is None else str(value)


class MultiSelectControl(Control):
    """A checkbox per option with its details, and the budget used so far: a list of the
    chosen option ids."""

    def __init__(self, field: AnswerField, lang: str) -> None:
        self.lang = lang
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

    def fill(self, value: Any) -> None:
        chosen = set(value or ())
        for box, option_id, _cost in self.boxes:
            box.value = option_id in chosen


#: The control of each kind of field.
CONTROLS: dict[FieldKind, Callable[[AnswerField, str], Control]] = {
    "choice": ChoiceControl,
    "scale": ScaleControl,
    "number": NumberControl,
    "text": TextControl,
    "multi_select": MultiSelectControl,
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
                children.extend(control.widgets)
            box = w.VBox(children)
            box.add_class("igm-item")
            box.add_class(f"igm-item-{item.id}")
            self.items[item.id] = box
            parts.append(box)
        self.widget = w.VBox(parts)
        self.widget.add_class("igm-exercise-form")

    def control(self, item: str, part: str | None = None) -> Control:
        return self.controls[(item, part)]

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
