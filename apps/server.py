"""Serve the igm-kit apps with Voila: a landing page, the apps, and the built book.

``serve()`` runs Voila on ``apps/`` (and ``exercises/`` when it exists) with:

* ``/``            a bilingual landing page linking to every app (nl and en) and the book;
* ``/book/(.*)``   the built Jupyter Book (``book/_build/html``) as static files;
* a Voila template (``apps/jupyter/voila/templates/igm``) that loads nothing from a CDN;
* preheated kernels (``pool_size`` per app notebook), so an app opens without a cold start;
* at most ``max_kernels`` kernels held by pages, ``max_kernels_per_client`` per browser
  (:mod:`apps.kernel_limits`): a page beyond them gets "full, try again shortly" (503) and no
  kernel;
* the learner's identity header (``IGM_IDENTITY_HEADER``) only from ``trusted_proxies``:
  from anyone else it is removed before Voila hands the request's headers to a kernel.

Charts load their JavaScript from a local bundle file (:mod:`widgets.offline`), written once
here before any kernel starts and served as a static file of the template (gzipped, cached by
the browser for a year).
"""

from __future__ import annotations

import os
import re
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from apps.serve_config import ServeConfig
from igm.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from igm.resources import package_path
from widgets.templates import environment

__all__ = [
    "APPS",
    "CLIENT_COOKIE",
    "REPO_ROOT",
    "full_page",
    "landing_page",
    "language_query",
    "make_app_class",
    "make_gzip_transform",
    "prepare_environment",
    "serve",
    "warn_skipped_cases",
]

#: The folder that holds the installed ``apps`` and ``exercises`` packages with their notebooks
#: (the checkout in ``make run``, ``site-packages`` in an installed kit): Voila's root, which
#: renders only :data:`SERVED_FOLDERS` in it.
REPO_ROOT = package_path("apps").parent
#: Notebooks served as apps, with the catalogue key of their title and description.
APPS: tuple[tuple[str, str], ...] = (
    ("apps/explorer.ipynb", "explorer"),
    ("apps/planner.ipynb", "planner"),
    ("apps/caseload.ipynb", "caseload"),
    ("apps/conversation.ipynb", "conversation_app"),
)
#: Folders whose notebooks Voila may render (everything else answers 404).
SERVED_FOLDERS: tuple[str, ...] = ("apps", "exercises")
#: The kit's Voila template and page script (package data of ``apps``), put on JUPYTER_PATH.
TEMPLATE_ROOT = package_path("apps", "jupyter")


def language_query(lang: str) -> str:
    """The query string that opens a page in ``lang``: none for the default language."""
    return "" if lang == DEFAULT_LANGUAGE else "?" + urlencode({"lang": lang})


@dataclass(frozen=True)
class Link:
    """A link of the landing page, with an optional line that says what is behind it."""

    href: str
    text: str
    description: str = ""


@dataclass(frozen=True)
class LandingSection:
    """One language's column of the landing page."""

    lang: str
    apps: list[Link]
    exercises: list[Link]
    trainers: list[Link]
    book: Link | None  # None: the book is not built yet


def landing_section(base_url: str, lang: str, book_built: bool) -> LandingSection:
    """The links of one language's column: apps, exercises, the book, the trainers' pages."""
    from exercises import list_exercises  # content only; grading happens in the kernels

    query = language_query(lang)
    render = f"{base_url}voila/render/"
    return LandingSection(
        lang=lang,
        apps=[
            Link(f"{render}{path}{query}", t(f"{key}.title", lang), t(f"{key}.description", lang))
            for path, key in APPS
        ],
        exercises=[
            Link(f"{render}exercises/{ex.id}.ipynb{query}", ex.title(lang))
            for ex in list_exercises()
        ],
        trainers=[
            Link(f"{render}exercises/dashboard.ipynb{query}", t("dashboard.title", lang)),
            Link(f"{render}apps/case_editor.ipynb{query}", t("case_editor.title", lang)),
            Link(f"{base_url}live/trainer", t("landing.live_trainer", lang)),
            Link(f"{base_url}live/join", t("landing.live_join", lang)),
        ],
        book=(
            Link(f"{base_url}book/{lang}/index.html", t("landing.book.open", lang))
            if book_built
            else None
        ),
    )


