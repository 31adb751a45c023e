"""Tornado handlers of the live sessions: participant page, trainer screen and JSON API.

Mount :func:`handlers` in any tornado application (the kit's Voila server does), or run
:func:`make_app` standalone: ``python -m live.web --port 8866 --trainer-token SECRET``.

No kernel per participant: a participant costs one row in the database and a poll every few
seconds. The trainer's screen long-polls a feed that wakes on every stored answer.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import hashlib
import hmac
import json
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from html import escape
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import tornado.locks
import tornado.web

from igm.cases import CaseError, CaseScan, scan_cases
from igm.determinants import DETERMINANTS
from igm.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from igm.report import lever_name
from live.room import render_room, summarise
from live.store import LiveError, LiveStore, cached_case
from live.urls import origin

__all__ = ["TRAINER_COOKIE", "LiveState", "handlers", "make_app", "qr_svg"]

T = TypeVar("T")
STATIC_DIR = Path(__file__).resolve().parent / "static"
TRAINER_COOKIE = "igm_live_trainer"
TRAINER_HEADER = "X-Live-Trainer-Token"
#: How long the trainer's feed request waits for a change before it answers anyway (s).
FEED_TIMEOUT_S = 20.0
#: How long the participants' view of a session (open? which round?) may be stale (s).
STATE_TTL_S = 1.5
#: How long a computed room summary is reused at the same version (s): changes made by
#: another process (the CLI) reach the trainer's screen within about this time.
SUMMARY_TTL_S = 5.0
CODE_RE = r"([A-Za-z0-9]{4,12})"
MAX_BODY = 4096
#: Each language in its own name.
AUTONYMS = {"nl": "Nederlands", "en": "English"}
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


#: The quiet zone around a QR code, in modules: the four the standard asks for (phones need it
#: to find the code on a busy projector screen).
QR_BORDER = 4


def qr_svg(data: str, label: str) -> str:
    """A QR code as inline SVG (made locally by segno), named for screen readers.

    One unit per module and a ``viewBox`` without ``width``/``height``: the stylesheet sizes it
    and it scales instead of being cropped. ``crispEdges``: no anti-aliased seams between
    modules at sizes that are not a whole number of pixels per module.
    """
    import segno

    svg: str = segno.make(data, error="m").svg_inline(
        scale=1, border=QR_BORDER, omitsize=True, dark="#000", light="#fff", title=label
    )
    return svg.replace(
        "<svg ", f'<svg role="img" aria-label="{escape(label)}" shape-rendering="crispEdges" ', 1
    )


class LiveState:
    """Shared by all handlers: the store, a small thread pool, and per-session versions."""

    def __init__(
        self,
        store: LiveStore,
        trainer_token: str | None,
        workers: int = 4,
        *,
        public_url: str | None = None,
    ) -> None:
        self.store = store
        self.trainer_token = trainer_token or None
        #: Scheme, host and port of the join links and QR codes; None: the trainer's own.
        #: Checked here, so a typo fails at start, not when a room scans the code.
        self.public_origin = origin(public_url) if public_url else None
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="igm-live")
        self.versions: dict[str, int] = {}
        self.conditions: dict[str, tornado.locks.Condition] = {}
        self.summaries: dict[str, tuple[int, float, dict[str, Any]]] = {}
        self.summary_locks: dict[str, asyncio.Lock] = {}
        self.state_cache: dict[str, tuple[float, dict[str, Any]]] = {}

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, lambda: fn(*args, **kwargs))

    def version(self, code: str) -> int:
        return self.versions.setdefault(code, 1)

    def changed(self, code: str) -> int:
        """Record a change to session ``code`` and wake its feeds; returns the new version."""
        self.versions[code] = self.version(code) + 1
        self.state_cache.pop(code, None)
        cond = self.conditions.get(code)
        if cond is not None:
            cond.notify_all()
        return self.versions[code]

    async def wait_change(self, code: str, since: int, timeout: float) -> None:
        if self.version(code) != since:
            return
        cond = self.conditions.setdefault(code, tornado.locks.Condition())
        await cond.wait(timeout=datetime.timedelta(seconds=timeout))

    async def summary(self, code: str) -> tuple[int, dict[str, Any]]:
        lock = self.summary_locks.setdefault(code, asyncio.Lock())
        async with lock:
            version = self.version(code)
            cached = self.summaries.get(code)
            now = time.monotonic()
            if cached and cached[0] == version and now - cached[1] < SUMMARY_TTL_S:
                return version, cached[2]
            payload = await self.run(lambda: summarise(self.store.room(code)))
            if cached and cached[0] == version and cached[2] != payload:
                # Changed by another process (e.g. `igm session close`): a new version.
                version = self.changed(code)
            self.summaries[code] = (version, now, payload)
            return version, payload

    async def session_state(self, code: str) -> dict[str, Any]:
        now = time.monotonic()
        hit = self.state_cache.get(code)
        if hit and now - hit[0] < STATE_TTL_S:
            return hit[1]
        state = await self.run(self.store.session, code)
        self.state_cache[code] = (now, state)
        return state

    def cookie_value(self) -> str:
        assert self.trainer_token
        return hmac.new(
            self.trainer_token.encode(), b"igm-live-trainer-cookie", hashlib.sha256
        ).hexdigest()


class _Base(tornado.web.RequestHandler):
    state: LiveState
    prefix: str

    def initialize(self, state: LiveState, prefix: str) -> None:
        self.state = state
        self.prefix = prefix

    def set_default_headers(self) -> None:
        self.set_header("Content-Security-Policy", CSP)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")
        self.set_header("Cache-Control", "no-store")

    def prepare(self) -> None:
        if self.request.method not in ("GET", "HEAD"):
            self.check_same_origin()

    def check_same_origin(self) -> None:
        """Refuse a POST whose browser says it comes from another site. JSON endpoints also
        need a JSON body (a cross-site form cannot send one without a CORS preflight), and the
        trainer cookie is SameSite=Strict."""
        origin = self.request.headers.get("Origin")
        if origin and origin != "null" and origin.split("://", 1)[-1] != self.request.host:
            raise tornado.web.HTTPError(403, "cross-origin request refused")

    def check_xsrf_cookie(self) -> None:
        """Replaced by :meth:`check_same_origin` (the host app may turn ``xsrf_cookies`` on)."""
        self.check_same_origin()

    def lang(self, fallback: str = DEFAULT_LANGUAGE) -> str:
        lang = self.get_query_argument("lang", "") or fallback
        return lang if lang in LANGUAGES else DEFAULT_LANGUAGE

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        message = exc.log_message if isinstance(exc, tornado.web.HTTPError) else None
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps({"error": message or self._reason}))

    def fail(self, err: LiveError, lang: str) -> None:
        self.set_status(err.status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(
            json.dumps(
                {"error": err.key, "message": t(err.key, lang, **err.values)}, ensure_ascii=False
            )
        )

    def json_body(self) -> dict[str, Any]:
        if len(self.request.body) > MAX_BODY:
            raise LiveError("live.error.bad_request", 413)
        ctype = self.request.headers.get("Content-Type", "").split(";")[0].strip()
        if ctype != "application/json":
            raise LiveError("live.error.bad_request", 415)
        try:
            body = json.loads(self.request.body or b"null")
        except ValueError:
            raise LiveError("live.error.bad_request") from None
        if not isinstance(body, dict):
            raise LiveError("live.error.bad_request")
        return body

    def send_json(self, data: Any) -> None:
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(data, ensure_ascii=False))

    # --- trainer authentication ----------------------------------------------------------
    def trainer_allowed(self) -> bool:
        token = self.state.trainer_token
        if not token:
            return False
        header = self.request.headers.get(TRAINER_HEADER, "")
        if header and hmac.compare_digest(header.encode(), token.encode()):
            return True
        cookie = self.get_cookie(TRAINER_COOKIE, "")
        return bool(cookie) and hmac.compare_digest(
            cookie.encode(), self.state.cookie_value().encode()
        )

    def set_trainer_cookie(self) -> None:
        self.set_cookie(
            TRAINER_COOKIE,
            self.state.cookie_value(),
            path=self.prefix,
            httponly=True,
            samesite="Strict",
        )

    def login_from_query(self, target: str) -> bool:
        """``?key=TRAINER_KEY`` (a link printed by the server): set the trainer cookie and
        redirect to ``target`` without the key in the address bar. True when redirected."""
        key = self.get_query_argument("key", "")
        token = self.state.trainer_token
        if not (key and token and hmac.compare_digest(key.encode(), token.encode())):
            return False
        self.set_trainer_cookie()
        lang = self.get_query_argument("lang", "")
        self.redirect(target + (f"?lang={lang}" if lang in LANGUAGES else ""))
        return True

    def require_trainer(self, lang: str, *, page: bool = False) -> bool:
        """True when allowed; otherwise answers 403 (a login form for pages) and returns False."""
        if self.trainer_allowed():
            return True
        key = (
            "live.error.trainer_forbidden"
            if self.state.trainer_token
            else "live.error.trainer_not_configured"
        )
        self.set_status(403)
        if page:
            self.finish(
                login_page(
                    self.prefix, lang, key, bool(self.state.trainer_token), self.request.uri or ""
                )
            )
        else:
            self.fail(LiveError(key, 403), lang)
        return False


# ------------------------------------------------------------------------------------------
# HTML
# ------------------------------------------------------------------------------------------
def _page(
    title: str, body: str, lang: str, prefix: str, *, css_class: str, script: bool = True
) -> str:
    js = f'<script src="{escape(prefix)}static/live.js" defer></script>' if script else ""
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>"
        f'<link rel="stylesheet" href="{escape(prefix)}static/live.css">{js}</head>'
        f'<body class="{css_class}">{body}</body></html>'
    )


def _lang_link(url: str, lang: str) -> str:
    other = "en" if lang == "nl" else "nl"
    sep = "&" if "?" in url else "?"
    return (
        f'<a class="lang" lang="{other}" hreflang="{other}" href="{escape(url + sep + "lang=" + other)}">'
        f"{escape(t('live.lang.other', lang))}</a>"
    )


def login_page(prefix: str, lang: str, key: str, configured: bool, next_url: str) -> str:
    form = ""
    if configured:
        form = (
            f'<form method="post" action="{escape(prefix)}trainer/login" class="login">'
            f'<input type="hidden" name="next" value="{escape(next_url)}">'
            f'<input type="hidden" name="lang" value="{lang}">'
            f'<label for="key">{escape(t("live.trainer.login_label", lang))}</label>'
            '<input id="key" name="key" type="password" autocomplete="current-password" required>'
            f'<button type="submit">{escape(t("live.trainer.login_button", lang))}</button></form>'
        )
    body = (
        f"<main><h1>{escape(t('live.trainer.title', lang))}</h1>"
        f'<p class="error" role="alert">{escape(t(key, lang))}</p>{form}</main>'
    )
    return _page(
        t("live.trainer.title", lang), body, lang, prefix, css_class="trainer login", script=False
    )


def code_page(prefix: str, lang: str, error: str | None = None) -> str:
    err = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    body = (
        f'<main class="participant">{_lang_link(prefix + "join", lang)}'
        f"<h1>{escape(t('live.join.heading', lang))}</h1>{err}"
        f'<form method="get" action="{escape(prefix)}join">'
        f'<input type="hidden" name="lang" value="{lang}">'
        f'<label for="code">{escape(t("live.join.code_label", lang))}</label>'
        '<input id="code" name="code" autocomplete="off" autocapitalize="characters" '
        'maxlength="12" required aria-describedby="code-help" class="code-input">'
        f'<p id="code-help" class="help">{escape(t("live.join.code_help", lang))}</p>'
        f'<button type="submit">{escape(t("live.join.go", lang))}</button></form></main>'
    )
    return _page(t("live.title", lang), body, lang, prefix, css_class="participant", script=False)


def _msgs(lang: str) -> str:
    keys = [
        "live.saved",
        "live.wait",
        "live.closed",
        "live.network_error",
        "live.join.joined",
        "live.trainer.participants",
    ]
    data = {k: t(k, lang) for k in keys}
    # JSON inside <script type="application/json">: "<" is escaped so "</script>" cannot occur.
    raw = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    return f'<script type="application/json" id="live-msgs">{raw}</script>'


def participant_page(prefix: str, session: dict[str, Any], lang: str) -> str:
    case = cached_case(session["case_id"])
    code = session["code"]
    tb = case.target_behaviour
    target = (
        f"{case.name} {tb.action(lang)} {tb.target(lang)}, {tb.context(lang)}, {tb.time(lang)}."
    )
    paragraphs = "".join(
        f"<p>{escape(' '.join(p.split()))}</p>"
        for p in case.narrative(lang).split("\n\n")
        if p.strip()
    )
    scales = []
    for key in DETERMINANTS:
        opts = "".join(
            f'<label class="opt"><input type="radio" name="{key}" value="{v}" required>'
            f"<span>{v}</span></label>"
            for v in range(1, 8)
        )
        scales.append(
            f'<fieldset class="scale" aria-describedby="d-{key}"><legend>{escape(t(f"determinant.{key}.name", lang))}</legend>'
            f'<p class="help" id="d-{key}">{escape(t(f"determinant.{key}.description", lang))}</p>'
            f'<div class="opts">{opts}</div></fieldset>'
        )
    votes = "".join(
        f'<label class="vote"><input type="radio" name="vote" value="{key}" required>'
        f"<span>{escape(lever_name(key, lang))}</span></label>"
        for key in DETERMINANTS
    )
    submit = f'<button type="submit">{escape(t("live.submit", lang))}</button>'
    msg = '<p class="msg" role="status" aria-live="polite"></p>'
    join_url = f"{prefix}join?code={quote(code)}"
    body = (
        f'<main class="participant" data-code="{escape(code)}" data-api="{escape(prefix)}api/" '
        f'data-round="{int(session["round"])}" data-status="{escape(session["status"])}">'
        f"{_lang_link(join_url, lang)}"
        f'<h1>{escape(t("live.title", lang))} <span class="code">{escape(code)}</span></h1>'
        f'<p class="notice">{escape(t("notice.illustrative", lang))} {escape(t("notice.fictional", lang))}</p>'
        f'<section class="case" aria-labelledby="case-h"><h2 id="case-h">{escape(case.title(lang))}</h2>'
        f"<p>{escape(' '.join(case.summary(lang).split()))}</p>"
        f"<p><strong>{escape(t('live.case.target', lang))}:</strong> {escape(target)}</p>"
        f"<details><summary>{escape(t('live.case.read_more', lang))}</summary>{paragraphs}</details></section>"
        '<p id="live-status" class="status" role="status" aria-live="polite"></p>'
        f'<form id="join" class="card" hidden><label for="nickname">{escape(t("live.join.nickname_label", lang))}</label>'
        '<input id="nickname" name="nickname" maxlength="40" autocomplete="nickname">'
        f'<button type="submit">{escape(t("live.join.button", lang))}</button>{msg}</form>'
        f'<form id="round1" class="card round" data-kind="scores" data-round="1" hidden aria-labelledby="r1-h">'
        f'<h2 id="r1-h">{escape(t("live.round1.heading", lang))}</h2><p>{escape(t("live.round1.intro", lang))}</p>'
        f"{''.join(scales)}{submit}{msg}</form>"
        f'<form id="round2" class="card round" data-kind="prediction" data-round="2" hidden aria-labelledby="r2-h">'
        f'<h2 id="r2-h">{escape(t("live.round2.heading", lang))}</h2>'
        f'<label for="percent">{escape(t("live.round2.label", lang, name=case.name))}</label>'
        '<input id="percent" name="percent" type="number" inputmode="numeric" min="0" max="100" step="1" required>'
        f"{submit}{msg}</form>"
        f'<form id="round3" class="card round" data-kind="vote" data-round="3" hidden aria-labelledby="r3-h">'
        f'<h2 id="r3-h">{escape(t("live.round3.heading", lang))}</h2>'
        f'<fieldset><legend>{escape(t("live.round3.intro", lang))}</legend><div class="votes-opts">{votes}</div></fieldset>'
        f"{submit}{msg}</form>"
        f"{_msgs(lang)}</main>"
    )
    return _page(f"{t('live.title', lang)} {code}", body, lang, prefix, css_class="participant")


def message_page(prefix: str, lang: str, text: str, *, css_class: str) -> str:
    """A page that only says ``text`` (e.g. a session whose case is not available)."""
    body = (
        f"<main><h1>{escape(t('live.title', lang))}</h1>"
        f'<p class="error" role="alert">{escape(text)}</p></main>'
    )
    return _page(t("live.title", lang), body, lang, prefix, css_class=css_class, script=False)


def case_unavailable_text(case_id: str, err: CaseError, lang: str) -> str:
    """For the trainer: which case, and its file's first problem."""
    problem = err.problems[0].text(lang) if err.problems else ""
    return t("case.skipped.session_trainer", lang, case=case_id, problem=problem)


