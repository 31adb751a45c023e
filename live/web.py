"""Tornado handlers of the live sessions: participant page, trainer screen and JSON API.

Mount :func:`handlers` in any tornado application that has a ``cookie_secret`` (the kit's
Voila server does), or run :func:`make_app` standalone:
``python -m live.web --port 8866 --trainer-token SECRET``.

Pages are Jinja2 templates (:mod:`live.pages`). Tornado's standard parts guard the doors: the
trainer's cookie is a tornado signed cookie (the application's ``cookie_secret``), and every
POST carries tornado's XSRF token (``_xsrf`` form field or ``X-XSRFToken`` header, matching the
``_xsrf`` cookie that every page sets), also when the host application leaves
``xsrf_cookies`` off.

No kernel per participant: a participant costs one row in the database and a poll every few
seconds. The trainer's screen long-polls a feed that wakes on every stored answer.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import hmac
import json
import os
import secrets
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import tornado.locks
import tornado.web

from igm.cases import CaseError
from igm.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from igm.safe_json import loads_limited
from live.conversation import ConversationView, conversation_view, phone_view
from live.forwarded import client_address, is_https
from live.limits import ANSWERS, JOINS_PER_ADDRESS, JOINS_PER_DEVICE, Limit, RateLimiter
from live.pages import (
    case_unavailable_text,
    code_page,
    compile_templates,
    conversation_participant_page,
    conversation_room_html,
    conversation_trainer_page,
    dashboard_page,
    login_page,
    message_page,
    participant_page,
    room_html,
    trainer_page,
)
from live.room import reveal_view, summarise
from live.store import ConversationRoom, LiveError, LiveStore
from live.urls import origin

__all__ = ["TRAINER_COOKIE", "LiveState", "handlers", "make_app"]

T = TypeVar("T")
STATIC_DIR = Path(__file__).resolve().parent / "static"
TRAINER_COOKIE = "igm_live_trainer"
TRAINER_HEADER = "X-Live-Trainer-Token"
#: A phone's signed cookie: a random id of the device, so one device is one participant.
DEVICE_COOKIE = "igm_live_device"
#: How long a device cookie lasts (days): a day of sessions, lunch included.
DEVICE_COOKIE_DAYS = 2
#: How long a trainer's signed cookie is accepted (days); the browser drops it at its close.
TRAINER_COOKIE_DAYS = 7
#: How long the trainer's feed request waits for a change before it answers anyway (s).
FEED_TIMEOUT_S = 20.0
#: How long the participants' view of a session (open? which round?) may be stale (s).
STATE_TTL_S = 1.5
#: How long a computed room summary is reused at the same version (s): changes made by
#: another process (the CLI) reach the trainer's screen within about this time.
SUMMARY_TTL_S = 5.0
#: Trainer-key tries per client address: five at once, then one a minute.
TRAINER_KEY_TRIES = Limit(burst=5, per_second=1 / 60)
#: Trainer logins kept at once (the oldest are dropped beyond it).
MAX_TRAINER_SESSIONS = 1000
CODE_RE = r"([A-Za-z0-9]{4,12})"
MAX_BODY = 4096
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
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
        #: Conversation sessions: the room (path and votes) by code, and its views by language.
        self.talks: dict[str, tuple[int, float, ConversationRoom]] = {}
        self.talk_views: dict[tuple[str, str], tuple[int, ConversationView]] = {}
        self.summary_locks: dict[str, asyncio.Lock] = {}
        self.state_cache: dict[str, tuple[float, dict[str, Any]]] = {}
        #: Rate limits of the participants' API (live.limits), by device or address.
        self.answer_limit = RateLimiter(ANSWERS)
        self.device_join_limit = RateLimiter(JOINS_PER_DEVICE)
        self.address_join_limit = RateLimiter(JOINS_PER_ADDRESS)
        self.trainer_key_limit = RateLimiter(TRAINER_KEY_TRIES)
        #: The trainer's logins: a random id per login (the cookie's value) -> when it
        #: ends (monotonic seconds). In memory: a restart asks the trainer to log in again.
        self.trainer_sessions: dict[str, float] = {}

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

    async def conversation(self, code: str, lang: str) -> tuple[int, ConversationView]:
        """A conversation session's view in ``lang`` at the current version (computed once per
        change and language, whatever the number of phones and screens that ask)."""
        lock = self.summary_locks.setdefault(code, asyncio.Lock())
        async with lock:
            version = self.version(code)
            cached = self.talks.get(code)
            now = time.monotonic()
            if cached and cached[0] == version and now - cached[1] < SUMMARY_TTL_S:
                room = cached[2]
            else:
                room = await self.run(self.store.conversation_room, code)
                if cached and cached[0] == version and cached[2] != room:
                    version = self.changed(code)  # changed by another process (the CLI)
                self.talks[code] = (version, now, room)
            view = self.talk_views.get((code, lang))
            if view is None or view[0] != version:
                built = await self.run(conversation_view, room, lang)
                view = self.talk_views[(code, lang)] = (version, built)
            return version, view[1]

    async def session_state(self, code: str) -> dict[str, Any]:
        now = time.monotonic()
        hit = self.state_cache.get(code)
        if hit and now - hit[0] < STATE_TTL_S:
            return hit[1]
        state = await self.run(self.store.session, code)
        self.state_cache[code] = (now, state)
        return state

    def new_trainer_session(self) -> str:
        """A new login: a random id, the trainer cookie's value (never derived from the key)."""
        now = time.monotonic()
        self.trainer_sessions = {
            k: until for k, until in self.trainer_sessions.items() if until > now
        }
        while len(self.trainer_sessions) >= MAX_TRAINER_SESSIONS:
            del self.trainer_sessions[next(iter(self.trainer_sessions))]
        session = secrets.token_urlsafe(32)
        self.trainer_sessions[session] = now + TRAINER_COOKIE_DAYS * 86400
        return session

    def trainer_session_valid(self, session: str) -> bool:
        until = self.trainer_sessions.get(session)
        return until is not None and until > time.monotonic()


