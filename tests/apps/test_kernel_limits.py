"""A room cannot exhaust the server: kernel limits per client and in all, the "full" page, the
culling of kernels no browser connected to, and the identity header only from a trusted proxy.

One real ``serve()`` with small limits (2 per client, 3 in all, one pooled exercise), driven
by plain HTTP clients that never open a page's websocket; kernels are counted as the server's
own ``ipykernel`` child processes.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gradebook import GradebookError, open_gradebook
from igm.i18n import t
from tests.conftest import run_server

PER_CLIENT = 2
IN_ALL = 3
POOLED = "exercises/choose-knob.ipynb"
UNPOOLED = "exercises/model-limits.ipynb"
UNCONNECTED_SECONDS = 45
#: The address the test's "proxy" connects from (any 127.x address reaches a server on
#: 127.0.0.1 on Linux); the test's "direct clients" connect from 127.0.0.1.
PROXY = "127.0.0.2"
HEADER = "X-Remote-User"
KERNEL_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True)
class LimitedServer:
    url: str
    database_url: str
    port: int


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LimitedServer]:
    db = Path(tmp_path_factory.mktemp("limits")) / "igm.sqlite3"
    database_url = f"sqlite:///{db}"
    env = {
        "IGM_DATABASE_URL": database_url,
        "IGM_TRAINER_TOKEN": "test-trainer-token-limits",
        "IGM_IDENTITY_HEADER": HEADER,
    }
    config = (
        f"pool_size=0, pools={{{POOLED!r}: 1}}, max_kernels={IN_ALL}, "
        f"max_kernels_per_client={PER_CLIENT}, unconnected_kernel_seconds={UNCONNECTED_SECONDS}, "
        f"trusted_proxies=({PROXY!r},)"
    )
    with run_server(env, log_name="serve-limits.log", config=config) as url:
        port = urllib.parse.urlsplit(url).port
        assert port is not None
        yield LimitedServer(url, database_url, port)


def server_pid(port: int) -> int:
    """The serve() process of this test (its command line names its port)."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if "from apps.server import serve" in cmdline and f"port={port}," in cmdline:
            return int(proc.name)
    raise AssertionError(f"no server process for port {port}")


def kernel_processes(port: int) -> list[int]:
    """The server's kernels: its child processes that run ipykernel."""
    parent = server_pid(port)
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == parent and "ipykernel" in cmdline:
            found.append(int(proc.name))
    return found


