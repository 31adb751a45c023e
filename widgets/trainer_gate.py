"""The trainer token check shared by the trainer apps (dashboard, case editor).

``igm serve`` puts the trainer token in ``IGM_TRAINER_TOKEN``, which every kernel inherits;
a trainer app asks for it before it shows anything.
"""

from __future__ import annotations

import hmac
import os

__all__ = ["token_matches", "trainer_token"]


def trainer_token() -> str | None:
    """The trainer token from the kernel's environment, or None when none is set."""
    return os.environ.get("IGM_TRAINER_TOKEN", "").strip() or None


def token_matches(typed: str, token: str | None) -> bool:
    """Whether ``typed`` is the trainer token (in constant time; never true without a token)."""
    return bool(token) and hmac.compare_digest(typed.encode("utf-8"), (token or "").encode("utf-8"))