def _read_cases() -> CaseScan:
    try:
        return scan_cases()
    except OSError:  # no cases folder at all: the page says there is nothing to start
        return CaseScan((), ())


def skipped_cases_notice(scan: CaseScan, lang: str) -> str:
    """The trainer's note about case files that were skipped ("" when none was)."""
    warnings = scan.warnings(lang)
    if not warnings:
        return ""
    lines = "".join(f"<li>{escape(line)}</li>" for line in warnings)
    return (
        f'<div class="notice skipped-cases" role="note"><ul>{lines}</ul>'
        f"<p>{escape(t('case.skipped.hint', lang))}</p></div>"
    )


def _session_case_title(case_id: str, lang: str) -> str:
    try:
        return cached_case(case_id).title(lang)
    except CaseError:
        return f"{case_id} ({t('case.skipped.unavailable', lang)})"


def dashboard_page(prefix: str, lang: str, sessions: list[dict[str, Any]]) -> str:
    scan = _read_cases()
    options = "".join(
        f'<option value="{escape(c.id)}">{escape(c.title(lang))}</option>' for c in scan.cases
    )
    if not scan.cases:
        options = f'<option value="" disabled>{escape(t("case.skipped.none", lang))}</option>'
    langs = "".join(
        f'<option value="{code}" lang="{code}"{" selected" if code == lang else ""}>'
        f"{AUTONYMS[code]}</option>"
        for code in LANGUAGES
    )
    rows = "".join(
        f'<li><a href="{escape(prefix)}trainer/{escape(s["code"])}">{escape(s["code"])}</a> · '
        f"{escape(_session_case_title(s['case_id'], lang))} · {escape(t('live.status.' + s['status'], lang))}</li>"
        for s in sessions[:50]
    )
    body = (
        f"<main>{_lang_link(prefix + 'trainer', lang)}<h1>{escape(t('live.trainer.title', lang))}</h1>"
        f'<section class="panel"><h2>{escape(t("live.trainer.start_heading", lang))}</h2>'
        f'<form method="post" action="{escape(prefix)}trainer/start" class="start">'
        f'<label for="case">{escape(t("live.trainer.case_label", lang))}</label><select id="case" name="case">{options}</select>'
        f'<label for="slang">{escape(t("live.trainer.lang_label", lang))}</label><select id="slang" name="lang">{langs}</select>'
        f'<button type="submit">{escape(t("live.trainer.start_button", lang))}</button></form>'
        f"{skipped_cases_notice(scan, lang)}</section>"
        f'<section class="panel"><h2>{escape(t("live.trainer.sessions_heading", lang))}</h2><ul>{rows}</ul></section></main>'
    )
    return _page(
        t("live.trainer.title", lang), body, lang, prefix, css_class="trainer", script=False
    )


