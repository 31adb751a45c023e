"""Does the browser harness itself refuse and report requests that leave this machine?"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser_helpers import assert_accessible, axe_violations


@pytest.fixture
def local_site(tmp_path: Any) -> Iterator[str]:
    (tmp_path / "ok.html").write_text(
        '<!doctype html><html lang="en"><head><title>ok</title></head>'
        "<body><main><h1>Fine</h1><p>Local only.</p></main></body></html>"
    )
    (tmp_path / "leak.html").write_text(
        '<!doctype html><html lang="en"><head><title>leak</title>'
        '<script src="https://cdn.example.org/x.js"></script></head>'
        "<body><main><h1>Leaky</h1></main></body></html>"
    )
    (tmp_path / "bad.html").write_text(
        '<!doctype html><html lang="en"><head><title>bad</title></head>'
        '<body><main><input type="text"><img src="ok.html"></main></body></html>'
    )

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(tmp_path), **kwargs)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.browser
def test_a_page_that_loads_a_cdn_script_is_caught(browser: Any, local_site: str) -> None:
    """Would a page that asks a CDN for a script be noticed? (the guard must not be a no-op)"""
    from tests.conftest import is_local

    context = browser.new_context()
    page = context.new_page()
    blocked: list[str] = []
    page.route(
        "**/*",
        lambda r: (
            r.continue_() if is_local(r.request.url) else (blocked.append(r.request.url), r.abort())
        ),
    )
    page.goto(f"{local_site}/leak.html")
    context.close()
    assert blocked == ["https://cdn.example.org/x.js"]


@pytest.mark.browser
def test_local_page_passes_guard_and_axe(page: Any, local_site: str) -> None:
    page.goto(f"{local_site}/ok.html")
    assert page.text_content("h1") == "Fine"
    assert_accessible(page)


@pytest.mark.browser
def test_axe_reports_unlabelled_input(page: Any, local_site: str) -> None:
    """Does the accessibility check find a form field without a label and an image without alt?"""
    page.goto(f"{local_site}/bad.html")
    ids = {v["id"] for v in axe_violations(page)}
    assert {"label", "image-alt"} <= ids
