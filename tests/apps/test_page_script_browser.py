"""The kit's page script (frontend/, in place of Voila's front end) in Chromium: it draws
every widget class the kit uses, loads one script and no Voila/JupyterLab files, and tells
the learner in their language when it cannot reach the server or loses the connection."""

from __future__ import annotations

import ast
import json
import re
import signal
from pathlib import Path
from typing import Any

import ipywidgets
import psutil
import pytest

from igm.i18n import t
from tests.apps.test_apps_browser import (
    LOAD_TIMEOUT,
    READY,
    app_url,
    open_app,
    raise_a_score_by_keyboard_and_check,
)
from tests.conftest import run_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
#: The kit's code that builds the widgets of the apps and exercises.
WIDGET_SOURCES = [
    *sorted((ROOT / "widgets").glob("*.py")),
    *sorted((ROOT / "exercises").glob("*.py")),
]


def ipywidgets_classes_named_in_the_kit() -> set[str]:
    """Every ``w.<Class>`` / ``ipywidgets.<Class>`` the kit's widget code names."""
    names: set[str] = set()
    for source in WIDGET_SOURCES:
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in {"w", "widgets", "ipywidgets"}
                and isinstance(getattr(ipywidgets, node.attr, None), type)
                and issubclass(getattr(ipywidgets, node.attr), ipywidgets.Widget)
            ):
                names.add(node.attr)
    return names


def classes_drawn(widget: ipywidgets.Widget) -> set[str]:
    """``module:Class`` of the model and view of a widget and of its layout and style."""
    found = {f"{widget._model_module}:{widget._model_name}"}
    if widget._view_name:
        found.add(f"{widget._view_module}:{widget._view_name}")
    for part in ("layout", "style"):
        sub = getattr(widget, part, None)
        if isinstance(sub, ipywidgets.Widget):
            found |= classes_drawn(sub)
    return found


def test_it_draws_every_widget_class_the_kit_uses(page: Any, server_url: str) -> None:
    named = ipywidgets_classes_named_in_the_kit()
    # a sanity floor: the scan sees the kit's boxes, texts and buttons
    assert {"VBox", "HBox", "HTML", "Button", "Dropdown"} <= named
    needed: set[str] = set()
    for name in sorted(named):
        widget_class = getattr(ipywidgets, name)
        if name in {"Widget", "DOMWidget", "CoreWidget"}:
            continue  # base classes, never drawn themselves
        needed |= classes_drawn(widget_class())
    needed |= {"anywidget:AnyModel", "anywidget:AnyView"}  # ScoreSlider and Chart
    open_app(page, server_url, "explorer", "en")
    supported = set(page.evaluate("window.igmPage.supportedClasses"))
    assert needed - supported == set(), "add these to frontend/src/manager.js"


def test_one_script_and_no_voila_front_end(page: Any, server_url: str) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    open_app(page, server_url, "planner", "nl")
    scripts = [u for u in requests if re.search(r"\.m?js(\?|$)", u)]
    assert [u for u in scripts if "igm-page.js" in u], scripts
    # the page script, and the chart bundle the charts import; nothing of Voila's ~90 files
    assert all(("igm-page.js" in u) or ("jupyterchart_" in u) for u in scripts), scripts
    assert not [u for u in requests if "/voila/static/" in u or "/labextensions/" in u]
    html = page.content()
    assert "voila-style" not in html and "mermaid" not in html
    assert page.locator("body[data-igm-ready=true]").count() == 1
    assert page.blocked_requests == []


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_page_that_cannot_reach_its_kernel_says_so(page: Any, server_url: str, lang: str) -> None:
    """The kernel is gone before the page connects (here: the page names a kernel that does
    not exist): the learner reads what to do, in the page's language."""

    def wrong_kernel(route: Any) -> None:
        response = route.fetch()
        body = re.sub(
            r'"kernelId": "[^"]+"',
            '"kernelId": "00000000-0000-0000-0000-000000000000"',
            response.text(),
        )
        route.fulfill(response=response, body=body)

    url = app_url(server_url, "explorer", lang)
    page.route(url, wrong_kernel)
    page.goto(url, wait_until="commit", timeout=LOAD_TIMEOUT)
    alert = page.locator(".igm-page-notice[role=alert]")
    alert.wait_for(timeout=60_000)
    assert alert.inner_text() == t("page.connection_failed", lang)
    assert page.locator(READY["explorer"]).count() == 0
    assert page.blocked_requests == []


