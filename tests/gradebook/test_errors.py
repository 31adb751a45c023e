"""Domain errors: one base class, and a message in both languages for each."""

from __future__ import annotations

import pytest

import gradebook.errors as errors
from igm.i18n import LANGUAGES, catalogue

ERROR_CLASSES = [getattr(errors, name) for name in errors.__all__]
KEYS = {cls.key for cls in ERROR_CLASSES} | {
    "gradebook.error.learner_number",
    "gradebook.error.display_name",
}


@pytest.mark.parametrize("key", sorted(KEYS))
def test_every_error_key_is_in_the_catalogue(key: str) -> None:
    """Can every gradebook error be shown in Dutch and in English?"""
    entry = catalogue()[key]
    for lang in LANGUAGES:
        assert entry(lang)


def test_every_error_is_a_gradebook_error() -> None:
    """Can a caller catch all of them with one except clause?"""
    assert all(issubclass(cls, errors.GradebookError) for cls in ERROR_CLASSES)


def test_a_message_in_dutch_names_the_bad_value() -> None:
    """Does the Dutch message keep the value the learner typed?"""
    from gradebook.validation import normalise_learner_number

    with pytest.raises(errors.InvalidIdentity) as info:
        normalise_learner_number("x!", "standalone")
    assert "'x!'" in info.value.message("nl")
    assert "deelnemersnummer" in info.value.message("nl")
    assert "learner number" in info.value.message("en")