def trainer_page(
    prefix: str,
    base: str,
    session: dict[str, Any],
    lang: str,
    version: int,
    summary: dict[str, Any],
) -> str:
    code = session["code"]
    case = cached_case(session["case_id"])
    join_url = f"{base}{prefix}join?code={quote(code)}"
    short_url = f"{base}{prefix}join"
    qr = qr_svg(join_url, t("live.trainer.qr_name", lang, code=code, url=join_url))
    rnd = int(session["round"])
    buttons = "".join(
        f'<button type="button" data-control="round" data-value="{n}" aria-pressed="{"true" if rnd == n else "false"}">'
        f"{escape(t('live.trainer.open_round', lang, n=n))}</button>"
        for n in (1, 2, 3)
    )
    reveal_key = "live.trainer.hide" if session["revealed"] else "live.trainer.reveal"
    status_key = "live.trainer.reopen" if session["status"] == "closed" else "live.trainer.close"
    buttons += (
        f'<button type="button" data-control="revealed" data-value="{"false" if session["revealed"] else "true"}">'
        f"{escape(t(reveal_key, lang))}</button>"
        f'<button type="button" data-control="status" data-value="{"open" if session["status"] == "closed" else "closed"}">'
        f"{escape(t(status_key, lang))}</button>"
        f'<a class="button" href="{escape(prefix)}trainer/{escape(code)}/export.csv">{escape(t("live.trainer.export", lang))}</a>'
    )
    status = t(
        "live.trainer.status", lang, round=rnd, status=t(f"live.status.{session['status']}", lang)
    )
    body = (
        f'<main class="trainer-main" data-code="{escape(code)}" data-feed="{escape(prefix)}trainer/{escape(code)}/feed" '
        f'data-control-url="{escape(prefix)}trainer/{escape(code)}/control" data-version="{version}" '
        f'data-lang="{lang}" data-round="{rnd}" data-status="{escape(session["status"])}" '
        f'data-revealed="{"true" if session["revealed"] else "false"}">'
        # The controls sit under the join text, beside the QR code: a large code costs no height.
        '<header class="top"><div class="head"><div class="join">'
        f"<h1>{escape(case.title(lang))}</h1>"
        f'<p class="join-text">{escape(t("live.trainer.join_at", lang, url=short_url))}</p>'
        f'<p class="bigcode" aria-label="{escape(t("live.join.code_label", lang))} {escape(" ".join(code))}">{escape(code)}</p>'
        f'<p class="counts"><span id="participants">{escape(t("live.trainer.participants", lang, n=summary["participants"]))}</span> · '
        f'<span id="session-status">{escape(status)}</span></p></div>'
        f'<nav class="controls" aria-label="{escape(t("live.trainer.controls", lang))}">{buttons}'
        f"{_lang_link(prefix + 'trainer/' + code, lang)}</nav></div>"
        f'<div class="qr">{qr}</div></header>'
        f'<div id="room" class="room">{render_room(summary, lang)}</div>'
        f"{_msgs(lang)}</main>"
    )
    return _page(f"{t('live.trainer.title', lang)} {code}", body, lang, prefix, css_class="trainer")