#: Records every notice the page shows, in order (None: no notice).
NOTICE_LOG = """
window.__notices = [];
new MutationObserver(() => {
  const shown = document.querySelector('.igm-page-notice');
  const key = shown ? shown.dataset.key : null;
  if (window.__notices[window.__notices.length - 1] !== key) window.__notices.push(key);
}).observe(document, {subtree: true, childList: true});
"""
KERNEL_SOCKET = re.compile(r"/api/kernels/[^/]+/channels")


def kernel_alive(page: Any, server_url: str, kernel_id: str) -> bool:
    return bool(page.request.get(f"{server_url}api/kernels/{kernel_id}").ok)


def kernel_id_of(page: Any) -> str:
    config = page.locator("#jupyter-config-data").text_content()
    return str(json.loads(config)["kernelId"])


def test_a_dropped_connection_comes_back_to_the_same_kernel(page: Any, server_url: str) -> None:
    """The connection drops while the learner works (here: the kernel's websocket, passed
    through as it is, is closed from the server's side). The page says so, reconnects to
    the same kernel, and the sliders go on working."""
    sockets: list[Any] = []

    def pass_through(socket: Any) -> None:
        socket.connect_to_server()
        sockets.append(socket)

    page.add_init_script(NOTICE_LOG)
    page.route_web_socket(KERNEL_SOCKET, pass_through)
    open_app(page, server_url, "explorer", "nl")
    assert len(sockets) == 1
    sockets[0].close(code=1001, reason="the room's wifi switched")
    page.wait_for_function(
        "window.__notices.includes('reconnecting') && window.__notices.at(-1) === null",
        timeout=30_000,
    )
    assert len(sockets) == 2 and sockets[0].url == sockets[1].url  # same kernel, same session
    raise_a_score_by_keyboard_and_check(page, "nl")
    assert page.blocked_requests == []


def test_a_connection_that_does_not_come_back_is_shown(page: Any, tmp_path_factory: Any) -> None:
    """The server stops while the learner works (a server of this test's own): the page
    tries to reconnect for 30 s, then tells the learner that changes no longer count."""
    database = tmp_path_factory.mktemp("stopped-db") / "igm.sqlite3"
    page.add_init_script(NOTICE_LOG)
    config = "pool_size=0, pools={'apps/explorer.ipynb': 1}"
    with run_server(
        {"IGM_DATABASE_URL": f"sqlite:///{database}"}, log_name="serve-stopped.log", config=config
    ) as url:
        open_app(page, url, "explorer", "nl")
    # the server and its kernels are stopped now
    alert = page.locator(".igm-page-notice[data-key=connection_lost][role=alert]")
    alert.wait_for(timeout=60_000)
    assert alert.inner_text() == t("page.connection_lost", "nl")
    assert page.evaluate("window.__notices") == [None, "reconnecting", "connection_lost"]
    assert page.blocked_requests == []


def kill_kernel(kernel_id: str) -> None:
    """Kills the kernel's process, as the system does to a kernel that takes too much memory
    (Voila refuses code sent from a page, so a page cannot make its kernel exit)."""
    found = [
        proc
        for proc in psutil.process_iter(["cmdline"])
        if any(f"kernel-{kernel_id}" in part for part in proc.info["cmdline"] or [])
    ]
    assert len(found) == 1, found
    found[0].send_signal(signal.SIGKILL)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_kernel_that_died_is_shown(page: Any, server_url: str, lang: str) -> None:
    """The page's kernel dies (the server restarts it empty): the widgets it held are gone,
    so the page says at once that changes no longer count, and does not reconnect."""
    page.add_init_script(NOTICE_LOG)
    open_app(page, server_url, "explorer", lang)
    kill_kernel(kernel_id_of(page))
    alert = page.locator(".igm-page-notice[data-key=connection_lost][role=alert]")
    alert.wait_for(timeout=60_000)
    assert alert.inner_text() == t("page.connection_lost", lang)
    assert page.evaluate("window.__notices") == [None, "connection_lost"]
    assert page.blocked_requests == []


def test_closing_the_page_stops_its_kernel(page: Any, server_url: str) -> None:
    """As with Voila's own front end: a closed or reloaded tab does not leave its kernel
    running until the culler comes (a room that reloads would fill the machine)."""
    open_app(page, server_url, "explorer", "en")
    kernel_id = kernel_id_of(page)
    other = page.context.new_page()
    assert kernel_alive(other, server_url, kernel_id)
    page.close()
    for _ in range(100):
        if not kernel_alive(other, server_url, kernel_id):
            break
        other.wait_for_timeout(100)
    assert not kernel_alive(other, server_url, kernel_id)