class _Base(tornado.web.RequestHandler):
    state: LiveState
    prefix: str

    def initialize(self, state: LiveState, prefix: str) -> None:
        self.state = state
        self.prefix = prefix

    def set_default_headers(self) -> None:
        self.set_header("Content-Security-Policy", CSP)
        self.set_header("X-Content-Type-Options", "nosniff")
        # Not "no-referrer": with it, browsers send ``Origin: null`` on the page's own form
        # POSTs, which cross_site() refuses. "same-origin" still tells no other host anything.
        self.set_header("Referrer-Policy", "same-origin")
        self.set_header("Cache-Control", "no-store")

    def prepare(self) -> None:
        # Tornado checks the XSRF token of every POST itself when the application has
        # ``xsrf_cookies`` on (make_app does). A host application may leave it off for its
        # own handlers (Voila's server does): these pages check it all the same.
        unsafe = self.request.method not in ("GET", "HEAD", "OPTIONS")
        if unsafe and self.cross_site():
            raise tornado.web.HTTPError(403, "cross-site request")
        if unsafe and not self.settings.get("xsrf_cookies"):
            self.check_xsrf_cookie()

    def cross_site(self) -> bool:
        """Whether the browser says the request comes from another site: an ``Origin`` of
        another host, or ``null`` (a sandboxed frame, a ``data:`` page, a redirect from
        elsewhere), which is never this site. No ``Origin`` (an old browser, a script):
        the XSRF token decides."""
        given = self.request.headers.get("Origin")
        if given is None:
            return False
        if given.strip().lower() == "null":
            return True
        from urllib.parse import urlsplit

        return urlsplit(given.strip()).netloc.lower() != self.request.host.lower()

    @property
    def secure_cookies(self) -> bool:
        """Whether cookies get the ``Secure`` flag: the browser came over HTTPS (this server's
        own, or a trusted proxy's ``X-Forwarded-Proto``)."""
        return is_https(self.request, self.settings)

    def send_page(self, html: str) -> None:
        """Answer an HTML page. It sets tornado's ``_xsrf`` cookie (if the browser has none
        yet): the page's forms and live.js send its token back with every POST."""
        self.xsrf_token  # noqa: B018 (reading the property sets the cookie)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(html)

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
        try:  # nested too deep (TooDeep) or malformed: both a plain 400
            body = loads_limited(self.request.body or b"null")
        except (ValueError, UnicodeDecodeError):
            raise LiveError("live.error.bad_request") from None
        if not isinstance(body, dict):
            raise LiveError("live.error.bad_request")
        return body

    def send_json(self, data: Any) -> None:
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(data, ensure_ascii=False))

    async def send_own(self, lookup: Callable[[str, str], dict[str, Any]]) -> None:
        """Answer a phone's own record: ``lookup(code, token)`` (a store method) of the
        ``{"code", "token"}`` it posted, as JSON; or the error."""
        lang = self.lang()
        try:
            body = self.json_body()
            data = await self.state.run(lookup, str(body.get("code", "")), body.get("token", ""))
        except LiveError as err:
            self.fail(err, lang)
            return
        self.send_json(data)

    # --- participants' devices and rate limits -------------------------------------------
    def device(self) -> str | None:
        """The id in this phone's signed device cookie, or None (no cookie, or a forged one)."""
        value = self.get_signed_cookie(DEVICE_COOKIE, max_age_days=DEVICE_COOKIE_DAYS)
        return value.decode() if value else None

    def new_device(self) -> str:
        """Give this phone a device id (a signed cookie, not readable by scripts)."""
        device = secrets.token_urlsafe(18)
        self.set_signed_cookie(
            DEVICE_COOKIE,
            device,
            expires_days=DEVICE_COOKIE_DAYS,
            path=self.prefix,
            httponly=True,
            samesite="Lax",  # a phone that opens the join link from a QR app sends it too
            secure=self.secure_cookies,
        )
        return device

    def answering_too_fast(self, body: dict[str, Any], lang: str) -> bool:
        """Take a token of this phone's answer bucket (a round's answer or a vote): one bucket
        per device, or per token for a client without the cookie; True when answered 429."""
        key = self.device() or str(body.get("token", "")) or (self.request.remote_ip or "")
        return self.too_fast(self.state.answer_limit, key, "live.error.too_fast_answer", lang)

    def too_fast(self, limiter: RateLimiter, key: str, message: str, lang: str) -> bool:
        """Take a token of ``key``'s bucket; when empty, answer 429 with ``message`` (a
        catalogue key) and a Retry-After header, and return True."""
        wait = limiter.take(key)
        if not wait:
            return False
        self.set_header("Retry-After", str(max(1, round(wait))))
        self.fail(LiveError(message, 429), lang)
        return True

    # --- trainer authentication ----------------------------------------------------------
    def trainer_allowed(self) -> bool:
        token = self.state.trainer_token
        if not token:
            return False
        header = self.request.headers.get(TRAINER_HEADER, "")
        if header and hmac.compare_digest(header.encode(), token.encode()):
            return True
        # Tornado checks the signature (the application's cookie_secret) and the age; the
        # value is one of the server's current logins.
        cookie = self.get_signed_cookie(TRAINER_COOKIE, max_age_days=TRAINER_COOKIE_DAYS)
        return cookie is not None and self.state.trainer_session_valid(cookie.decode())

    def set_trainer_cookie(self) -> None:
        self.set_signed_cookie(
            TRAINER_COOKIE,
            self.state.new_trainer_session(),
            expires_days=None,  # a browser session; the signature ages out after the days above
            path=self.prefix,
            httponly=True,
            samesite="Strict",
            secure=self.secure_cookies,
        )

    def key_tries_left(self) -> bool:
        """Take one trainer-key try of this client's address; False (and Retry-After set)
        when it tried too often: five wrong keys, then one a minute."""
        wait = self.state.trainer_key_limit.take(client_address(self.request, self.settings))
        if wait:
            self.set_header("Retry-After", str(max(1, round(wait))))
        return not wait

    def key_is_right(self, key: str) -> bool:
        token = self.state.trainer_token
        return bool(key and token) and hmac.compare_digest(key.encode(), (token or "").encode())

    def login_from_query(self, target: str) -> bool:
        """``?key=TRAINER_KEY`` (a link printed by the server): set the trainer cookie and
        redirect to ``target`` without the key in the address bar. True when redirected."""
        key = self.get_query_argument("key", "")
        if not key or not self.key_tries_left() or not self.key_is_right(key):
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
            self.send_page(
                login_page(
                    self.prefix,
                    lang,
                    key,
                    bool(self.state.trainer_token),
                    self.request.uri or "",
                    self.xsrf_form_html,
                )
            )
        else:
            self.fail(LiveError(key, 403), lang)
        return False