# ------------------------------------------------------------------------------------------
# Handlers
# ------------------------------------------------------------------------------------------
class JoinPage(_Base):
    async def get(self) -> None:
        lang = self.lang()
        code = self.get_query_argument("code", "").strip().upper()
        self.set_header("Content-Type", "text/html; charset=utf-8")
        if not code:
            self.finish(code_page(self.prefix, lang))
            return
        try:
            session = await self.state.session_state(code)
        except LiveError as err:
            self.set_status(err.status)
            self.finish(code_page(self.prefix, lang, t(err.key, lang)))
            return
        lang = self.lang(session["lang"])
        try:
            page = participant_page(self.prefix, session, lang)
        except CaseError:  # its case file broke and the server has not seen it valid since start
            self.set_status(503)
            page = message_page(
                self.prefix, lang, t("case.skipped.session", lang), css_class="participant"
            )
        self.finish(page)


class ApiState(_Base):
    async def get(self) -> None:
        lang = self.lang()
        try:
            state = await self.state.session_state(self.get_query_argument("code", ""))
        except LiveError as err:
            self.fail(err, lang)
            return
        self.send_json({"status": state["status"], "round": state["round"]})


class ApiJoin(_Base):
    async def post(self) -> None:
        lang = self.lang()
        try:
            body = self.json_body()
            code = str(body.get("code", "")).upper()
            token, session = await self.state.run(
                self.state.store.join, code, body.get("nickname", "")
            )
        except LiveError as err:
            self.fail(err, lang)
            return
        self.state.changed(session["code"])
        self.send_json({"token": token, "session": session})