class Client:
    """A plain HTTP client (no websocket, no JavaScript), with or without a cookie jar."""

    def __init__(self, *, cookies: bool = True, source: str = "127.0.0.1") -> None:
        self.jar = http.cookiejar.CookieJar() if cookies else None
        self.source = source

    def get(
        self, url: str, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        """GET ``url``, following redirects (the server's one that sets the client cookie)."""
        for _ in range(5):
            status, answer, body = self.get_once(url, headers)
            if status not in (301, 302, 303, 307):
                return status, answer, body
            url = urllib.parse.urljoin(url, answer["Location"])
        raise AssertionError(f"too many redirects at {url}")

    def get_once(
        self, url: str, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        parts = urllib.parse.urlsplit(url)
        conn = http.client.HTTPConnection(
            parts.hostname or "", parts.port, timeout=120, source_address=(self.source, 0)
        )
        request = urllib.request.Request(url, headers=headers or {})
        if self.jar is not None:
            self.jar.add_cookie_header(request)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request("GET", path, headers=dict(request.header_items()))
        response = conn.getresponse()
        body = response.read().decode("utf-8", errors="replace")
        if self.jar is not None:
            self.jar.extract_cookies(response, request)  # type: ignore[arg-type]
        conn.close()
        return response.status, dict(response.getheaders()), body

    def shutdown(self, base: str, kernel_id: str) -> int:
        """Close a page's kernel as the page script does when the page goes away."""
        data = urllib.parse.urlencode({"_xsrf": "test-xsrf"}).encode()
        request = urllib.request.Request(
            f"{base}voila/api/shutdown/{kernel_id}",
            data=data,
            headers={"Cookie": "_xsrf=test-xsrf", "X-XSRFToken": "test-xsrf"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return int(response.status)
        except urllib.error.HTTPError as err:
            return err.code


def page_kernel(body: str) -> str:
    match = re.search(r"kernelId\W+(" + KERNEL_ID.pattern + ")", body)
    assert match, "no kernel id in the page"
    return match.group(1)


def wait_for(condition: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.5)
    return False


def test_a_hundred_gets_from_one_client_hold_at_most_its_limit(limited: LimitedServer) -> None:
    """100 plain GETs of exercise pages (pooled and not) from one browser-like client: it
    holds at most PER_CLIENT kernels; the rest get 503 with Retry-After and no kernel."""
    pool = 1
    client = Client()
    statuses = []
    kernels: list[str] = []
    for i in range(100):
        notebook = POOLED if i % 2 else UNPOOLED
        status, headers, body = client.get(f"{limited.url}voila/render/{notebook}")
        statuses.append(status)
        if status == 200:
            kernels.append(page_kernel(body))
        else:
            assert status == 503 and int(headers["Retry-After"]) > 0
        assert len(kernel_processes(limited.port)) <= PER_CLIENT + pool
    assert statuses.count(200) == PER_CLIENT, statuses
    # The pool's refill is started a moment later: wait for it, then count again.
    time.sleep(4)
    assert len(kernel_processes(limited.port)) <= PER_CLIENT + pool

    # A client without cookies is one client per address: the same limit.
    cookieless = Client(cookies=False)
    answers = [cookieless.get(f"{limited.url}voila/render/{UNPOOLED}") for _ in range(10)]
    served = [a for a in answers if a[0] == 200]
    assert len(served) == 1  # IN_ALL - PER_CLIENT places were left in all
    kernels += [page_kernel(a[2]) for a in served]
    assert len(kernel_processes(limited.port)) <= IN_ALL + pool

    # Everything is in use: another browser gets the server's "full" page.
    status, _headers, body = Client().get(f"{limited.url}voila/render/{UNPOOLED}")
    assert status == 503
    assert t("server_full.advice_server", "nl") in body

    # Pages that close give their kernels back: the first client gets a kernel again.
    for kernel_id in kernels:
        assert client.shutdown(limited.url, kernel_id) in (200, 204)
    assert wait_for(lambda: len(kernel_processes(limited.port)) <= pool, 30)
    status, _headers, body = client.get(f"{limited.url}voila/render/{UNPOOLED}")
    assert status == 200
    client.shutdown(limited.url, page_kernel(body))


def test_the_full_page_says_so_in_dutch_without_a_traceback(limited: LimitedServer) -> None:
    client = Client()
    kernels = []
    for _ in range(PER_CLIENT):
        status, _headers, body = client.get(f"{limited.url}voila/render/{UNPOOLED}")
        assert status == 200
        kernels.append(page_kernel(body))
    status, headers, body = client.get(f"{limited.url}voila/render/{UNPOOLED}")
    _status, _headers, english = client.get(f"{limited.url}voila/render/{UNPOOLED}?lang=en")
    for kernel_id in kernels:
        client.shutdown(limited.url, kernel_id)
    assert status == 503
    assert int(headers["Retry-After"]) >= 1
    assert headers["Content-Type"].startswith("text/html")
    assert "Het is even vol. Probeer het zo opnieuw." in body
    assert t("server_full.advice_client", "nl", count=PER_CLIENT) in body
    assert '<html lang="nl">' in body
    assert "Traceback" not in body and "/site-packages/" not in body and ".py" not in body
    # Its own language first when asked for in English, Dutch after it.
    assert english.index(t("server_full.message", "en")) < english.index(
        t("server_full.message", "nl")
    )


def test_a_kernel_no_browser_connects_to_is_stopped(limited: LimitedServer) -> None:
    before = set(kernel_processes(limited.port))
    status, _headers, _body = Client().get(f"{limited.url}voila/render/{UNPOOLED}")
    assert status == 200
    new = set(kernel_processes(limited.port)) - before
    assert len(new) == 1
    # Idle UNCONNECTED_SECONDS, then the culler's next look (every 11 s here).
    assert wait_for(lambda: not new & set(kernel_processes(limited.port)), 2 * UNCONNECTED_SECONDS)


def _learner_exists(database_url: str, number: str) -> bool:
    with open_gradebook(database_url) as gradebook:
        try:
            gradebook.learner(number)
        except GradebookError:
            return False
        return True


def test_the_identity_header_counts_only_from_a_trusted_proxy(limited: LimitedServer) -> None:
    """A direct client that sends the identity header is not bound as that learner; the same
    header from the configured proxy is."""
    direct = Client()
    status, _headers, body = direct.get(
        f"{limited.url}voila/render/{UNPOOLED}", headers={HEADER: "mallory"}
    )
    assert status == 200
    direct.shutdown(limited.url, page_kernel(body))
    assert not _learner_exists(limited.database_url, "mallory")

    proxy = Client(source=PROXY)
    status, _headers, body = proxy.get(
        f"{limited.url}voila/render/{UNPOOLED}",
        headers={HEADER: "alice", "X-Forwarded-For": "192.0.2.7"},
    )
    assert status == 200
    proxy.shutdown(limited.url, page_kernel(body))
    assert _learner_exists(limited.database_url, "alice")
