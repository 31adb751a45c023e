"""Configuration of ``igm serve``: one typed object, from defaults, a TOML file, env and flags.

Precedence, lowest first: the defaults below; the ``[serve]`` table of a TOML file (``--config
PATH``, else ``igm.toml`` in the working directory when it exists, else none); the environment
(``IGM_DATABASE_URL``, ``IGM_TRAINER_TOKEN``, ``IGM_LTI_CONFIG``); command-line flags. Secrets
(database password, trainer key) belong in the environment or a file readable only by the
server's user, not on the command line (every local user can read another process's arguments).

A room (``igm serve --room``): the server listens on every interface (``0.0.0.0``) and the join
links and QR codes of live sessions use the address phones reach it at (:func:`room_address`:
``public_url`` when set, else this computer's address on the Wi-Fi). Without a configured
trainer key, :func:`trainer_key` makes one once and keeps it beside the SQLite database
(``trainer-key``, readable by the owner only), so it survives a restart.

Example ``igm.toml``::

    [serve]
    host = "0.0.0.0"          # listen on every interface (a room's Wi-Fi, or a reverse proxy)
    public_url = "http://192.168.1.20:8866/"   # the address phones use (default: detected)
    port = 8866
    base_url = "/igm/"        # the kit is served under https://example.org/igm/
    pool_size = 2             # preheated kernels per app notebook (0: no preheating)
    cull_idle_seconds = 900   # stop kernels idle and disconnected for 15 min (0: never)
    max_kernels = 80          # learners' kernels at once (default: from this computer's memory)
    max_kernels_per_client = 6   # one browser (cookie) or, without one, one address
    unconnected_kernel_seconds = 120  # stop a page's kernel that no browser connected to
    trusted_proxies = ["127.0.0.1"]   # only these may send IGM_IDENTITY_HEADER, X-Forwarded-*
    lti_config = "/srv/igm/lti.json"   # LTI 1.3 on (docs/lti.md); env IGM_LTI_CONFIG wins

    [serve.pools]             # per-notebook pool sizes, e.g. the app the room opens first
    "apps/explorer.ipynb" = 24

:func:`voila_config` turns a :class:`ServeConfig` into the traitlets ``Config`` Voila reads
(the same names as a ``voila.json``): ``Voila.ip/port/base_url``,
``VoilaConfiguration.preheat_kernel/default_pool_size``,
``VoilaKernelManager.kernel_pools_config/fill_delay`` and
``MappingKernelManager.cull_idle_timeout/cull_interval``,
``VoilaConfiguration.page_config_hook`` (:func:`apps.page.page_config_hook`: the texts of
the kit's page script, and no JupyterLab extensions, which only Voila's own front end loads).
It also sets
``VoilaConfiguration.multi_kernel_manager_class`` to :class:`PoolAwareKernelManager`:
without it the idle culler stops the preheated kernels waiting in the pool (they are idle and
have no connection), and Voila does not refill a pool when one of its kernels is shut down, so
a server with culling on would lose its pool after ``cull_idle_seconds``, and it stops a
page's kernel that never got a browser's websocket after ``unconnected_kernel_seconds`` (a
script that only GETs pages). How many kernels the pages may hold (``max_kernels``,
``max_kernels_per_client``) is checked by the app server (:mod:`apps.server`) before a page
takes or starts a kernel.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import re
import secrets
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_CONFIG_FILE",
    "ROOM_HOST",
    "TRAINER_KEY_FILE",
    "RoomAddress",
    "ServeConfig",
    "ServeConfigError",
    "TrainerKey",
    "add_serve_arguments",
    "config_from_args",
    "discover_notebooks",
    "load_serve_config",
    "room_address",
    "startup_lines",
    "trainer_key",
    "trainer_key_file",
    "voila_config",
]

#: Read when present in the working directory and no ``--config`` is given.
DEFAULT_CONFIG_FILE = "igm.toml"
#: Notebooks a trainer opens, one at a time: never a room-sized pool by default.
TRAINER_NOTEBOOKS: frozenset[str] = frozenset(
    {"apps/case_editor.ipynb", "exercises/dashboard.ipynb"}
)
#: Folders (relative to the served root) whose notebooks get a kernel pool.
POOLED_FOLDERS: tuple[str, ...] = ("apps", "exercises")
DATABASE_SCHEMES: tuple[str, ...] = ("sqlite", "postgresql", "postgresql+psycopg")
MAX_POOL_SIZE = 128
MIN_TOKEN_LENGTH = 16
#: Memory one learner's kernel takes (measured: 20 exercise pages took 2.6 GB), for the default
#: of ``max_kernels``.
KERNEL_BYTES = 150 * 2**20
#: The share of this computer's memory the default ``max_kernels`` may fill with kernels.
KERNEL_MEMORY_SHARE = 0.75
MAX_KERNELS = 2000
#: About how many notebooks get a pool of ``pool_size`` (apps and exercises).
POOLED_NOTEBOOKS = 10
#: What ``--room`` listens on: every interface, so phones on the room's Wi-Fi reach the server.
ROOM_HOST = "0.0.0.0"
#: The file that keeps a generated trainer key, beside the SQLite database (or in the kit's
#: data folder when the database is not a SQLite file).
TRAINER_KEY_FILE = "trainer-key"
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
_NOTEBOOK = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_./-]*\.ipynb$")


class ServeConfigError(ValueError):
    """A setting has a wrong value: the message names the field, where it came from, and what
    is allowed. It never repeats a secret."""

    def __init__(self, field_name: str, problem: str, allowed: str, source: str = "") -> None:
        where = f" (from {source})" if source else ""
        super().__init__(f"{field_name}{where}: {problem}; allowed: {allowed}")
        self.field = field_name
        self.problem = problem
        self.allowed = allowed

    def from_source(self, source: str) -> ServeConfigError:
        """The same error, saying where the value came from."""
        return ServeConfigError(self.field, self.problem, self.allowed, source)


@dataclass(frozen=True, repr=False)
class ServeConfig:
    """Everything ``igm serve`` needs to know. Build it with :func:`load_serve_config`."""

    #: Address to listen on: loopback by default; ``0.0.0.0`` for a room (``--room``) or
    #: behind a reverse proxy.
    host: str = "127.0.0.1"
    port: int = 8866
    #: URL prefix the kit is served under; starts and ends with ``/``.
    base_url: str = "/"
    #: Gradebook database (``sqlite:///PATH`` or ``postgresql+psycopg://…``); None: the
    #: gradebook's own default (``var/igm.sqlite3`` in a checkout).
    database_url: str | None = None
    #: Preheated kernels kept ready per app/exercise notebook; 0 turns preheating off. One
    #: suits a learner on a laptop; size it to the room for a session (docs/deployment.md).
    pool_size: int = 1
    #: Per-notebook pool sizes (path relative to the root, e.g. ``apps/explorer.ipynb``),
    #: overriding ``pool_size`` for that notebook.
    pools: Mapping[str, int] = field(default_factory=dict)
    #: Stop kernels idle (and without an open page) this long; 0 never culls.
    cull_idle_seconds: int = 1800
    #: Seconds after a pooled kernel is taken before Voila starts its replacement. A longer
    #: delay moves the replacements' CPU load after a room's rush, but a learner who finds
    #: every ready kernel taken waits for a scheduled replacement: keep it ≤ 30 s.
    refill_delay_seconds: float = 2.0
    #: The trainer key (dashboard, case editor, live sessions' trainer screen); None: the one
    #: kept in :data:`TRAINER_KEY_FILE`, made at the first start (see :func:`trainer_key`).
    trainer_token: str | None = None
    #: The address phones use in join links and QR codes (``http://192.168.1.20:8866/``);
    #: None: detected when the server listens on the network (see :func:`room_address`).
    public_url: str | None = None
    #: The most kernels the pages may hold at once (preheated kernels waiting in a pool not
    #: counted); a page beyond it gets "full, try again shortly" (503). None: from this
    #: computer's memory (:meth:`kernel_limit`).
    max_kernels: int | None = None
    #: The most kernels one client (a browser's signed cookie, else its network address) may
    #: hold at once: a learner with a few tabs open, not a script that GETs pages in a loop.
    max_kernels_per_client: int = 6
    #: Stop a page's kernel once it has been idle this long when no browser ever connected
    #: to it (a GET without the page's websocket); 0: leave it to the idle culler.
    unconnected_kernel_seconds: int = 120
    #: Addresses (or networks, ``10.0.0.0/8``) of the reverse proxies in front of the server:
    #: only requests from them may set the learner's identity header (``IGM_IDENTITY_HEADER``)
    #: or say the client's address and scheme (``X-Forwarded-For``, ``X-Forwarded-Proto``).
    #: Also ``IGM_TRUSTED_PROXIES`` (comma-separated). Empty: no one.
    trusted_proxies: tuple[str, ...] = ()
    #: The LTI 1.3 configuration (a JSON file, ``docs/lti.md``; relative to the working
    #: directory); env ``IGM_LTI_CONFIG`` wins over the file. None: LTI is off.
    lti_config: str | None = None

    def __post_init__(self) -> None:
        validate(self)

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.redacted().items())
        return f"ServeConfig({shown})"

    @property
    def cull_interval_seconds(self) -> int:
        """How often the culler looks: a quarter of the idle time, between 10 s and 5 min."""
        return max(10, min(300, self.cull_idle_seconds // 4))

    @property
    def cull_interval_for_unconnected(self) -> int:
        """How often the culler looks when it also stops kernels no browser connected to."""
        interval = self.cull_interval_seconds if self.cull_idle_seconds else 300
        if self.unconnected_kernel_seconds:
            interval = min(interval, max(5, self.unconnected_kernel_seconds // 4))
        return interval

    def kernel_limit(self, memory_bytes: int | None = None) -> int:
        """``max_kernels``, else what fits in :data:`KERNEL_MEMORY_SHARE` of ``memory_bytes``
        (default: this computer's memory) at :data:`KERNEL_BYTES` each, less the kernels the
        pools keep waiting (at least 4)."""
        if self.max_kernels is not None:
            return self.max_kernels
        memory = memory_bytes if memory_bytes is not None else physical_memory()
        fits = int(memory * KERNEL_MEMORY_SHARE) // KERNEL_BYTES
        waiting = self.pool_size * POOLED_NOTEBOOKS + sum(self.pools.values())
        return max(4, min(MAX_KERNELS, fits - waiting))

    def pool_size_for(self, notebook: str) -> int:
        """Preheated kernels for ``notebook``: its entry in ``pools``, else ``pool_size``; a
        trainer's notebook (one user at a time) gets at most one unless ``pools`` says more."""
        default = min(self.pool_size, 1) if notebook in TRAINER_NOTEBOOKS else self.pool_size
        return int(self.pools.get(notebook, default))

    def redacted(self) -> dict[str, Any]:
        """The settings as a dict that is safe to print or log (no password, no token)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["pools"] = dict(self.pools)
        out["trusted_proxies"] = list(self.trusted_proxies)
        out["database_url"] = _redact_url(self.database_url)
        out["trainer_token"] = "***" if self.trainer_token else None
        return out


def _redact_url(url: str | None) -> str | None:
    if url is None:
        return None
    return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", url)


def physical_memory() -> int:
    """This computer's memory in bytes (8 GiB when the system does not say)."""
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):  # Windows has no sysconf
        return 8 * 2**30


