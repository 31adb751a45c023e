"""The live pages as HTML: Jinja2 templates (``live/templates/``) filled with plain data.

One :data:`ENV` renders every page and fragment. It escapes every value (``autoescape`` on for
all templates), and a name a template uses but is not given fails loudly (``StrictUndefined``)
instead of showing an empty string. Templates are loaded from the installed package
(``PackageLoader``), so a wheel works as a checkout does.

A case file, a participant or a request may put any text into these pages: it is always a
value that the template escapes, never markup. The one value marked as markup is tornado's
hidden XSRF field (see :func:`_xsrf_field`). Texts come from the catalogue (``t`` in the
templates); this module builds the data the templates show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from igm.cases import CaseError, CaseScan, scan_cases
from igm.conversations import ConversationScan, scan_conversations
from igm.determinants import DETERMINANTS
from igm.i18n import LANGUAGES, t
from igm.report import lever_name
from live.conversation import ConversationView, phone_view
from live.room import room_view
from live.store import cached_case, cached_conversation

__all__ = [
    "ENV",
    "LangLink",
    "QrCode",
    "case_unavailable_text",
    "code_page",
    "compile_templates",
    "conversation_participant_page",
    "conversation_room_html",
    "conversation_trainer_page",
    "dashboard_page",
    "login_page",
    "message_page",
    "participant_page",
    "qr_code",
    "room_html",
    "trainer_page",
]

#: The one environment of the live pages. ``select_autoescape`` with ``default=True`` and
#: ``default_for_string=True``: every template escapes, whatever its name.
ENV = Environment(
    loader=PackageLoader("live", "templates"),
    autoescape=select_autoescape(("html",), default_for_string=True, default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=False,
    auto_reload=False,  # package data: no stat of the template file at every page view
)
ENV.globals["t"] = t

#: The quiet zone around a QR code, in modules: the four the standard asks for (phones need it
#: to find the code on a busy projector screen).
QR_BORDER = 4
#: The messages live.js shows, given to it as JSON in the page.
SCRIPT_MESSAGES = (
    "live.saved",
    "live.answered",
    "live.round_open",
    "live.reveal.shown",
    "live.wait",
    "live.closed",
    "live.network_error",
    "live.join.joined",
    "live.trainer.participants",
)
#: The messages the conversation's script (conversation.js) shows.
CONVERSATION_MESSAGES = (
    "live.closed",
    "live.network_error",
    "live.join.joined",
    "live.trainer.participants",
    "live.conversation.phone.voted",
    "live.conversation.phone.new_turn",
    "live.conversation.phone.closed",
    "live.conversation.phone.shown",
    "live.conversation.phone.ended",
    "live.conversation.option",
)


def render(name: str, **context: Any) -> str:
    return ENV.get_template(name).render(**context)


def compile_templates() -> None:
    """Compile every template now (the environment keeps them): a broken template fails at
    start, and the first participant does not wait for a compilation."""
    for name in ENV.list_templates(extensions=["html"]):
        ENV.get_template(name)


def _xsrf_field(xsrf_form_html: Callable[[], str]) -> Callable[[], Markup]:
    """Tornado's hidden ``_xsrf`` input, for ``{{ xsrf_form_html() }}`` in a form.

    Marked as markup because it is tornado's own HTML: an ``<input>`` whose value tornado
    escapes itself and which holds only the token tornado made (hex digits, ``|`` and a
    timestamp); no text of a case, participant or request reaches it.
    """
    return lambda: Markup(xsrf_form_html())


# ------------------------------------------------------------------------------------------
# Parts of several pages
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LangLink:
    """A link to the same page in another language, named in that language."""

    lang: str
    name: str
    href: str


def lang_links(url: str, lang: str) -> list[LangLink]:
    sep = "&" if "?" in url else "?"
    return [
        LangLink(other, t("live.lang.name", other), f"{url}{sep}lang={other}")
        for other in LANGUAGES
        if other != lang
    ]


def _messages(lang: str, keys: tuple[str, ...] = SCRIPT_MESSAGES) -> dict[str, str]:
    return {key: t(key, lang) for key in keys}


@dataclass(frozen=True)
class QrCode:
    """A QR code as the data of an inline SVG: ``size`` modules square (quiet zone included),
    ``path`` the dark modules (one ``M x y h n v 1 h -n z`` run per row), ``label`` its name."""

    size: int
    path: str
    label: str


def qr_code(data: str, label: str) -> QrCode:
    """The QR code of ``data`` (made locally by segno), as numbers for the SVG template.

    The SVG is drawn by the template from these numbers, so no markup from outside (segno's
    writer included) enters the page; ``label`` is escaped by the template like any text.
    """
    import segno

    qr = segno.make(data, error="m")
    runs: list[str] = []
    for y, row in enumerate(qr.matrix_iter(scale=1, border=QR_BORDER)):
        x = 0
        for dark, modules in groupby(row, key=bool):
            n = len(list(modules))
            if dark:
                runs.append(f"M{x} {y}h{n}v1h-{n}z")
            x += n
    size = int(qr.symbol_size(scale=1, border=QR_BORDER)[0])
    return QrCode(size, "".join(runs), label)


# ------------------------------------------------------------------------------------------
# Pages
# ------------------------------------------------------------------------------------------
def login_page(
    prefix: str,
    lang: str,
    key: str,
    configured: bool,
    next_url: str,
    xsrf_form_html: Callable[[], str],
) -> str:
    """The trainer's login form (only when a trainer key is configured) under message ``key``."""
    return render(
        "login.html",
        prefix=prefix,
        lang=lang,
        error=t(key, lang),
        configured=configured,
        next_url=next_url,
        xsrf_form_html=_xsrf_field(xsrf_form_html),
    )


