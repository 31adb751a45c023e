"""Domain errors of the gradebook: one base class, each error names the field and the bad value.

Every error carries a catalogue key (``igm/data/catalogue.yaml``) and its parameters, so a UI can
show the message in the learner's language with ``err.message(lang)``; ``str(err)`` is English.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "AccessDenied",
    "AppendOnly",
    "GradebookError",
    "IdentityConflict",
    "InvalidAttempt",
    "InvalidIdentity",
    "RosterError",
    "SignInRefused",
    "SignInThrottled",
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


class SignInRefused(GradebookError, PermissionError):
    """A learner number and personal code that do not belong together. The same error, with
    the same message, for an unknown number, a wrong code and a learner without a code: a
    sign-in never tells whether a number exists."""

    key = "gradebook.error.sign_in_refused"


class SignInThrottled(GradebookError, PermissionError):
    """Too many failed sign-ins for this number (or on this page): wait ``seconds``."""

    key = "gradebook.error.sign_in_throttled"

    def __init__(self, english: str, *, seconds: int) -> None:
        super().__init__(english, seconds=seconds, minutes=max(1, -(-seconds // 60)))
        self.seconds = seconds


class RosterError(GradebookError, ValueError):
    """A roster (class list) that cannot be imported; ``problems`` lists every problem with
    its row and field (:class:`gradebook.codes.RosterProblem`). Nothing was imported."""

    key = "gradebook.error.roster"

    def __init__(self, problems: Sequence[Any]) -> None:
        self.problems = list(problems)
        super().__init__(
            "the roster was not imported: " + "; ".join(str(p) for p in self.problems),
            count=len(self.problems),
        )

    def message(self, lang: str = "en") -> str:
        lines = [super().message(lang), *(p.message(lang) for p in self.problems)]
        return "\n".join(lines)
