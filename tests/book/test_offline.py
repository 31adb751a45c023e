"""Does the built book load everything from its own files, and is every page accessible?"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from igm.i18n import LANGUAGES
from tests.book.conftest import pages
from tests.browser_helpers import axe_violations, describe

# Attributes through which HTML makes the browser fetch something.
_HTML_FETCH = re.compile(
    r"<(script|link|img|iframe|source|video|audio|embed|object|track|input)\b[^>]*?"
    r"\s(src|href|srcset|data|poster)\s*=\s*[\"']?\s*((?:https?:)?//[^\"'\s>]+)",
    re.I,
)
# CSS that fetches: url(...) and @import.
_CSS_FETCH = re.compile(r"(?:url\(\s*[\"']?|@import\s+[\"'])\s*((?:https?:)?//[^\"')\s]+)", re.I)
# JavaScript that loads code or data from a literal address.
_JS_FETCH = re.compile(
    r"(?:\bimport\s*\(\s*|\bfrom\s+|importScripts\s*\(\s*|\.src\s*=\s*|fetch\s*\(\s*"
    r"|_JS_URL\s*=\s*|require\s*\(\s*)[\"'`]((?:https?:)?//[^\"'`\s]+)",
    re.I,
)
_LOCAL = re.compile(r"^(?:https?:)?//(?:127\.0\.0\.1|localhost|\[::1\])(?:[:/]|$)", re.I)


def external_fetches(path: Path) -> list[str]:
    """Addresses on another host that this file would make a browser fetch."""
    text = path.read_text(encoding="utf-8", errors="replace")
    found: list[str] = []
    if path.suffix == ".html":
        found += [m.group(3) for m in _HTML_FETCH.finditer(text)]
        for style in re.findall(r"<style[^>]*>(.*?)</style>", text, re.S | re.I):
            found += _CSS_FETCH.findall(style)
        for script in re.findall(r"<script[^>]*>(.*?)</script>", text, re.S | re.I):
            found += _JS_FETCH.findall(script)
    elif path.suffix == ".css":
        found += _CSS_FETCH.findall(text)
    elif path.suffix in {".js", ".mjs"}:
        found += _JS_FETCH.findall(text)
    return [url for url in found if not _LOCAL.match(url)]


def test_scanner_catches_the_usual_leaks(tmp_path: Path) -> None:
    """Would the scan see a CDN script, a web font and a thebe URL?"""
    page = tmp_path / "p.html"
    page.write_text(
        '<script src="https://cdn.jsdelivr.net/x.js"></script>'
        "<link rel=stylesheet href=//fonts.googleapis.com/css>"
        '<script>const THEBE_JS_URL = "https://unpkg.com/thebe";</script>'
        '<img src="http://127.0.0.1:8866/ok.png"><a href="https://example.org/">fine</a>'
    )
    assert len(external_fetches(page)) == 3


def test_no_built_file_fetches_from_another_host(built_book: Path) -> None:
    """Does any built HTML, JS or CSS file point the browser at another host?"""
    problems = {
        str(path.relative_to(built_book)): urls
        for path in sorted(built_book.rglob("*"))
        if path.suffix in {".html", ".js", ".mjs", ".css"}
        for urls in [external_fetches(path)]
        if urls
    }
    assert not problems, f"external fetches: {problems}"


def _open(page: Any, path: Path) -> None:
    page.goto(path.as_uri(), wait_until="load")
    if page.query_selector(".igm-book-model"):
        page.wait_for_selector(".igm-book-model[data-ready='true']", timeout=15_000)
    else:
        page.wait_for_timeout(100)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_offline_and_accessible(
    built_book: Path, page: Any, lang: str, artifacts_dir: Path
) -> None:
    """Does every page load with every non-local request blocked, and pass axe-core?

    The ``page`` fixture aborts and records any request off this machine and fails at
    teardown if there was one; here the page that made it is named too.
    """
    leaks: dict[str, list[str]] = {}
    inaccessible: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    page_errors: list[str] = []
    page.on("pageerror", lambda exc: page_errors.append(str(exc)))
    extra = [built_book / "index.html"] if lang == LANGUAGES[0] else []  # links both editions
    for path in [*extra, *pages(built_book, lang)]:
        name = path.relative_to(built_book).as_posix()
        before = len(page.blocked_requests)
        page_errors.clear()
        _open(page, path)
        if len(page.blocked_requests) > before:
            leaks[name] = page.blocked_requests[before:]
        if page_errors:
            errors[name] = list(page_errors)
        found = axe_violations(page)
        if found:
            inaccessible[name] = describe(found)
    assert not leaks, f"pages that tried to reach another host: {leaks}"
    assert not errors, f"JavaScript errors: {errors}"
    assert not inaccessible, "axe-core serious/critical violations:\n" + "\n".join(
        f"{k}:\n{v}" for k, v in inaccessible.items()
    )