# ------------------------------------------------------------------------------------------
# Handlers
# ------------------------------------------------------------------------------------------
class JoinPage(_Base):
    async def get(self) -> None:
        lang = self.lang()
        code = self.get_query_argument("code", "").strip().upper()
        if not code:
            self.send_page(code_page(self.prefix, lang))
            return
        try:
            session = await self.state.session_state(code)
        except LiveError as err:
            self.set_status(err.status)
            self.send_page(code_page(self.prefix, lang, t(err.key, lang)))
            return
        lang = self.lang(session["lang"])
        try:
            if session.get("kind") == "conversation":
                _version, view = await self.state.conversation(session["code"], lang)
                page = conversation_participant_page(self.prefix, session, lang, view)
            else:
                page = participant_page(self.prefix, session, lang)
        except CaseError:  # its case file broke and the server has not seen it valid since start
            self.set_status(503)
            page = message_page(
                self.prefix, lang, t("case.skipped.session", lang), css_class="participant"
            )
        self.send_page(page)


class ApiState(_Base):
    async def get(self) -> None:
        lang = self.lang()
        try:
            state = await self.state.session_state(self.get_query_argument("code", ""))
        except LiveError as err:
            self.fail(err, lang)
            return
        data = {"status": state["status"], "round": state["round"], "revealed": state["revealed"]}
        if state.get("kind") == "conversation":  # the turn the room is at, and its phase
            data.update(kind="conversation", step=state["step"], phase=state["phase"])
        self.send_json(data)