def landing_page(base_url: str = "/", book_built: bool = False) -> str:
    """The landing page: every language side by side, links to every app, exercise and the book."""
    sections = [landing_section(base_url, lang, book_built) for lang in LANGUAGES]
    page = environment("apps").get_template("landing.html")
    return page.render(default_lang=DEFAULT_LANGUAGE, sections=sections)


@dataclass(frozen=True)
class RetiredSection:
    """One language's part of a retired exercise's page."""

    lang: str
    heading: str
    message: str
    href: str
    link: str


def retired_page(base_url: str, exercise_id: str) -> str:
    """The page at a retired exercise's old address: it is gone, attempts are kept, and a
    link to the exercise that replaced it (every language, the default first)."""
    from exercises.catalog import RETIRED, get_exercise

    replacement = get_exercise(RETIRED[exercise_id].replaced_by)
    render = f"{base_url}voila/render/exercises/"
    sections = [
        RetiredSection(
            lang=lang,
            heading=t("retired.heading", lang),
            message=t(
                "retired.message",
                lang,
                exercise=exercise_id,
                replacement=replacement.title(lang),
            ),
            href=f"{render}{replacement.id}.ipynb{language_query(lang)}",
            link=t("retired.open", lang, title=replacement.title(lang)),
        )
        for lang in LANGUAGES
    ]
    page = environment("apps").get_template("retired.html")
    return page.render(default_lang=DEFAULT_LANGUAGE, sections=sections)


@dataclass(frozen=True)
class FullSection:
    """One language's part of the "full, try again shortly" page."""

    lang: str
    heading: str
    message: str
    advice: str
    href: str
    retry: str


def full_page(href: str, lang: str, reason: str, held: int) -> str:
    """The page a GET gets when no kernel is free for it: ``reason`` "client" (this browser
    holds ``held`` kernels, its limit) or "server" (all kernels in use); every language, the
    page's own first; ``href`` tries the same page again."""
    languages = [lang, *(x for x in LANGUAGES if x != lang)]
    advice = "server_full.advice_client" if reason == "client" else "server_full.advice_server"
    sections = [
        FullSection(
            lang=x,
            heading=t("server_full.heading", x),
            message=t("server_full.message", x),
            advice=t(advice, x, count=held),
            href=href,
            retry=t("server_full.retry", x),
        )
        for x in languages
    ]
    return environment("apps").get_template("full.html").render(sections=sections)


#: The browser's signed cookie that names it as one client for the kernel limits.
CLIENT_COOKIE = "igm_client"
#: How long a client cookie lasts (days).
CLIENT_COOKIE_DAYS = 30
#: What a "full" page asks the browser to wait before it tries again (seconds).
RETRY_AFTER_SECONDS = 30


#: URL folders (after the base URL) of files that never change while the server runs.
STATIC_PREFIXES: tuple[str, ...] = ("voila/static/", "voila/labextensions/", "voila/templates/")
#: A file name with a content hash in it (``remoteEntry.698dcaf7.js``, ``84.09c61a35dce1705f.js``).
_HASHED_NAME = re.compile(r"[.-][0-9a-f]{8,}\.(?:js|css)$")
#: ``Cache-Control`` of a file whose URL changes with its content.
IMMUTABLE = "public, max-age=31536000, immutable"
#: Upper bound of the memory that compressed static files may take.
GZIP_CACHE_BYTES = 64 * 2**20