def code_page(prefix: str, lang: str, error: str | None = None) -> str:
    """The participants' form for a session code."""
    return render(
        "code.html",
        prefix=prefix,
        lang=lang,
        error=error,
        lang_links=lang_links(prefix + "join", lang),
    )


def participant_page(prefix: str, session: dict[str, Any], lang: str) -> str:
    """A participant's page of session ``session``: the case and the three rounds' forms."""
    case = cached_case(session["case_id"])
    code = session["code"]
    tb = case.target_behaviour
    target = (
        f"{case.name} {tb.action(lang)} {tb.target(lang)}, {tb.context(lang)}, {tb.time(lang)}."
    )
    return render(
        "participant.html",
        prefix=prefix,
        lang=lang,
        code=code,
        current_round=int(session["round"]),
        status=session["status"],
        revealed=bool(session["revealed"]),
        lang_links=lang_links(f"{prefix}join?code={quote(code)}", lang),
        case_title=case.title(lang),
        case_name=case.name,
        case_summary=" ".join(case.summary(lang).split()),
        target=target,
        paragraphs=[" ".join(p.split()) for p in case.narrative(lang).split("\n\n") if p.strip()],
        determinants=DETERMINANTS,
        levers=[(key, lever_name(key, lang)) for key in DETERMINANTS],
        messages=_messages(lang),
    )


def message_page(prefix: str, lang: str, text: str, *, css_class: str) -> str:
    """A page that only says ``text`` (e.g. a session whose case is not available)."""
    return render("message.html", prefix=prefix, lang=lang, text=text, css_class=css_class)


def case_unavailable_text(case_id: str, err: CaseError, lang: str) -> str:
    """For the trainer: which case, and its file's first problem."""
    problem = err.problems[0].text(lang) if err.problems else ""
    return t("case.skipped.session_trainer", lang, case=case_id, problem=problem)


def _read_cases() -> CaseScan:
    try:
        return scan_cases()
    except OSError:  # no cases folder at all: the page says there is nothing to start
        return CaseScan((), ())


def _session_case_title(case_id: str, lang: str) -> str:
    try:
        return cached_case(case_id).title(lang)
    except CaseError:
        return f"{case_id} ({t('case.skipped.unavailable', lang)})"


def _read_conversations() -> ConversationScan:
    try:
        return scan_conversations()
    except OSError:  # no cases folder: no conversations to start
        return ConversationScan((), ())


def _session_title(session: dict[str, Any], lang: str) -> str:
    """A session in the trainer's list: its case, or its conversation (marked as one)."""
    if session.get("kind") != "conversation":
        return _session_case_title(session["case_id"], lang)
    try:
        title = cached_conversation(session["conversation_id"]).title(lang)
    except CaseError:
        title = f"{session['conversation_id']} ({t('case.skipped.unavailable', lang)})"
    return t("live.conversation.session_title", lang, title=title)