class ApiReveal(_Base):
    """What a phone shows once the trainer reveals (live.room.reveal_view), as JSON texts."""

    async def get(self) -> None:
        lang = self.lang()
        code = self.get_query_argument("code", "").strip().upper()
        try:
            _version, summary = await self.state.summary(code)
        except LiveError as err:
            self.fail(err, lang)
            return
        except CaseError:
            self.fail(LiveError("live.error.case", 503), lang)
            return
        view = reveal_view(summary, self.lang(summary["session"]["lang"]))
        self.send_json({"revealed": view is not None, "reveal": view and view.as_json()})


class ApiJoin(_Base):
    async def post(self) -> None:
        lang = self.lang()
        try:
            body = self.json_body()
        except LiveError as err:
            self.fail(err, lang)
            return
        # A known device joins again as the same participant: limited per device. A new
        # device is limited per network address, so a script cannot make participants in bulk.
        device = self.device()
        if device is None:
            if self.too_fast(
                self.state.address_join_limit,
                self.request.remote_ip or "",
                "live.error.too_fast_join",
                lang,
            ):
                return
            device = self.new_device()
        elif self.too_fast(self.state.device_join_limit, device, "live.error.too_fast_join", lang):
            return
        try:
            code = str(body.get("code", "")).upper()
            token, session = await self.state.run(
                self.state.store.join, code, body.get("nickname", ""), device
            )
        except LiveError as err:
            self.fail(err, lang)
            return
        self.state.changed(session["code"])
        self.send_json({"token": token, "session": session})


class ApiMe(_Base):
    """A phone's own answers in the rounds (``{"code", "token"}``)."""

    async def post(self) -> None:
        await self.send_own(self.state.store.my_answers)


class ApiAnswer(_Base):
    async def post(self) -> None:
        lang = self.lang()
        try:
            body = self.json_body()
            code = str(body.get("code", "")).upper()
            if self.answering_too_fast(body, lang):
                return
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
        if self.login_from_query(f"{self.prefix}trainer"):
            return
        if not self.require_trainer(lang, page=True):
            return
        sessions = await self.state.run(self.state.store.sessions)
        xsrf_field = self.xsrf_form_html()  # here: it may set the cookie (not from a thread)
        page = await self.state.run(  # off the event loop: it reads the case folder
            dashboard_page, self.prefix, lang, sessions, lambda: xsrf_field
        )
        self.send_page(page)


class TrainerLogin(_Base):
    def post(self) -> None:
        lang = self.get_body_argument("lang", "")
        lang = lang if lang in LANGUAGES else self.lang()
        key = self.get_body_argument("key", "")
        nxt = self.get_body_argument("next", "") or f"{self.prefix}trainer"
        if not nxt.startswith(self.prefix + "trainer"):  # no open redirect
            nxt = f"{self.prefix}trainer"
        token = self.state.trainer_token
        if not self.key_tries_left():
            self.set_status(429)
            self.send_page(
                login_page(
                    self.prefix,
                    lang,
                    "live.error.trainer_too_many",
                    bool(token),
                    nxt,
                    self.xsrf_form_html,
                )
            )
            return
        if self.key_is_right(key):
            self.set_trainer_cookie()
            self.redirect(nxt)
            return
        self.set_status(403)
        key_name = "live.error.trainer_forbidden" if token else "live.error.trainer_not_configured"
        self.send_page(
            login_page(self.prefix, lang, key_name, bool(token), nxt, self.xsrf_form_html)
        )