class ApiMe(_Base):
    async def post(self) -> None:
        lang = self.lang()
        try:
            body = self.json_body()
            data = await self.state.run(
                self.state.store.my_answers, str(body.get("code", "")), body.get("token", "")
            )
        except LiveError as err:
            self.fail(err, lang)
            return
        self.send_json(data)


class ApiAnswer(_Base):
    async def post(self) -> None:
        lang = self.lang()
        try:
            body = self.json_body()
            code = str(body.get("code", "")).upper()
            answer_id = await self.state.run(
                self.state.store.submit,
                code,
                body.get("token", ""),
                body.get("kind", ""),
                body.get("value"),
            )
        except LiveError as err:
            self.fail(err, lang)
            return
        version = self.state.changed(code)
        self.send_json(
            {"ok": True, "id": answer_id, "version": version, "message": t("live.saved", lang)}
        )


class TrainerHome(_Base):
    async def get(self) -> None:
        lang = self.lang()
        self.set_header("Content-Type", "text/html; charset=utf-8")
        if self.login_from_query(f"{self.prefix}trainer"):
            return
        if not self.require_trainer(lang, page=True):
            return
        sessions = await self.state.run(self.state.store.sessions)
        self.finish(dashboard_page(self.prefix, lang, sessions))


class TrainerLogin(_Base):
    def post(self) -> None:
        lang = self.get_body_argument("lang", "")
        lang = lang if lang in LANGUAGES else self.lang()
        key = self.get_body_argument("key", "")
        nxt = self.get_body_argument("next", "") or f"{self.prefix}trainer"
        if not nxt.startswith(self.prefix + "trainer"):  # no open redirect
            nxt = f"{self.prefix}trainer"
        token = self.state.trainer_token
        if token and hmac.compare_digest(key.encode(), token.encode()):
            self.set_trainer_cookie()
            self.redirect(nxt)
            return
        self.set_status(403)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        key_name = "live.error.trainer_forbidden" if token else "live.error.trainer_not_configured"
        self.finish(login_page(self.prefix, lang, key_name, bool(token), nxt))


