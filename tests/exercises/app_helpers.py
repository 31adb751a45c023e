"""Fill an exercise app's form (headless) with a dict in the exercise's answer format."""

from __future__ import annotations

from typing import Any

from exercises.form import AnswerForm


def fill(form: AnswerForm, answers: dict[str, Any]) -> None:
    """Set the form's widgets as a learner would leave them; items not given stay as they are.

    Goes through the generic form's controls, so it knows no exercise.
    """
    form.fill(answers)
