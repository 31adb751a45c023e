"""Domain errors of the gradebook: one base class, each error names the field and the bad value.

Every error carries a catalogue key (``igm/data/catalogue.yaml``) and its parameters, so a UI can
show the message in the learner's language with ``err.message(lang)``; ``str(err)`` is English.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AccessDenied",
    "AppendOnly",
    "GradebookError",
    "IdentityConflict",
    "InvalidAttempt",
    "InvalidIdentity",
    "UnknownLearner",
]


class GradebookError(Exception):
    """Base class of every error the gradebook raises on purpose."""

    key = "gradebook.error.generic"

    def __init__(self, english: str, *, key: str | None = None, **params: Any) -> None:
        super().__init__(english)
        if key is not None:
            self.key = key
        self.params = params

    def message(self, lang: str = "en") -> str:
        """The message from the translation catalogue, in ``lang`` (falls back to English)."""
        try:
            from igm.i18n import t  # the catalogue lives in the engine; imported lazily
        except ImportError:  # pragma: no cover - the gradebook used without igm
            return str(self)
        try:
            return t(self.key, lang, **self.params)
        except (KeyError, ValueError, IndexError):
            return str(self)


class InvalidIdentity(GradebookError, ValueError):
    """A learner number or display name that does not pass validation."""

    key = "gradebook.error.invalid_identity"


class IdentityConflict(GradebookError):
    """A learner number that is already registered under another display name."""

    key = "gradebook.error.identity_conflict"


class UnknownLearner(GradebookError, LookupError):
    """No learner with this learner number is registered."""

    key = "gradebook.error.unknown_learner"


class InvalidAttempt(GradebookError, ValueError):
    """An attempt whose exercise id, variant, answers, scores or maximum are not acceptable."""

    key = "gradebook.error.invalid_attempt"


class AppendOnly(GradebookError):
    """Something tried to change or delete a stored attempt; attempts are never overwritten."""

    key = "gradebook.error.append_only"


class AccessDenied(GradebookError, PermissionError):
    """A view bound to one learner was asked about another learner."""

    key = "gradebook.error.access_denied"
