"""Shared fixtures: a real headless Chromium whose every request off this machine is refused.

Browser tests skip with a loud reason on a laptop without Chromium, but fail when CI=true:
a skipped browser test in CI would hide exactly the breakage it exists to catch.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

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


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page that aborts and records every request to another host.

    The test fails at teardown if the page tried to reach any host but this machine.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900})
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