def make_gzip_transform(base_url: str = "/") -> Any:
    """A tornado ``OutputTransform``: gzip, with each static file compressed once.

    An app page loads its page script (480 KB, 145 KB gzipped) and the chart bundle (900 KB,
    300 KB gzipped); plain Voila's front end is about 5 MB. Tornado's own
    ``compress_response`` would compress those files again for every learner (~0.2 s of CPU
    per 5 MB, on the event loop that also carries every kernel's websocket); here the gzipped bytes of a static file are kept, keyed by its path
    and content hash (the ``Etag``; else modification time and size), so each is compressed
    once per server (about 2 MB of memory in all). Other responses (the streamed notebook
    page, JSON) are gzipped as they are written, like ``compress_response``. Static files
    whose URL names their content (``?v=`` or a hash in the name) may be cached by the
    browser for a year: the next app a learner opens needs no request for them (Voila's
    labextension handler says ``no-cache``).
    """
    import gzip

    import tornado.httputil
    import tornado.web

    prefixes = tuple(base_url + p for p in STATIC_PREFIXES)

    class CachedGzip(tornado.web.GZipContentEncoding):
        cache: ClassVar[dict[str, bytes]] = {}
        cache_bytes: ClassVar[int] = 0

        def __init__(self, request: tornado.httputil.HTTPServerRequest) -> None:
            super().__init__(request)
            self._path = request.path
            self._static = request.method == "GET" and request.path.startswith(prefixes)
            self._immutable = self._static and (
                "v" in request.query_arguments or bool(_HASHED_NAME.search(request.path))
            )
            self._mode = "stream"  # or "cached" (done), "collect" (compress at the end)
            self._key = ""
            self._parts: list[bytes] = []

        def transform_first_chunk(
            self,
            status_code: int,
            headers: tornado.httputil.HTTPHeaders,
            chunk: bytes,
            finishing: bool,
        ) -> tuple[int, tornado.httputil.HTTPHeaders, bytes]:
            if self._immutable and status_code in (200, 304):
                headers["Cache-Control"] = IMMUTABLE
            # A static file's identity: its content hash, else (Voila's labextension handler
            # sets no Etag) its modification time and size.
            etag = headers.get("Etag") or (
                f"{headers.get('Last-Modified')} {headers.get('Content-Length')}"
                if "Last-Modified" in headers
                else None
            )
            ctype = str(headers.get("Content-Type", "")).split(";")[0]
            if not (
                self._static
                and self._gzipping
                and status_code == 200
                and etag
                and "Content-Length" in headers
                and "Content-Encoding" not in headers
                and self._compressible_type(ctype)
            ):
                return super().transform_first_chunk(status_code, headers, chunk, finishing)
            headers["Vary"] = "Accept-Encoding"
            headers["Content-Encoding"] = "gzip"
            self._key = f"{self._path} {etag}"
            cached = self.cache.get(self._key)
            if cached is not None:
                self._mode = "cached"
                headers["Content-Length"] = str(len(cached))
                return status_code, headers, cached
            self._mode = "collect"
            if finishing:
                body = self._store(chunk)
                headers["Content-Length"] = str(len(body))
                return status_code, headers, body
            del headers["Content-Length"]  # chunked: the compressed size is known at the end
            self._parts.append(chunk)
            return status_code, headers, b""

        def transform_chunk(self, chunk: bytes, finishing: bool) -> bytes:
            if self._mode == "stream":
                return super().transform_chunk(chunk, finishing)
            if self._mode == "cached":
                return b""  # the whole file went out with the first chunk
            self._parts.append(chunk)
            return self._store(b"".join(self._parts)) if finishing else b""

        def _store(self, body: bytes) -> bytes:
            packed = gzip.compress(body, compresslevel=6, mtime=0)
            cls = type(self)
            if cls.cache_bytes + len(packed) <= GZIP_CACHE_BYTES:
                cls.cache[self._key] = packed
                cls.cache_bytes += len(packed)
            return packed

    return CachedGzip


def client_cookie(handler: Any, base_url: str) -> str | None:
    """The browser's client id (its signed cookie), or None; without one, the response
    sets a new one (and None is returned: this request has not shown it yet)."""
    from live.forwarded import is_https

    value = handler.get_signed_cookie(CLIENT_COOKIE, max_age_days=CLIENT_COOKIE_DAYS)
    if value:
        return str(value.decode())
    handler.set_signed_cookie(
        CLIENT_COOKIE,
        secrets.token_urlsafe(18),
        expires_days=CLIENT_COOKIE_DAYS,
        path=base_url,
        httponly=True,
        samesite="Lax",
        secure=is_https(handler.request, handler.settings),
    )
    return None


#: The query parameter of the one redirect that gives a browser its client cookie.
COOKIE_CHECK = "igm_cookie"


def without_query_argument(uri: str, name: str) -> str:
    """``uri`` without the query parameter ``name`` (every other one kept, in order)."""
    parts = urlsplit(uri)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != name]
    return urlunsplit(parts._replace(query=urlencode(kept)))


