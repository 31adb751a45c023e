"""What a page receives for its charts: the JupyterChart bundle as one gzipped, cacheable static
file, and not over the kernel's websocket (see ``widgets.offline``).

Used by the browser tests of ``igm serve`` (tests/apps) and of the server extension
(tests/deploy/test_server_extension.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from widgets import offline

#: The bundle's URL path, after the base URL (``?v=<content hash>`` follows).
BUNDLE_URL = re.compile(r"/voila/templates/igm/static/jupyterchart_[^/?]+\.js\?v=[0-9a-f]{16}$")
#: A year, the least ``max-age`` of the bundle.
YEAR = 365 * 24 * 3600


def bundle_marker() -> str:
    """A 48-character run of the bundle that JSON would not escape: if the bundle went over
    the websocket (as a widget's ``_esm``), this text would be in a frame."""
    text = offline.bundle_path().read_text(encoding="utf-8")
    plain = re.compile(r"[A-Za-z0-9_.,;:(){}=+\-*/ ]{48}")
    match = plain.search(text, len(text) // 2)
    assert match, "no plain run in the bundle"
    return match.group(0)


@dataclass
class Traffic:
    """Websocket frames received and bundle responses of one page (attach before ``goto``)."""

    ws_bytes: int = 0
    frames: list[bytes] = field(default_factory=list)
    bundle_responses: list[Any] = field(default_factory=list)

    def received(self, payload: str | bytes) -> None:
        data = payload.encode("utf-8") if isinstance(payload, str) else payload
        self.ws_bytes += len(data)
        self.frames.append(data)

    def contains(self, text: str) -> bool:
        needle = text.encode("utf-8")
        return any(needle in frame for frame in self.frames)


def watch(page: Any) -> Traffic:
    traffic = Traffic()
    page.on("websocket", lambda ws: ws.on("framereceived", traffic.received))
    page.on(
        "response",
        lambda r: traffic.bundle_responses.append(r) if BUNDLE_URL.search(r.url) else None,
    )
    return traffic


def assert_bundle_fetched_not_pushed(traffic: Traffic, base_path: str) -> None:
    """One request for the bundle (whatever the number of charts), under the base URL,
    gzipped and cacheable for a year; the websocket carried well under the bundle's size and
    none of its text."""
    size = offline.bundle_path().stat().st_size
    assert size > 500_000
    assert len(traffic.bundle_responses) == 1, [r.url for r in traffic.bundle_responses]
    response = traffic.bundle_responses[0]
    assert response.status == 200
    assert re.match(rf"https?://[^/]+{re.escape(base_path)}voila/", response.url), response.url
    headers = response.all_headers()
    assert headers.get("content-encoding") == "gzip", headers
    match = re.search(r"max-age=(\d+)", headers.get("cache-control", ""))
    assert match and int(match.group(1)) >= YEAR, headers
    assert traffic.frames, "no websocket frame received"
    assert traffic.ws_bytes < size // 3, f"{traffic.ws_bytes} bytes over the websocket"
    assert not traffic.contains(bundle_marker()), "the bundle went over the websocket"