class TrainerStart(_Base):
    async def post(self) -> None:
        lang = self.lang()
        if not self.require_trainer(lang):
            return
        case_id = self.get_body_argument("case", "")
        slang = self.get_body_argument("lang", lang)
        try:
            session = await self.state.run(self.state.store.create_session, case_id, slang)
        except CaseError:
            self.fail(LiveError("live.error.case", 404), lang)
            return
        except LiveError as err:
            self.fail(err, lang)
            return
        self.redirect(f"{self.prefix}trainer/{session['code']}")


class TrainerPage(_Base):
    async def get(self, code: str) -> None:
        lang = self.lang()
        self.set_header("Content-Type", "text/html; charset=utf-8")
        if self.login_from_query(f"{self.prefix}trainer/{code.upper()}"):
            return
        if not self.require_trainer(lang, page=True):
            return
        code = code.upper()
        try:
            version, summary = await self.state.summary(code)
        except LiveError as err:
            self.set_status(err.status)
            self.finish(login_page(self.prefix, lang, err.key, True, ""))
            return
        except CaseError as err:
            self.set_status(503)
            session = await self.state.session_state(code)
            text = case_unavailable_text(session["case_id"], err, lang)
            self.finish(message_page(self.prefix, lang, text, css_class="trainer"))
            return
        session = summary["session"]
        lang = self.lang(session["lang"])
        # The phones use the address the trainer's browser used (not 127.0.0.1 when the
        # trainer opened the server's Wi-Fi address), unless a public URL is configured.
        base = self.state.public_origin or f"{self.request.protocol}://{self.request.host}"
        self.finish(trainer_page(self.prefix, base, session, lang, version, summary))


