"""Who a launch says the learner is: a stable learner id, a display name, a language, roles."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from igm.i18n import DEFAULT_LANGUAGE, LANGUAGES

__all__ = [
    "CLAIM",
    "display_name",
    "exercise_from_launch",
    "is_instructor",
    "language",
    "learner_number",
    "roles",
]

#: The LTI claim names' common prefix.
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
#: Roles that may pick an exercise by deep linking (LIS context and institution roles).
INSTRUCTOR_ROLES = ("#Instructor", "#Administrator", "#ContentDeveloper", "#TeachingAssistant")
MAX_NAME = 80


def learner_number(issuer: str, subject: str) -> str:
    """The learner id of the user ``subject`` at platform ``issuer``: ``LTI-`` and 26 letters
    and digits of a SHA-256 of both. The same user gets the same id at every launch; another
    platform's user with the same ``sub`` gets another. It cannot be typed in the standalone
    sign-in (those numbers are 4 to 12 letters or digits), and it grants nothing by itself:
    only a signed launch binds a page to it."""
    digest = hashlib.sha256(f"{issuer}\n{subject}".encode()).digest()
    return "LTI-" + base64.b32encode(digest).decode("ascii")[:26]


def display_name(claims: Mapping[str, Any], fallback: str) -> str:
    """The name the platform gave (``name``, else given and family name), else ``fallback``;
    printable, at most 80 characters."""
    name = str(claims.get("name") or "").strip()
    if not name:
        parts = (claims.get("given_name"), claims.get("family_name"))
        name = " ".join(str(p).strip() for p in parts if p)
    clean = "".join(c for c in name if c.isprintable()).strip()
    return (clean or fallback)[:MAX_NAME]


def language(claims: Mapping[str, Any]) -> str:
    """The page language from the launch's locale (``en-US`` → ``en``); Dutch by default."""
    presentation = claims.get(CLAIM + "launch_presentation") or {}
    locale = str(presentation.get("locale") or claims.get("locale") or "")
    lang = locale.split("-")[0].split("_")[0].lower()
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def roles(claims: Mapping[str, Any]) -> list[str]:
    value = claims.get(CLAIM + "roles") or []
    return [str(r) for r in value] if isinstance(value, list) else []


def is_instructor(role_uris: Sequence[str]) -> bool:
    return any(uri.endswith(role) for uri in role_uris for role in INSTRUCTOR_ROLES)


def exercise_from_launch(claims: Mapping[str, Any]) -> str | None:
    """The exercise a resource link opens: the custom parameter ``exercise`` (set by deep
    linking, or by hand in the platform), else ``?exercise=`` of the target link URI."""
    from urllib.parse import parse_qs, urlsplit

    custom = claims.get(CLAIM + "custom") or {}
    if isinstance(custom, Mapping) and custom.get("exercise"):
        return str(custom["exercise"])
    target = str(claims.get(CLAIM + "target_link_uri") or "")
    values = parse_qs(urlsplit(target).query).get("exercise", [])
    return values[0] if values else None