def _check_int(name: str, value: Any, lo: int, hi: int, allowed: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ServeConfigError(name, f"{value!r} is not a whole number", allowed)
    if not lo <= value <= hi:
        raise ServeConfigError(name, f"{value} is out of range", allowed)


def validate(cfg: ServeConfig) -> None:
    """Raise :class:`ServeConfigError` for the first wrong field."""
    if not isinstance(cfg.host, str) or not cfg.host:
        raise ServeConfigError("host", f"{cfg.host!r} is empty", "an IP address or host name")
    try:
        ipaddress.ip_address(cfg.host)
    except ValueError:
        if not _HOSTNAME.match(cfg.host):
            raise ServeConfigError(
                "host",
                f"{cfg.host!r} is neither an IP address nor a host name",
                "e.g. 127.0.0.1, 0.0.0.0, ::1, localhost",
            ) from None
    _check_int("port", cfg.port, 1, 65535, "1 to 65535")
    if (
        not isinstance(cfg.base_url, str)
        or not cfg.base_url.startswith("/")
        or not cfg.base_url.endswith("/")
        or "//" in cfg.base_url
        or any(c in cfg.base_url for c in " ?#\\")
    ):
        raise ServeConfigError(
            "base_url",
            f"{cfg.base_url!r} is not a URL path",
            "a path that starts and ends with '/', e.g. / or /igm/",
        )
    if cfg.database_url is not None:
        if not isinstance(cfg.database_url, str):
            raise ServeConfigError("database_url", "is not text", "a database URL")
        scheme = cfg.database_url.partition("://")[0]
        if "://" not in cfg.database_url or scheme not in DATABASE_SCHEMES:
            raise ServeConfigError(
                "database_url",
                f"{_redact_url(cfg.database_url)!r} has an unsupported scheme {scheme!r}",
                "sqlite:///PATH, postgresql://… or postgresql+psycopg://USER:PASSWORD@HOST:PORT/DB",
            )
    _check_int("pool_size", cfg.pool_size, 0, MAX_POOL_SIZE, f"0 (off) to {MAX_POOL_SIZE}")
    if not isinstance(cfg.pools, Mapping):
        raise ServeConfigError(
            "pools", "is not a table", 'a table of notebook = size, e.g. "apps/explorer.ipynb" = 8'
        )
    for notebook, size in cfg.pools.items():
        if not isinstance(notebook, str) or not _NOTEBOOK.match(notebook) or ".." in notebook:
            raise ServeConfigError(
                "pools",
                f"{notebook!r} is not a notebook path relative to the root",
                "e.g. apps/explorer.ipynb",
            )
        _check_int(f"pools.{notebook}", size, 0, MAX_POOL_SIZE, f"0 to {MAX_POOL_SIZE}")
    _check_int(
        "cull_idle_seconds", cfg.cull_idle_seconds, 0, 7 * 86400, "0 (never) to 604800 (a week)"
    )
    if 0 < cfg.cull_idle_seconds < 60:
        raise ServeConfigError(
            "cull_idle_seconds",
            f"{cfg.cull_idle_seconds} s would stop kernels of learners who are reading",
            "0 (never) or 60 to 604800",
        )
    if (
        isinstance(cfg.refill_delay_seconds, bool)
        or not isinstance(cfg.refill_delay_seconds, (int, float))
        or not 0 <= cfg.refill_delay_seconds <= 3600
    ):
        raise ServeConfigError(
            "refill_delay_seconds", f"{cfg.refill_delay_seconds!r} is out of range", "0 to 3600"
        )
    if cfg.trainer_token is not None and (
        not isinstance(cfg.trainer_token, str)
        or len(cfg.trainer_token) < MIN_TOKEN_LENGTH
        or any(c.isspace() for c in cfg.trainer_token)
    ):
        raise ServeConfigError(
            "trainer_token",
            "is too short or contains spaces",
            f"at least {MIN_TOKEN_LENGTH} characters without spaces, "
            "e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))'",
        )
    _validate_limits(cfg)
    if cfg.public_url is not None:
        from live.urls import site_url  # lazily: `igm predict` builds this parser, no live

        try:
            if not isinstance(cfg.public_url, str):
                raise ValueError(cfg.public_url)
            site_url(cfg.public_url)
        except ValueError:
            raise ServeConfigError(
                "public_url",
                f"{cfg.public_url!r} is not a web address with a host",
                "http(s)://HOST[:PORT]/, e.g. http://192.168.1.20:8866/",
            ) from None
    if cfg.lti_config is not None and (
        not isinstance(cfg.lti_config, str)
        or not cfg.lti_config.strip()
        or not cfg.lti_config.lower().endswith(".json")
        or any(not c.isprintable() for c in cfg.lti_config)
    ):
        raise ServeConfigError(
            "lti_config",
            f"{cfg.lti_config!r} is not the path of a JSON file",
            "the LTI configuration file (docs/lti.md), e.g. /srv/igm/lti.json",
        )


def _validate_limits(cfg: ServeConfig) -> None:
    """The kernel limits and the trusted proxies."""
    if cfg.max_kernels is not None:
        _check_int("max_kernels", cfg.max_kernels, 1, MAX_KERNELS, f"1 to {MAX_KERNELS}")
    _check_int(
        "max_kernels_per_client", cfg.max_kernels_per_client, 1, MAX_KERNELS, f"1 to {MAX_KERNELS}"
    )
    allowed = "0 (off) or 10 to 86400"
    _check_int("unconnected_kernel_seconds", cfg.unconnected_kernel_seconds, 0, 86400, allowed)
    if 0 < cfg.unconnected_kernel_seconds < 10:
        raise ServeConfigError(
            "unconnected_kernel_seconds",
            f"{cfg.unconnected_kernel_seconds} s is shorter than a page takes to connect",
            allowed,
        )
    example = 'a list of addresses or networks, e.g. ["127.0.0.1", "10.0.0.0/8"]'
    if isinstance(cfg.trusted_proxies, str) or not isinstance(cfg.trusted_proxies, Sequence):
        raise ServeConfigError("trusted_proxies", "is not a list", example)
    for proxy in cfg.trusted_proxies:
        try:
            ipaddress.ip_network(str(proxy), strict=False)
        except ValueError:
            raise ServeConfigError(
                "trusted_proxies", f"{proxy!r} is not an IP address or network", example
            ) from None


_FILE_KEYS = {f.name for f in fields(ServeConfig)}
#: Settings the environment gives (over the file, under flags): setting, variable.
ENV_SETTINGS: tuple[tuple[str, str], ...] = (
    ("database_url", "IGM_DATABASE_URL"),
    ("trainer_token", "IGM_TRAINER_TOKEN"),
    ("lti_config", "IGM_LTI_CONFIG"),
)


def _read_toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        try:
            import tomli as tomllib
        except ImportError as exc:
            raise ServeConfigError(
                "config", "reading TOML on Python 3.10 needs tomli", "pip install tomli"
            ) from exc
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ServeConfigError(
            "config", f"{str(path)!r} does not exist", "the path of a TOML file", str(path)
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ServeConfigError("config", f"not valid TOML ({exc})", "TOML", str(path)) from None
    table = data.get("serve", {})
    if not isinstance(table, dict):
        raise ServeConfigError("serve", "is not a table", "a [serve] table", str(path))
    unknown = sorted(set(table) - _FILE_KEYS)
    if unknown:
        raise ServeConfigError(
            f"serve.{unknown[0]}", "is not a setting", ", ".join(sorted(_FILE_KEYS)), str(path)
        )
    return dict(table)


def _apply(config: ServeConfig, values: Mapping[str, Any], source: str) -> ServeConfig:
    try:
        return replace(config, **values)
    except ServeConfigError as exc:
        raise exc.from_source(source) from None


def load_serve_config(
    path: str | Path | None = None,
    *,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
) -> ServeConfig:
    """Defaults < TOML file < environment < ``overrides`` (CLI flags; None values are ignored).

    ``path`` None reads ``igm.toml`` in ``cwd`` (default: the working directory) if it exists.
    """
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    if path is not None:
        file = Path(path)
    else:
        candidate = Path(cwd or os.getcwd()) / DEFAULT_CONFIG_FILE
        file = candidate if candidate.is_file() else None  # type: ignore[assignment]
    config = ServeConfig()
    if file is not None:
        values.update(_read_toml(file))
        if isinstance(values.get("trusted_proxies"), list):
            values["trusted_proxies"] = tuple(values["trusted_proxies"])
        config = _apply(config, values, str(file))
    for name, var in ENV_SETTINGS:
        if env.get(var):
            config = _apply(config, {name: env[var]}, var)
    if env.get("IGM_TRUSTED_PROXIES"):
        proxies = tuple(p.strip() for p in env["IGM_TRUSTED_PROXIES"].split(",") if p.strip())
        config = _apply(config, {"trusted_proxies": proxies}, "IGM_TRUSTED_PROXIES")
    flags = {k: v for k, v in (overrides or {}).items() if v is not None}
    unknown = sorted(set(flags) - _FILE_KEYS)
    if unknown:
        raise ServeConfigError(unknown[0], "is not a setting", ", ".join(sorted(_FILE_KEYS)))
    if flags:
        config = _apply(config, flags, "command line")
    return config


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``igm serve`` flags. Every default is None so that an absent flag does not
    override the file or the environment; :func:`config_from_args` builds the config."""
    parser.add_argument(
        "--config",
        metavar="PATH",
        help=f"TOML file with a [serve] table (default: ./{DEFAULT_CONFIG_FILE} if present)",
    )
    parser.add_argument(
        "--room",
        action="store_true",
        help=f"run a room: listen on the Wi-Fi ({ROOM_HOST}) and put this computer's address "
        "on that network in join links and QR codes",
    )
    parser.add_argument(
        "--public-url",
        metavar="URL",
        help="the address phones use in join links and QR codes, e.g. "
        "http://192.168.1.20:8866/ (default with --room: detected)",
    )
    parser.add_argument(
        "--host", help=f"address to listen on (default: 127.0.0.1; with --room: {ROOM_HOST})"
    )
    parser.add_argument("--port", type=int, help="port (default: 8866)")
    parser.add_argument("--base-url", help="URL prefix, e.g. /igm/ (default: /)")
    parser.add_argument(
        "--database",
        dest="database_url",
        metavar="URL",
        help="database of grades and live sessions (default: $IGM_DATABASE_URL, else "
        "var/igm.sqlite3); prefer the environment variable for URLs with a password",
    )
    # The old spelling, still accepted so that older notes keep working; not shown in --help.
    parser.add_argument("--database-url", dest="database_url", help=argparse.SUPPRESS)
    parser.add_argument(
        "--pool-size",
        type=int,
        help="preheated kernels per app and exercise notebook, 0 = off (default: 1)",
    )
    parser.add_argument(
        "--refill-delay-seconds",
        type=float,
        help="wait this long before replacing a pooled kernel that was taken (default: 2)",
    )
    parser.add_argument(
        "--cull-idle-seconds",
        type=int,
        help="stop kernels idle and disconnected this long, 0 = never (default: 1800)",
    )


def config_from_args(args: argparse.Namespace) -> ServeConfig:
    """The :class:`ServeConfig` for parsed ``igm serve`` arguments. ``--room`` listens on
    :data:`ROOM_HOST` unless ``--host`` names another address."""
    overrides = {
        name: getattr(args, name, None)
        for name in (
            "host",
            "port",
            "base_url",
            "database_url",
            "pool_size",
            "cull_idle_seconds",
            "refill_delay_seconds",
            "public_url",
        )
    }
    if getattr(args, "room", False) and overrides["host"] is None:
        overrides["host"] = ROOM_HOST
    return load_serve_config(getattr(args, "config", None), overrides=overrides)


@dataclass(frozen=True)
class RoomAddress:
    """Where phones reach the server: ``url`` (a site URL ending in ``/``) and how it was
    found: ``"public_url"`` (configured), ``"detected"`` (this computer's Wi-Fi address),
    ``"host"`` (the address the server listens on) or ``"fallback"`` (no network address
    found: 127.0.0.1, which phones cannot reach; say so)."""

    url: str
    source: str

    @property
    def reachable(self) -> bool:
        return self.source != "fallback"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def room_address(
    cfg: ServeConfig, lan: Callable[[], str | None] | None = None
) -> RoomAddress | None:
    """The address for join links and QR codes, or None for a server on loopback without a
    ``public_url`` (then the trainer's screen uses the address its browser used).

    ``lan`` finds this computer's address on the room's network (default:
    :func:`live.urls.lan_address`); passed in so the choice can be tested on any machine.
    """
    from live.urls import WILDCARD_HOSTS, address_site_url, lan_address, site_url

    if cfg.public_url:
        return RoomAddress(site_url(cfg.public_url), "public_url")
    if _is_loopback(cfg.host):
        return None
    if cfg.host in WILDCARD_HOSTS:
        address = (lan or lan_address)()
        if address:
            return RoomAddress(address_site_url(address, cfg.port, cfg.base_url), "detected")
        return RoomAddress(address_site_url("127.0.0.1", cfg.port, cfg.base_url), "fallback")
    return RoomAddress(address_site_url(cfg.host, cfg.port, cfg.base_url), "host")


def trainer_key_file(database_url: str | None) -> Path:
    """Where a generated trainer key is kept: beside the SQLite database file, else (another
    database, or SQLite in memory) in the kit's data folder (``var/`` in a checkout)."""
    from database.engine import data_dir, default_url

    url = database_url or default_url()
    if url.startswith("sqlite"):
        from sqlalchemy.engine import make_url

        path = make_url(url).database
        if path and path != ":memory:" and not path.startswith("file:"):
            return Path(path).expanduser().resolve().parent / TRAINER_KEY_FILE
    return data_dir() / TRAINER_KEY_FILE


@dataclass(frozen=True, repr=False)
class TrainerKey:
    """The trainer key and where it came from: ``"config"`` (config file, environment or
    flag) or ``"file"`` (kept in ``path``; ``created`` when this start made it)."""

    value: str
    source: str
    path: Path | None = None
    created: bool = False

    def __repr__(self) -> str:
        return f"TrainerKey(value='***', source={self.source!r}, path={self.path!r})"


def _read_key(path: Path) -> str:
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < MIN_TOKEN_LENGTH or any(c.isspace() for c in key):
        raise ServeConfigError(
            "trainer key",
            "the stored key is too short or contains spaces",
            f"at least {MIN_TOKEN_LENGTH} characters without spaces; "
            "delete the file to get a new key",
            str(path),
        )
    if os.name == "posix" and path.stat().st_mode & 0o077:
        path.chmod(0o600)  # a key others can read is no key
    return key


def trainer_key(cfg: ServeConfig, configured: str | None = None) -> TrainerKey:
    """The trainer key: ``cfg.trainer_token`` (file, ``IGM_TRAINER_TOKEN`` or flag), else
    ``configured`` (``serve(trainer_token=...)``), else the one kept in
    :func:`trainer_key_file`, made there (mode 0600) at the first start. The same key after
    every restart: a trainer's notes and bookmarked trainer links keep working."""
    given = cfg.trainer_token or configured
    if given:
        return TrainerKey(given, "config")
    path = trainer_key_file(cfg.database_url)
    if path.is_file():
        return TrainerKey(_read_key(path), "file", path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(24)
    try:
        # O_EXCL: two servers started at once do not overwrite each other's key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return TrainerKey(_read_key(path), "file", path)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(key + "\n")
    return TrainerKey(key, "file", path, created=True)


def startup_lines(
    host: str, port: int, base_url: str, key: TrainerKey, room: RoomAddress | None
) -> list[str]:
    """What ``igm serve`` prints at start: the addresses on this computer, the trainer key and,
    for a room, the join address phones use (as the trainer screen shows it)."""
    from live.urls import WILDCARD_HOSTS, address_site_url, origin

    # A server on every interface is reached from this computer at 127.0.0.1.
    local = address_site_url("127.0.0.1" if host in WILDCARD_HOSTS else host, port, base_url)
    kept = f" (kept in {key.path})" if key.path else ""
    lines = [
        f"igm-kit apps: {local}",
        f"  nl: {local}voila/render/apps/explorer.ipynb",
        f"  en: {local}voila/render/apps/explorer.ipynb?lang=en",
        f"  trainer key (trainerssleutel): {key.value}{kept}",
        f"  live sessions, trainer: {local}live/trainer?key={key.value}",
    ]
    if room is not None:
        lines += [
            "",
            f"  ROOM ADDRESS for phones on this Wi-Fi (adres voor de zaal): "
            f"{origin(room.url)}{base_url}live/join",
            "  (not what phones can reach? restart with --public-url http://ADDRESS:PORT/)",
        ]
        if not room.reachable:
            lines += [
                "  WARNING: no network address found (is this computer on the Wi-Fi?): join "
                "links use 127.0.0.1, which phones cannot reach. Join the room's network and "
                "restart, or give the address with --public-url.",
            ]
    return lines


def discover_notebooks(root: str | Path, folders: Iterable[str] = POOLED_FOLDERS) -> list[str]:
    """Notebook paths (relative to ``root``, ``/``-separated) in the pooled folders."""
    base = Path(root)
    found: list[str] = []
    for folder in folders:
        found += sorted(
            p.relative_to(base).as_posix()
            for p in (base / folder).rglob("*.ipynb")
            if ".ipynb_checkpoints" not in p.parts
        )
    return found


_POOL_AWARE: Any = None
#: An idle timeout no kernel reaches (ten years): the culler on, idle culling off.
NEVER_SECONDS = 10 * 365 * 86400


def _pool_aware_class() -> Any:
    """Build :class:`PoolAwareKernelManager` on first use: importing this module (``igm``'s
    argument parser does) must not import jupyter_server."""
    global _POOL_AWARE
    if _POOL_AWARE is None:
        from jupyter_server._tz import utcnow
        from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
        from traitlets import Integer

        class PoolAwareKernelManager(AsyncMappingKernelManager):
            """The default kernel manager, except that the idle culler leaves pooled kernels
            alone.

            Voila derives its ``VoilaKernelManager`` from this class
            (``multi_kernel_manager_class``), so ``self._pools`` (notebook -> list of tasks
            resolving to ``{"kernel_id": …}``) is the preheated pool at run time.
            """

            unconnected_timeout = Integer(
                0,
                config=True,
                help="Stop a kernel no websocket ever connected to once it has been idle this "
                "many seconds (0: off); pooled kernels excepted.",
            )

            def __init__(self, **kwargs: Any) -> None:
                super().__init__(**kwargs)  # type: ignore[no-untyped-call]
                #: Kernels a browser connected to at least once.
                self.ever_connected: set[str] = set()

            def notify_connect(self, kernel_id: str) -> None:
                self.ever_connected.add(kernel_id)
                super().notify_connect(kernel_id)  # type: ignore[no-untyped-call]

            async def shutdown_kernel(  # type: ignore[override]
                self, kernel_id: str, *args: Any, **kwargs: Any
            ) -> None:
                self.ever_connected.discard(kernel_id)
                await super().shutdown_kernel(kernel_id, *args, **kwargs)  # type: ignore[no-untyped-call]

            def never_connected_idle(self, kernel_id: str) -> float | None:
                """Seconds idle of a kernel no websocket ever connected to, else None."""
                if kernel_id in self.ever_connected:
                    return None
                kernel = self._kernels.get(kernel_id)
                last = getattr(kernel, "last_activity", None)
                if last is None or getattr(kernel, "execution_state", "") == "busy":
                    return None
                return float((utcnow() - last).total_seconds())

            def pooled_kernel_ids(self) -> set[str]:
                ids: set[str] = set()
                for pool in getattr(self, "_pools", {}).values():
                    for task in pool:
                        if task.done() and not task.cancelled() and task.exception() is None:
                            result = task.result()
                            if isinstance(result, dict) and "kernel_id" in result:
                                ids.add(result["kernel_id"])
                return ids

            async def cull_kernel_if_idle(self, kernel_id: str) -> None:
                if kernel_id in self.pooled_kernel_ids():
                    return
                idle = self.never_connected_idle(kernel_id)
                if (
                    self.unconnected_timeout
                    and idle is not None
                    and idle > self.unconnected_timeout
                ):
                    self.log.warning(
                        "Stopping kernel %s: idle %d s and no browser ever connected to it",
                        kernel_id,
                        idle,
                    )
                    await self.shutdown_kernel(kernel_id)
                    return
                # jupyter_server leaves this method unannotated
                await super().cull_kernel_if_idle(kernel_id)  # type: ignore[no-untyped-call]

        PoolAwareKernelManager.__module__ = __name__
        PoolAwareKernelManager.__qualname__ = "PoolAwareKernelManager"
        _POOL_AWARE = PoolAwareKernelManager
    return _POOL_AWARE


def __getattr__(name: str) -> Any:
    if name == "PoolAwareKernelManager":
        return _pool_aware_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def voila_config(cfg: ServeConfig, notebooks: Sequence[str] = ()) -> Any:
    """The traitlets ``Config`` for standalone Voila (``voila.app.Voila(config=...)``).

    ``notebooks``: the notebooks that get a pool of ``cfg.pool_size_for(nb)`` kernels (see
    :func:`discover_notebooks`); every other notebook under the root gets none.
    """
    from traitlets.config import Config

    c = Config()
    c.Voila.ip = cfg.host
    c.Voila.port = cfg.port
    c.Voila.base_url = cfg.base_url
    pools = {nb: {"pool_size": cfg.pool_size_for(nb)} for nb in (*notebooks, *cfg.pools)}
    preheat = any(p["pool_size"] > 0 for p in pools.values())
    c.VoilaConfiguration.preheat_kernel = preheat
    c.VoilaConfiguration.default_pool_size = 0
    if preheat:
        c.VoilaKernelManager.kernel_pools_config = {"default": {"pool_size": 0}, **pools}
        # No preheat_denylist: Voila matches it against *absolute* paths (a pattern such as
        # "^(?!apps/)" denies every notebook); the "default" size 0 already keeps every
        # notebook without an entry out of the pool.
        # Start the replacement of a used kernel this long after it was taken.
        c.VoilaKernelManager.fill_delay = float(cfg.refill_delay_seconds)
    c.VoilaConfiguration.multi_kernel_manager_class = f"{__name__}.PoolAwareKernelManager"
    # The kit's page script (frontend/, see apps/jupyter/voila/templates/igm) in place of
    # Voila's JupyterLab front end: its texts, and no JupyterLab extensions to list.
    from apps.page import page_config_hook

    c.VoilaConfiguration.page_config_hook = page_config_hook
    # Kernels talk to the server over Unix sockets, not localhost TCP ports: a pool of 60
    # kernels started at once lost a port race now and then (one kernel's cached port taken
    # by another process: "Address already in use", the kernel died, its learner got an
    # error page), and a socket file is only open to the server's own user.
    c.KernelManager.transport = "ipc"
    c.MappingKernelManager.cull_idle_timeout = cfg.cull_idle_seconds
    if cfg.cull_idle_seconds > 0:
        c.MappingKernelManager.cull_interval = cfg.cull_interval_seconds
    if cfg.unconnected_kernel_seconds > 0:
        # The culler runs only with a timeout: "never" becomes a timeout no kernel reaches,
        # so that it still stops the kernels no browser connected to.
        if cfg.cull_idle_seconds == 0:
            c.MappingKernelManager.cull_idle_timeout = NEVER_SECONDS
        c.MappingKernelManager.cull_interval = cfg.cull_interval_for_unconnected
        c.PoolAwareKernelManager.unconnected_timeout = cfg.unconnected_kernel_seconds
    return c