class TrainerFeed(_Base):
    gone = False

    def on_connection_close(self) -> None:
        self.gone = True

    async def get(self, code: str) -> None:
        lang = self.lang()
        if not self.require_trainer(lang):
            return
        code = code.upper()
        try:
            since = int(self.get_query_argument("since", "0"))
        except ValueError:
            since = 0
        await self.state.wait_change(code, since, FEED_TIMEOUT_S)
        if self.gone:  # the trainer's browser went away while we waited
            return
        try:
            version, summary = await self.state.summary(code)
        except LiveError as err:
            self.fail(err, lang)
            return
        except CaseError as err:
            session = await self.state.session_state(code)
            problem = err.problems[0].text(lang) if err.problems else ""
            key = "case.skipped.session_trainer"
            self.fail(LiveError(key, 503, case=session["case_id"], problem=problem), lang)
            return
        payload: dict[str, Any] = {"version": version, "summary": summary}
        if self.get_query_argument("html", "1") != "0":
            payload["html"] = render_room(summary, self.lang(summary["session"]["lang"]))
        self.send_json(payload)


class TrainerControl(_Base):
    async def post(self, code: str) -> None:
        lang = self.lang()
        if not self.require_trainer(lang):
            return
        code = code.upper()
        try:
            body = self.json_body()
            allowed = {"status", "round", "revealed"}
            if not body or set(body) - allowed:
                raise LiveError("live.error.bad_request")
            session = await self.state.run(self.state.store.update, code, **body)
        except LiveError as err:
            self.fail(err, lang)
            return
        self.state.changed(code)
        self.send_json({"session": session})


