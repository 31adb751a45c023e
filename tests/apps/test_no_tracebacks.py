"""A malformed comm_open, sent over a page's own kernel websocket to a real server: the kernel
refuses it, and no frame the client receives holds a traceback or a server path."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
import tornado.httpclient
import tornado.websocket

pytestmark = [pytest.mark.slow]

KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]{36})"')
T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` in a thread of its own: a browser test before this one may have left
    Playwright's event loop set on the main thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def comm_open(target: str, data: dict[str, object]) -> str:
    session = uuid.uuid4().hex
    return json.dumps(
        {
            "header": {
                "msg_id": uuid.uuid4().hex,
                "msg_type": "comm_open",
                "username": "",
                "session": session,
                "version": "5.3",
                "date": "",
            },
            "parent_header": {},
            "metadata": {},
            "channel": "shell",
            "content": {"comm_id": uuid.uuid4().hex, "target_name": target, "data": data},
        }
    )


async def frames_after_bad_comm_open(page_url: str, ws_base: str) -> list[str]:
    """Open the page as a browser does (cookies kept), then send malformed comm_opens on its
    kernel's channels and collect what comes back for a few seconds."""
    client = tornado.httpclient.AsyncHTTPClient()
    cookies: dict[str, str] = {}
    response = None
    for _ in range(3):  # the server may set a client cookie and redirect once
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        response = await client.fetch(
            page_url, headers=headers, follow_redirects=False, raise_error=False
        )
        for line in response.headers.get_list("Set-Cookie"):
            name, _, value = line.split(";")[0].partition("=")
            cookies[name] = value
        if response.code == 200:
            break
    assert response is not None and response.code == 200, response and response.code
    found = KERNEL_ID.search(response.body.decode())
    assert found, "the page names no kernel"
    request = tornado.httpclient.HTTPRequest(
        f"{ws_base}api/kernels/{found.group(1)}/channels",
        headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())},
    )
    ws = await tornado.websocket.websocket_connect(request)
    await ws.write_message(comm_open("jupyter.widget", {"state": {"_model_name": 12}}))
    await ws.write_message(comm_open("jupyter.widget", {"no": "state"}))
    await ws.write_message(comm_open("no.such.target", {}))
    frames: list[str] = []
    try:
        while True:
            message = await asyncio.wait_for(ws.read_message(), timeout=5)
            if message is None:
                break
            frames.append(message if isinstance(message, str) else message.decode("latin-1"))
    except asyncio.TimeoutError:
        pass
    ws.close()
    return frames


@pytest.mark.parametrize(
    "page", ["voila/render/apps/explorer.ipynb", "voila/render/exercises/score-case.ipynb"]
)
def test_a_malformed_comm_open_gets_no_traceback_back(server_url: str, page: str) -> None:
    ws_base = server_url.replace("http://", "ws://", 1)
    frames = run(frames_after_bad_comm_open(server_url + page, ws_base))
    streams = [json.loads(f) for f in frames if '"msg_type": "stream"' in f]
    said = "\n".join(s["content"]["text"] for s in streams)
    # the kernel did refuse it (or the test would prove nothing) ...
    assert "Exception opening comm with target: jupyter.widget" in said, frames
    # ... and nothing the client received names the server's code or files
    for frame in frames:
        for leak in ("Traceback", "site-packages", 'File "/', '.py", line'):
            assert leak not in frame, frame[:400]


async def websocket_status(page_url: str, ws_base: str, origin: str) -> int:
    """101 when a websocket to the page's kernel opens with this ``Origin``, else the status."""
    client = tornado.httpclient.AsyncHTTPClient()
    response = await client.fetch(page_url, follow_redirects=True, raise_error=False)
    found = KERNEL_ID.search(response.body.decode())
    assert found, "the page names no kernel"
    request = tornado.httpclient.HTTPRequest(
        f"{ws_base}api/kernels/{found.group(1)}/channels", headers={"Origin": origin}
    )
    try:
        ws = await tornado.websocket.websocket_connect(request)
    except tornado.httpclient.HTTPClientError as err:
        return err.code
    ws.close()
    return 101


def test_a_null_or_cross_site_origin_cannot_open_a_kernel_websocket(server_url: str) -> None:
    """``Origin: null`` (a sandboxed frame, a file: page) is cross-site, like another site."""
    page = server_url + "voila/render/apps/explorer.ipynb"
    ws_base = server_url.replace("http://", "ws://", 1)
    own_origin = "/".join(server_url.split("/")[:3])  # http://127.0.0.1:PORT
    assert run(websocket_status(page, ws_base, own_origin)) == 101
    for origin in ("null", "NULL", "http://evil.example"):
        assert run(websocket_status(page, ws_base, origin)) == 403, origin