def with_query_argument(uri: str, name: str, value: str) -> str:
    parts = urlsplit(uri)
    query = [*parse_qsl(parts.query, keep_blank_values=True), (name, value)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def make_app_class() -> Any:
    """A ``voila.app.Voila`` subclass whose own handlers come before Voila's, and whose
    render handler keeps to the kernel limits and the trusted proxies."""
    import tornado.web
    from voila.app import Voila
    from voila.tornado.handler import TornadoVoilaHandler

    from apps.kernel_limits import CURRENT, KernelLedger, Refusal, attach
    from live.forwarded import TRUSTED_PROXIES_SETTING, networks, trusted_peer

    class LandingHandler(tornado.web.RequestHandler):
        def initialize(self, book_dir: Path, base_url: str) -> None:
            self.book_dir = book_dir
            self.base_url = base_url

        def get(self) -> None:
            client_cookie(self, self.base_url)  # the client cookie, before any app is opened
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(landing_page(self.base_url, self.book_dir.is_dir()))

    class LimitedVoilaHandler(TornadoVoilaHandler):  # type: ignore[misc]
        """Voila's page handler: a kernel only within the limits, and the identity header
        only from a trusted proxy."""

        async def get(self, path: str | None = None) -> None:
            self.drop_untrusted_identity()
            keys = self.client_keys()
            if keys is None:
                return  # redirected once to come back with the client cookie
            ledger: KernelLedger = self.settings["igm_kernel_ledger"]
            running = set(self.kernel_manager.list_kernel_ids())
            reservation = ledger.reserve(keys, running)
            if isinstance(reservation, Refusal):
                self.send_full(reservation)
                return
            token = CURRENT.set(reservation)
            try:
                await super().get(path)
            finally:
                CURRENT.reset(token)
                ledger.release(reservation)  # no-op once a kernel was assigned

        def client_keys(self) -> tuple[str, ...] | None:
            """Who asks: the browser's client cookie. A request without one gets the cookie
            and one redirect back to the same page (no kernel yet); a client that comes back
            still without it (it keeps no cookies) is known by its address only, so a
            script that drops cookies is one client per address, and a room of browsers
            behind one address (a school's NAT) are each their own client."""
            from live.forwarded import client_address

            cookie = client_cookie(self, self.base_url)
            checked = COOKIE_CHECK in self.request.query_arguments
            if checked:
                self.forget_query_argument(COOKIE_CHECK)  # the kernel never sees it
            if cookie is not None:
                return (f"cookie:{cookie}",)
            if not checked:
                self.redirect(with_query_argument(self.request.uri or "", COOKIE_CHECK, "1"))
                return None
            return (f"address:{client_address(self.request, self.settings)}",)

        def forget_query_argument(self, name: str) -> None:
            """Remove ``name`` from the request's query before Voila reads it."""
            request = self.request
            request.query_arguments.pop(name, None)
            request.arguments.pop(name, None)
            request.uri = without_query_argument(request.uri or "", name)
            request.query = urlsplit(request.uri).query

        def drop_untrusted_identity(self) -> None:
            """Remove the identity header unless a trusted proxy set it: Voila hands the
            configured headers to the kernel (``HTTP_<NAME>``), which binds the learner."""
            header = os.environ.get("IGM_IDENTITY_HEADER", "").strip()
            if header and not trusted_peer(self.request, self.settings):
                for name in [h for h in self.request.headers if h.lower() == header.lower()]:
                    del self.request.headers[name]

        def send_full(self, refusal: Refusal) -> None:
            lang = self.get_query_argument("lang", DEFAULT_LANGUAGE)
            lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
            self.set_status(503)
            self.set_header("Retry-After", str(RETRY_AFTER_SECONDS))
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            self.finish(
                full_page(self.request.uri or self.base_url, lang, refusal.reason, refusal.held)
            )

    class RetiredHandler(tornado.web.RequestHandler):
        """A retired exercise's old address: 410 Gone, with the way to its replacement."""

        def initialize(self, base_url: str) -> None:
            self.base_url = base_url

        def get(self, exercise_id: str) -> None:
            self.set_status(410)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(retired_page(self.base_url, exercise_id))

    class NotFoundHandler(tornado.web.RequestHandler):
        def get(self, *_args: str) -> None:
            raise tornado.web.HTTPError(404)

    class IgmVoila(Voila):  # type: ignore[misc]
        """Voila with the kit's landing page, book, live sessions and limited rendered folders."""

        #: Unlocks the trainer pages of live sessions (set by :func:`serve`).
        trainer_token: str | None = None
        #: The address phones use in join links and QR codes (set by :func:`serve`); None:
        #: the address the trainer's browser used.
        public_url: str | None = None
        #: The built book served at ``<base>book/`` (set by :func:`serve`); None: the root's
        #: ``book/_build/html`` (a checkout's ``igm book``).
        book_dir: Path | None = None
        #: Kernel limits and trusted proxies (set by :func:`serve`); None: the defaults.
        serve_config: ServeConfig | None = None

        def init_settings(self) -> dict[str, Any]:
            settings: dict[str, Any] = super().init_settings()
            # Voila builds its tornado Application(**settings): this is its transforms list.
            settings["transforms"] = [make_gzip_transform(self.server_url or self.base_url)]
            cfg = self.serve_config or ServeConfig()
            ledger = KernelLedger(cfg.kernel_limit(), cfg.max_kernels_per_client)
            attach(self.kernel_manager, ledger)  # created by super().init_settings()
            settings["igm_kernel_ledger"] = ledger
            settings[TRUSTED_PROXIES_SETTING] = networks(cfg.trusted_proxies)
            return settings

        def init_handlers(self) -> list[Any]:
            import live.web  # live sessions: plain tornado handlers, no kernel per participant

            base = self.server_url or self.base_url
            book_dir = self.book_dir or Path(self.root_dir) / "book" / "_build" / "html"
            allowed = "|".join(SERVED_FOLDERS)
            from exercises.catalog import RETIRED

            retired = "|".join(re.escape(exercise_id) for exercise_id in RETIRED)
            own: list[Any] = [
                (base, LandingHandler, {"book_dir": book_dir, "base_url": base}),
                (
                    base + "book/(.*)",
                    tornado.web.StaticFileHandler,
                    {"path": str(book_dir), "default_filename": "index.html"},
                ),
                # Old links to retired exercises (bookmarks, an LMS) say where to go now.
                (
                    base + rf"voila/render/exercises/({retired})\.ipynb",
                    RetiredHandler,
                    {"base_url": base},
                ),
                # Render only the app folders; no directory listing.
                (base + rf"voila/render/(?!(?:{allowed})/)(.*)", NotFoundHandler),
                (base + r"voila/tree(.*)", NotFoundHandler),
            ]
            own += live.web.handlers(
                base, trainer_token=self.trainer_token, public_url=self.public_url
            )
            import lti.web  # LTI 1.3 under <base>lti/, when IGM_LTI_CONFIG names a config

            own += lti.web.handlers(base, self.port)
            handlers: list[Any] = [
                (spec[0], LimitedVoilaHandler, *spec[2:])
                if spec[1] is TornadoVoilaHandler
                else spec
                for spec in super().init_handlers()
            ]
            return own + handlers

    return IgmVoila


def prepare_environment() -> None:
    """What every process serving the kit's apps needs before Voila starts (idempotent).

    Writes the chart bundle once (kernels only hash the file), puts the kit's template and
    the folder of generated template files (the chart bundle, served at
    ``<base>voila/templates/igm/static/``, see :mod:`widgets.offline`) on ``JUPYTER_PATH``,
    and the source tree on ``PYTHONPATH`` (kernels import igm and widgets from it).
    """
    from widgets.offline import jupyter_dir, write_bundle

    write_bundle()

    def prepend(name: str, *paths: str) -> None:
        current = [p for p in os.environ.get(name, "").split(os.pathsep) if p]
        os.environ[name] = os.pathsep.join([*(p for p in paths if p not in current), *current])

    prepend("JUPYTER_PATH", str(TEMPLATE_ROOT), str(jupyter_dir()))
    prepend("PYTHONPATH", str(REPO_ROOT))


def warn_skipped_cases(lang: str = DEFAULT_LANGUAGE) -> list[str]:
    """Print (stderr, once at startup) the case files the apps and live pages skip, and why.

    The apps and the live trainer page say it again where a trainer looks; the kernels print
    nothing, so the server's output holds one line per bad file. Returns the lines printed.
    """
    from igm.cases import scan_cases

    try:
        lines = scan_cases().warnings(lang)
    except OSError as exc:  # no cases folder: the apps say "no usable case"
        lines = [str(exc)]
    for line in lines:
        print(f"igm: {line}", file=sys.stderr, flush=True)
    return lines


def serve(
    port: int = 8866,
    host: str = "127.0.0.1",
    open_browser: bool = False,
    *,
    config: ServeConfig | None = None,
    root: str | Path | None = None,
    pool_size: int = 1,
    port_retries: int = 0,
    extra_args: list[str] | None = None,
    trainer_token: str | None = None,
    book_dir: str | Path | None = None,
) -> None:
    """Start Voila on the apps and exercises and block until stopped (Ctrl-C).

    ``config`` (see :mod:`apps.serve_config`: host, port, base URL, database URL, kernel
    pools, culling, trainer key, public URL) wins over the plain ``port``/``host``/``pool_size``
    arguments, which build one when it is not given. The trainer key (config, argument,
    env ``IGM_TRAINER_TOKEN``, else the one kept beside the database, made at the first start;
    :func:`apps.serve_config.trainer_key`), printed, unlocks the trainer dashboard, the case
    editor and the trainer pages of live sessions. A server on the network (``--room``) puts
    the room's address (:func:`apps.serve_config.room_address`) in join links and QR codes,
    and prints it. With env ``IGM_IDENTITY_HEADER`` set (e.g.
    ``X-Remote-User``), Voila hands that request header to the exercise kernels, which then
    take the learner's identity from it, but only from the ``trusted_proxies`` (from anyone
    else the header is removed). ``book_dir``: the built book's folder (``igm book
    --out``), served at ``<base>book/``; default ``<root>/book/_build/html``. Prints the URL of
    the landing page.
    """
    from apps.serve_config import (
        discover_notebooks,
        room_address,
        startup_lines,
        trainer_key,
        trainer_key_file,
        voila_config,
    )

    cfg = config or ServeConfig(host=host, port=port, pool_size=pool_size)
    root_dir = (Path(root) if root else REPO_ROOT).resolve()
    prepare_environment()
    warn_skipped_cases()
    if cfg.database_url:
        os.environ["IGM_DATABASE_URL"] = cfg.database_url  # kernels and live sessions
    if cfg.lti_config:  # [serve] lti_config or IGM_LTI_CONFIG: read by lti.web.handlers
        os.environ["IGM_LTI_CONFIG"] = str(Path(cfg.lti_config).expanduser().resolve())
    key = trainer_key(cfg, trainer_token or os.environ.get("IGM_TRAINER_TOKEN"))
    token = key.value
    os.environ["IGM_TRAINER_TOKEN"] = token  # the dashboard kernel compares against it
    # Wrong trainer keys typed in any kernel, counted in one file (widgets.trainer_gate).
    os.environ["IGM_TRAINER_GATE_FILE"] = str(
        trainer_key_file(cfg.database_url).with_name("trainer-key-failures")
    )
    room = room_address(cfg)

    voila = voila_config(cfg, discover_notebooks(root_dir))
    if header := os.environ.get("IGM_IDENTITY_HEADER"):
        voila.VoilaConfiguration.http_header_envs = [header]
        if not cfg.trusted_proxies:
            print(
                f"igm: IGM_IDENTITY_HEADER={header} is ignored: no trusted_proxies are "
                "configured (docs/deployment.md, 'Identity from a proxy header')",
                file=sys.stderr,
                flush=True,
            )
    argv = [
        str(root_dir),
        f"--Voila.port_retries={port_retries}",
        f"--Voila.open_browser={open_browser}",
        "--template=igm",
        "--theme=light",
        "--no-browser" if not open_browser else "",
        *(extra_args or []),
    ]
    app_class = make_app_class()
    app_class.trainer_token = token
    app_class.public_url = room.url if room else None
    app_class.book_dir = Path(book_dir).resolve() if book_dir else None
    app_class.serve_config = cfg
    app = app_class(config=voila)
    app.initialize([a for a in argv if a])
    for line in startup_lines(cfg.host, app.port, app.base_url, key, room):
        print(line, flush=True)
    app.start()


def main(argv: list[str] | None = None) -> int:
    """``python -m apps.server [PORT]``: serve on localhost."""
    args = sys.argv[1:] if argv is None else argv
    serve(port=int(args[0]) if args else 8866)
    return 0


if __name__ == "__main__":
    sys.exit(main())
