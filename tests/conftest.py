"""Shared fixtures: a real headless Chromium whose every request off this machine is refused.

Browser tests skip with a loud reason on a laptop without Chromium, but fail when CI=true:
a skipped browser test in CI would hide exactly the breakage it exists to catch.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

#: The databases every database test runs on (SQLite and PostgreSQL): ``db_url``, ``postgres_url``.
pytest_plugins = ["tests.database_fixtures"]

CHROMIUM = os.environ.get("IGM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
ARTIFACTS = Path(__file__).parent / "_artifacts"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition: bool, reason: str) -> None:
    """Skip (loudly) when a needed part is missing on a laptop; fail in CI."""
    if condition:
        return
    if in_ci():
        pytest.fail(f"CI=true and {reason}: the test cannot run, so it fails", pytrace=False)
    pytest.skip(f"SKIPPED, NOT TESTED: {reason}")


def is_local(url: str) -> bool:
    """True for URLs that stay on this machine (loopback hosts, file:, data:, blob:, about:)."""
    parsed = urlparse(url)
    if parsed.scheme in {"file", "data", "blob", "about", "chrome-error"}:
        return True
    return (parsed.hostname or "") in LOCAL_HOSTS


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium (Debian's), shared by the session."""
    require(Path(CHROMIUM).exists() or bool(shutil.which(CHROMIUM)), f"no Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - depends on the machine
        require(False, "playwright is not installed (pip install -e '.[test]')")
        raise
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def guarded_page(
    browser: Any, width: int = 1280, height: int = 900, **context_options: Any
) -> Iterator[Any]:
    """A page in a context of its own that aborts and records every request to another host
    (``page.blocked_requests``); it fails on leaving if the page tried to reach any host but
    this machine. ``context_options`` go to ``browser.new_context`` (e.g. ``is_mobile``)."""
    context = browser.new_context(viewport={"width": width, "height": height}, **context_options)
    page = context.new_page()
    blocked: list[str] = []

    def guard(route: Any) -> None:
        url = route.request.url
        if is_local(url):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    page.route("**/*", guard)
    # Requests that bypass routing (e.g. from service workers) are still seen here.
    page.on("request", lambda req: None if is_local(req.url) else blocked.append(req.url))
    page.blocked_requests = blocked
    try:
        yield page
    finally:
        context.close()
    unique = sorted(set(blocked))
    assert not unique, f"page tried to reach {len(unique)} non-local address(es): {unique}"


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page that aborts and records every request to another host.

    The test fails at teardown if the page tried to reach any host but this machine.
    """
    with guarded_page(browser) as fresh:
        yield fresh


# --- a real ``apps.server.serve()`` in a subprocess (reusable by any browser test) ---------


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(url: str, proc: Any, timeout: float = 90.0) -> None:
    import time
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"serve() exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def stop_process_group(proc: Any, timeout: float = 30.0) -> None:
    """Stop a server started with ``start_new_session=True`` and everything it started."""
    import signal
    import subprocess

    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def run_server(
    extra_env: dict[str, str] | None = None,
    log_name: str = "serve.log",
    pool_size: int = 1,
    extra_args: list[str] | None = None,
    config: str | None = None,
    base_path: str = "/",
) -> Any:
    """Context manager: start ``serve()`` on a free port with ``extra_env``; yield its base URL.

    ``extra_args`` are passed to ``serve(extra_args=...)`` (Voila command-line options).
    ``config``, if given, is the keyword arguments of a ``ServeConfig`` (as Python source,
    without the port), which then replaces ``pool_size``; ``base_path`` is its base URL.

    The server (and its kernels) run in their own process group, stopped at exit.
    """
    import contextlib
    import subprocess
    import sys

    @contextlib.contextmanager
    def running() -> Iterator[str]:
        try:
            import voila  # noqa: F401
        except ImportError:  # pragma: no cover - depends on the machine
            require(False, "voila is not installed")
        port = free_port()
        ARTIFACTS.mkdir(exist_ok=True)
        log = open(ARTIFACTS / log_name, "wb")  # noqa: SIM115
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **(extra_env or {})}
        options = (
            f"config=ServeConfig(port={port}, {config})"
            if config is not None
            else f"port={port}, pool_size={pool_size}"
        )
        code = (
            "from apps.server import serve; from apps.serve_config import ServeConfig; "
            f"serve({options}, extra_args={list(extra_args or [])!r})"
        )
        proc = subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=Path(__file__).resolve().parents[1],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}{base_path}"
        try:
            wait_until_up(url, proc)
            yield url
        finally:
            stop_process_group(proc, timeout=20)
            log.close()

    return running()


def run_in_thread(fn: Any) -> Any:
    """Run ``fn()`` in a thread of its own and return its result (or raise its error).

    While a browser test session is open, Playwright's sync API keeps an event loop running in
    the main thread, so ``asyncio.run`` there fails; async test code runs in its own thread.
    """
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn).result()
