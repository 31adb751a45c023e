"""Fill an exercise app's form (headless) with a dict in the exercise's answer format."""

from __future__ import annotations

from typing import Any

from exercises.app import AnswerForm


def fill(form: AnswerForm, answers: dict[str, Any]) -> None:
    for item_id, value in answers.items():
        field = form.fields[item_id]
        if isinstance(field, list):  # choose-knob: checkboxes
            for box, option_id in field:
                box.value = option_id in value
        elif isinstance(field, tuple):  # intervention plan: dropdown + justification
            field[0].value = value["intervention"]
            field[1].value = value["justification"]
        elif form.view["exercise"] == "predict":
            field.value = f"{value:.1f}"
        else:
            field.value = str(value)