def dashboard_page(
    prefix: str,
    lang: str,
    sessions: list[dict[str, Any]],
    xsrf_form_html: Callable[[], str],
) -> str:
    """The trainer's home: start a session (the valid cases; the skipped files named), and
    the latest 50 sessions."""
    scan = _read_cases()
    talks = _read_conversations()
    return render(
        "dashboard.html",
        prefix=prefix,
        lang=lang,
        lang_links=lang_links(prefix + "trainer", lang),
        cases=[(c.id, c.title(lang)) for c in scan.cases],
        conversations=[(c.id, c.title(lang)) for c in talks.conversations],
        conversation_problems=[p.text(lang) for p in talks.problems],
        languages=[(code, t("live.lang.name", code)) for code in LANGUAGES],
        skipped=scan.warnings(lang),
        sessions=[
            {
                "code": s["code"],
                "title": _session_title(s, lang),
                "status": t("live.status." + s["status"], lang),
            }
            for s in sessions[:50]
        ],
        xsrf_form_html=_xsrf_field(xsrf_form_html),
    )


def trainer_page(
    prefix: str,
    base: str,
    session: dict[str, Any],
    lang: str,
    version: int,
    summary: dict[str, Any],
) -> str:
    """The trainer's screen on the projector: the join code and QR code, the controls and the
    room (:func:`live.room.room_view`). ``base``: scheme, host and port the phones use."""
    code = session["code"]
    case = cached_case(session["case_id"])
    join_url = f"{base}{prefix}join?code={quote(code)}"
    rnd = int(session["round"])
    status = t(
        "live.trainer.status", lang, round=rnd, status=t(f"live.status.{session['status']}", lang)
    )
    return render(
        "trainer.html",
        prefix=prefix,
        lang=lang,
        code=code,
        version=version,
        current_round=rnd,
        status=session["status"],
        revealed=bool(session["revealed"]),
        status_text=status,
        case_title=case.title(lang),
        short_url=f"{base}{prefix}join",
        address=address_lines(f"{base}{prefix}join"),
        participants=summary["participants"],
        qr=qr_code(join_url, t("live.trainer.qr_name", lang, code=code, url=join_url)),
        lang_links=lang_links(f"{prefix}trainer/{code}", lang),
        room=room_view(summary, lang),
        messages=_messages(lang),
    )


def address_lines(url: str) -> tuple[str, str]:
    """The join address as the projector shows it in large type: the host (with its port) and
    the path, on two lines; ``http://`` left out (a phone's browser adds it), ``https://`` kept."""
    scheme, _, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    return (host if scheme == "http" else f"{scheme}://{host}"), slash + path


def room_html(summary: dict[str, Any], lang: str) -> str:
    """The live part of the trainer screen as an HTML fragment (the feed sends it)."""
    return render("room.html", room=room_view(summary, lang), lang=lang)


# ------------------------------------------------------------------------------------------
# Conversation sessions (issue 18): the room plays a conversation together
# ------------------------------------------------------------------------------------------
def conversation_participant_page(
    prefix: str, session: dict[str, Any], lang: str, view: ConversationView
) -> str:
    """A phone's page of a conversation session: the conversation, the join form, and the
    turn the room is at (conversation.js fills and follows it from ``view`` as JSON)."""
    conversation = cached_conversation(session["conversation_id"])
    code = session["code"]
    return render(
        "conversation_participant.html",
        prefix=prefix,
        lang=lang,
        code=code,
        status=session["status"],
        lang_links=lang_links(f"{prefix}join?code={quote(code)}", lang),
        title=conversation.title(lang),
        summary=" ".join(conversation.summary(lang).split()),
        role=" ".join(conversation.role(lang).split()),
        view=phone_view(view, lang),
        messages=_messages(lang, CONVERSATION_MESSAGES),
    )


def conversation_trainer_page(
    prefix: str,
    base: str,
    session: dict[str, Any],
    lang: str,
    version: int,
    view: ConversationView,
) -> str:
    """The projector's page of a conversation session: join code, QR code, and the room's
    conversation (:func:`conversation_room_html`)."""
    code = session["code"]
    join_url = f"{base}{prefix}join?code={quote(code)}"
    return render(
        "conversation_trainer.html",
        prefix=prefix,
        lang=lang,
        code=code,
        version=version,
        status=session["status"],
        status_text=t(f"live.status.{session['status']}", lang),
        title=view.title,
        short_url=f"{base}{prefix}join",
        address=address_lines(f"{base}{prefix}join"),
        participants=view.participants,
        qr=qr_code(join_url, t("live.trainer.qr_name", lang, code=code, url=join_url)),
        lang_links=lang_links(f"{prefix}trainer/{code}", lang),
        view=view,
        messages=_messages(lang, CONVERSATION_MESSAGES),
    )


def conversation_room_html(view: ConversationView, lang: str) -> str:
    """The live part of the projector's conversation (the feed sends it on every change)."""
    return render("conversation_room.html", view=view, lang=lang)