class TrainerExport(_Base):
    async def get(self, code: str) -> None:
        lang = self.lang()
        if not self.require_trainer(lang):
            return
        code = code.upper()
        try:
            text = await self.state.run(
                self.state.store.export_csv,
                code,
                all_rows=self.get_query_argument("all", "") == "1",
            )
        except LiveError as err:
            self.fail(err, lang)
            return
        self.set_header("Content-Type", "text/csv; charset=utf-8")
        self.set_header("Content-Disposition", f'attachment; filename="live-{code}.csv"')
        self.finish(text)


class Static(tornado.web.StaticFileHandler):
    def set_extra_headers(self, path: str) -> None:
        self.set_header("X-Content-Type-Options", "nosniff")


def handlers(
    base_url: str = "/",
    *,
    db_url: str | None = None,
    trainer_token: str | None = None,
    store: LiveStore | None = None,
    public_url: str | None = None,
) -> list[tuple[Any, ...]]:
    """Tornado URL specs for ``{base_url}live/...``.

    ``trainer_token`` (default: env ``IGM_LIVE_TRAINER_TOKEN``) unlocks the trainer pages;
    without one they refuse. ``db_url`` defaults to the gradebook's (``IGM_DATABASE_URL`` or
    ``var/igm.sqlite3``); the database is migrated on first use. ``public_url``: the address
    phones reach the server at (only its scheme, host and port are used; ``ValueError`` if it
    is not an http(s) address); by default the join links use the trainer's own address.
    """
    if not base_url.endswith("/"):
        base_url += "/"
    prefix = base_url + "live/"
    token = trainer_token if trainer_token is not None else os.environ.get("IGM_LIVE_TRAINER_TOKEN")
    state = LiveState(store or LiveStore(db_url), token, public_url=public_url)
    kw = {"state": state, "prefix": prefix}
    return [
        (prefix + r"static/(.*)", Static, {"path": str(STATIC_DIR)}),
        (prefix + r"join/?", JoinPage, kw),
        (prefix + r"api/state", ApiState, kw),
        (prefix + r"api/join", ApiJoin, kw),
        (prefix + r"api/me", ApiMe, kw),
        (prefix + r"api/answer", ApiAnswer, kw),
        (prefix + r"trainer/?", TrainerHome, kw),
        (prefix + r"trainer/login", TrainerLogin, kw),
        (prefix + r"trainer/start", TrainerStart, kw),
        (prefix + rf"trainer/{CODE_RE}/?", TrainerPage, kw),
        (prefix + rf"trainer/{CODE_RE}/feed", TrainerFeed, kw),
        (prefix + rf"trainer/{CODE_RE}/control", TrainerControl, kw),
        (prefix + rf"trainer/{CODE_RE}/export\.csv", TrainerExport, kw),
    ]


def make_app(
    base_url: str = "/",
    *,
    db_url: str | None = None,
    trainer_token: str | None = None,
    public_url: str | None = None,
    **settings: Any,
) -> tornado.web.Application:
    """A standalone tornado application serving only the live pages."""
    return tornado.web.Application(
        handlers(base_url, db_url=db_url, trainer_token=trainer_token, public_url=public_url),
        **settings,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m live.web", description="Serve live sessions.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8866)
    parser.add_argument("--db", default=None, help="database URL (default: the gradebook's)")
    parser.add_argument(
        "--trainer-token", default=None, help="trainer key (default: $IGM_LIVE_TRAINER_TOKEN)"
    )
    parser.add_argument(
        "--public-url",
        default=None,
        metavar="URL",
        help="the address phones use in join links and QR codes, e.g. http://192.168.1.20:8866/",
    )
    args = parser.parse_args(argv)
    app = make_app(db_url=args.db, trainer_token=args.trainer_token, public_url=args.public_url)

    async def run() -> None:
        app.listen(args.port, address=args.host)
        print(
            f"igm live: http://{args.host}:{args.port}/live/join "
            f"(trainer: http://{args.host}:{args.port}/live/trainer)",
            flush=True,
        )
        await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