class TrainerStart(_Base):
    async def post(self) -> None:
        lang = self.lang()
        if not self.require_trainer(lang):
            return
        case_id = self.get_body_argument("case", "")
        conversation_id = self.get_body_argument("conversation", "")
        slang = self.get_body_argument("lang", lang)
        try:
            if conversation_id:
                session = await self.state.run(
                    self.state.store.create_conversation_session, conversation_id, slang
                )
            else:
                session = await self.state.run(self.state.store.create_session, case_id, slang)
        except CaseError:
            key = "live.conversation.error.conversation" if conversation_id else "live.error.case"
            self.fail(LiveError(key, 404), lang)
            return
        except LiveError as err:
            self.fail(err, lang)
            return
        self.redirect(f"{self.prefix}trainer/{session['code']}")


class TrainerPage(_Base):
    async def get(self, code: str) -> None:
        lang = self.lang()
        if self.login_from_query(f"{self.prefix}trainer/{code.upper()}"):
            return
        if not self.require_trainer(lang, page=True):
            return
        code = code.upper()
        try:
            state = await self.state.session_state(code)
            if state.get("kind") == "conversation":
                await self.conversation_page(state, self.lang(state["lang"]))
                return
            version, summary = await self.state.summary(code)
        except LiveError as err:
            self.set_status(err.status)
            self.send_page(login_page(self.prefix, lang, err.key, True, "", self.xsrf_form_html))
            return
        except CaseError as err:
            self.set_status(503)
            session = await self.state.session_state(code)
            text = case_unavailable_text(session["case_id"], err, lang)
            self.send_page(message_page(self.prefix, lang, text, css_class="trainer"))
            return
        session = summary["session"]
        lang = self.lang(session["lang"])
        # The phones use the address the trainer's browser used (not 127.0.0.1 when the
        # trainer opened the server's Wi-Fi address), unless a public URL is configured.
        base = self.state.public_origin or f"{self.request.protocol}://{self.request.host}"
        self.send_page(trainer_page(self.prefix, base, session, lang, version, summary))

    async def conversation_page(self, session: dict[str, Any], lang: str) -> None:
        try:
            version, view = await self.state.conversation(session["code"], lang)
        except CaseError as err:
            self.set_status(503)
            text = case_unavailable_text(session.get("conversation_id", ""), err, lang)
            self.send_page(message_page(self.prefix, lang, text, css_class="trainer"))
            return
        base = self.state.public_origin or f"{self.request.protocol}://{self.request.host}"
        self.send_page(conversation_trainer_page(self.prefix, base, session, lang, version, view))


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
            state = await self.state.session_state(code)
            if state.get("kind") == "conversation":
                await self.conversation_feed(code, self.lang(state["lang"]))
                return
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
            payload["html"] = room_html(summary, self.lang(summary["session"]["lang"]))
        self.send_json(payload)

    async def conversation_feed(self, code: str, lang: str) -> None:
        try:
            version, view = await self.state.conversation(code, lang)
        except CaseError:
            self.fail(LiveError("live.conversation.error.conversation", 503), lang)
            return
        state = await self.state.session_state(code)
        self.send_json(
            {
                "version": version,
                "summary": {
                    "participants": view.participants,
                    "phase": view.phase,
                    "step": view.step,
                    "votes": {o.id: o.count for o in view.options},
                    "session": {"status": state["status"]},
                },
                "html": conversation_room_html(view, lang),
            }
        )


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


class TrainerConversation(_Base):
    """The trainer moves the room's conversation on: ``{"action": "close", "step": n}`` closes
    the vote (the majority is chosen, a tie waits), ``{"action": "choose", "step": n,
    "response": id}`` is the trainer's pick, ``{"action": "next", "step": n}`` opens the next
    turn (or the ending). ``step`` is the turn the screen shows: a stale screen changes nothing."""

    async def post(self, code: str) -> None:
        lang = self.lang()
        if not self.require_trainer(lang):
            return
        code = code.upper()
        store = self.state.store
        try:
            body = self.json_body()
            action, step = body.get("action"), body.get("step")
            if action == "close" and set(body) == {"action", "step"}:
                session = await self.state.run(store.close_vote, code, step)
            elif action == "choose" and set(body) == {"action", "step", "response"}:
                session = await self.state.run(store.choose, code, step, body["response"])
            elif action == "next" and set(body) == {"action", "step"}:
                session = await self.state.run(store.next_turn, code, step)
            else:
                raise LiveError("live.error.bad_request")
        except LiveError as err:
            if err.status == 409:
                self.state.changed(code)  # the screen was stale: let its feed catch up
            self.fail(err, lang)
            return
        except CaseError:
            self.fail(LiveError("live.conversation.error.conversation", 503), lang)
            return
        self.state.changed(code)
        self.send_json({"session": session})


