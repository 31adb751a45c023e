"""``igm session ...``: start, close, reopen and export live sessions from the terminal.

Called lazily by :mod:`igm_kit.cli`; raises :class:`live.store.LiveError` for the CLI to report.
"""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import quote

from igm.i18n import DEFAULT_LANGUAGE, t
from live.store import LiveError, LiveStore
from live.urls import lan_site_url, site_url

__all__ = [
    "DEFAULT_BASE",
    "DEFAULT_PORT",
    "close",
    "export",
    "reopen",
    "start",
    "start_conversation",
]

#: The port ``igm serve`` listens on by default.
DEFAULT_PORT = 8866
#: This computer only: the address when no network address is found.
DEFAULT_BASE = f"http://127.0.0.1:{DEFAULT_PORT}/"


def phone_site(base: str | None) -> tuple[str, str | None]:
    """The site address for join links and the catalogue key of the hint printed under them.

    ``base`` (``--public-url``) wins; else this computer's address on the Wi-Fi at the default
    port (what ``igm serve --room`` serves), with a hint; else :data:`DEFAULT_BASE`, with a
    warning that phones cannot reach it.
    """
    if base is not None:
        try:
            return site_url(base), None
        except ValueError:
            raise LiveError("live.cli.bad_url") from None
    detected = lan_site_url(DEFAULT_PORT)
    if detected:
        return detected, "live.cli.room_hint"
    return DEFAULT_BASE, "live.cli.url_hint"


def start(
    case: str, lang: str = DEFAULT_LANGUAGE, db: str | None = None, base: str | None = None
) -> str:
    """Create a session; print its code, the participants' URL, a QR code and the trainer URL.

    ``base`` is the server's address as the participants' phones reach it (``--public-url``);
    without it the URLs use this computer's Wi-Fi address (see :func:`phone_site`).
    """
    import segno

    site, hint = phone_site(base)
    store = LiveStore(db)
    try:
        session = store.create_session(case, lang)
    finally:
        store.close()
    code: str = session["code"]
    join = f"{site}live/join?code={quote(code)}"
    print(t("live.cli.started", lang, code=code, case=session["case_id"]))
    print(t("live.cli.join", lang, url=join))
    buffer = io.StringIO()
    segno.make(join, error="m").terminal(out=buffer, compact=True)
    print(buffer.getvalue(), end="")
    print(t("live.cli.trainer", lang, url=f"{site}live/trainer/{code}"))
    if hint is not None:
        print(t(hint, lang))
    return code


def start_conversation(
    conversation: str,
    lang: str = DEFAULT_LANGUAGE,
    db: str | None = None,
    base: str | None = None,
) -> str:
    """Create a session in which the room plays conversation ``conversation`` together; print
    its code, the participants' URL, a QR code and the trainer URL (as :func:`start` does).

    Raises :class:`igm.cases.CaseError` for an unknown or invalid conversation.
    """
    import segno

    site, hint = phone_site(base)
    store = LiveStore(db)
    try:
        session = store.create_conversation_session(conversation, lang)
    finally:
        store.close()
    code: str = session["code"]
    join = f"{site}live/join?code={quote(code)}"
    print(
        t(
            "live.conversation.cli.started",
            lang,
            code=code,
            conversation=session["conversation_id"],
            case=session["case_id"],
        )
    )
    print(t("live.cli.join", lang, url=join))
    buffer = io.StringIO()
    segno.make(join, error="m").terminal(out=buffer, compact=True)
    print(buffer.getvalue(), end="")
    print(t("live.cli.trainer", lang, url=f"{site}live/trainer/{code}"))
    if hint is not None:
        print(t(hint, lang))
    return code


def _update(code: str, status: str, db: str | None, lang: str) -> None:
    store = LiveStore(db)
    try:
        store.update(code, status=status)
    finally:
        store.close()


def close(code: str, db: str | None = None, lang: str = DEFAULT_LANGUAGE) -> None:
    _update(code, "closed", db, lang)
    print(t("live.cli.closed", lang, code=code.upper()))


def reopen(code: str, db: str | None = None, lang: str = DEFAULT_LANGUAGE) -> None:
    _update(code, "open", db, lang)
    print(code.upper())


def export(
    code: str, db: str | None = None, out: str | None = None, all_rows: bool = False
) -> None:
    """The session's answers as CSV, to ``out`` or standard output."""
    store = LiveStore(db)
    try:
        text = store.export_csv(code, all_rows=all_rows)
    finally:
        store.close()
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        print(text, end="")
