"""``igm session ...``: start, close, reopen and export live sessions from the terminal.

Called lazily by :mod:`igm_kit.cli`; raises :class:`live.store.LiveError` for the CLI to report.
"""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import quote

from igm.i18n import DEFAULT_LANGUAGE, t
from live.store import LiveError, LiveStore
from live.urls import site_url

__all__ = ["DEFAULT_BASE", "close", "export", "reopen", "start"]

#: Where ``igm serve`` listens by default: reachable from this computer only.
DEFAULT_BASE = "http://127.0.0.1:8866/"


def start(
    case: str, lang: str = DEFAULT_LANGUAGE, db: str | None = None, base: str | None = None
) -> str:
    """Create a session; print its code, the participants' URL, a QR code and the trainer URL.

    ``base`` is the server's address as the participants' phones reach it (``--url``); without
    it the URLs use :data:`DEFAULT_BASE` and a hint says that phones need the Wi-Fi address.
    """
    import segno

    try:
        site = site_url(base) if base is not None else DEFAULT_BASE
    except ValueError:
        raise LiveError("live.cli.bad_url") from None
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
    if base is None:
        print(t("live.cli.url_hint", lang))
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