class ApiConversation(_Base):
    """The turn the room is at, as a phone shows it (the same for every phone: JSON texts)."""

    async def get(self) -> None:
        lang = self.lang()
        code = self.get_query_argument("code", "").strip().upper()
        try:
            state = await self.state.session_state(code)
            if state.get("kind") != "conversation":
                raise LiveError("live.conversation.error.not_conversation", 409)
            _version, view = await self.state.conversation(code, self.lang(state["lang"]))
        except LiveError as err:
            self.fail(err, lang)
            return
        except CaseError:
            self.fail(LiveError("live.conversation.error.conversation", 503), lang)
            return
        self.send_json({"status": state["status"], **phone_view(view, self.lang(state["lang"]))})


class ApiConversationMe(_Base):
    """A phone's own vote at the turn the room is at (``{"code", "token"}``)."""

    async def post(self) -> None:
        await self.send_own(self.state.store.my_vote)


class ApiConversationVote(_Base):
    """A phone's vote: ``{"code", "token", "step", "response"}``; rate-limited per device as
    the rounds' answers are. A new vote at the same turn replaces the phone's last one."""

    async def post(self) -> None:
        lang = self.lang()
        try:
            body = self.json_body()
            code = str(body.get("code", "")).upper()
            if self.answering_too_fast(body, lang):
                return
            vote_id = await self.state.run(
                self.state.store.vote,
                code,
                body.get("token", ""),
                body.get("step"),
                body.get("response"),
            )
        except LiveError as err:
            self.fail(err, lang)
            return
        except CaseError:
            self.fail(LiveError("live.conversation.error.conversation", 503), lang)
            return
        version = self.state.changed(code)
        self.send_json(
            {"ok": True, "id": vote_id, "version": version, "response": body.get("response")}
        )


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
    compile_templates()
    kw = {"state": state, "prefix": prefix}
    return [
        (prefix + r"static/(.*)", Static, {"path": str(STATIC_DIR)}),
        (prefix + r"join/?", JoinPage, kw),
        (prefix + r"api/state", ApiState, kw),
        (prefix + r"api/join", ApiJoin, kw),
        (prefix + r"api/me", ApiMe, kw),
        (prefix + r"api/answer", ApiAnswer, kw),
        (prefix + r"api/reveal", ApiReveal, kw),
        (prefix + r"api/conversation", ApiConversation, kw),
        (prefix + r"api/conversation/me", ApiConversationMe, kw),
        (prefix + r"api/conversation/vote", ApiConversationVote, kw),
        (prefix + r"trainer/?", TrainerHome, kw),
        (prefix + r"trainer/login", TrainerLogin, kw),
        (prefix + r"trainer/start", TrainerStart, kw),
        (prefix + rf"trainer/{CODE_RE}/?", TrainerPage, kw),
        (prefix + rf"trainer/{CODE_RE}/feed", TrainerFeed, kw),
        (prefix + rf"trainer/{CODE_RE}/control", TrainerControl, kw),
        (prefix + rf"trainer/{CODE_RE}/conversation", TrainerConversation, kw),
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
    """A standalone tornado application serving only the live pages.

    Tornado's XSRF protection is on, and the trainer's cookie is signed with ``cookie_secret``
    (default: new random bytes at each start, so a restart asks the trainer to log in again).
    """
    settings.setdefault("cookie_secret", secrets.token_bytes(32))
    settings.setdefault("xsrf_cookies", True)
    return tornado.web.Application(
        handlers(base_url, db_url=db_url, trainer_token=trainer_token, public_url=public_url),
        **settings,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m live.web", description="Serve live sessions.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8866)
    parser.add_argument(
        "--database", default=None, metavar="URL", help="database URL (default: the gradebook's)"
    )
    parser.add_argument("--db", dest="database", help=argparse.SUPPRESS)  # the old spelling
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
    app = make_app(
        db_url=args.database, trainer_token=args.trainer_token, public_url=args.public_url
    )

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
