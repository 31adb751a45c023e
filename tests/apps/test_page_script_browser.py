"""The kit's page script (frontend/, in place of Voila's front end) in Chromium: it draws
every widget class the kit uses, loads one script and no Voila/JupyterLab files, and tells
the learner in their language when it cannot reach the server or loses the connection."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import ipywidgets
import pytest

from igm.i18n import t
from tests.apps.test_apps_browser import LOAD_TIMEOUT, READY, app_url, open_app

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


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_lost_connection_is_shown(page: Any, server_url: str, lang: str) -> None:
    """The server goes away while the learner works (here: the kernel's websocket, passed
    through as it is, is closed from the server's side): a notice says that changes no longer
    count."""
    sockets: list[Any] = []

    def pass_through(socket: Any) -> None:
        socket.connect_to_server()
        sockets.append(socket)

    page.route_web_socket(re.compile(r"/api/kernels/[^/]+/channels"), pass_through)
    open_app(page, server_url, "explorer", lang)
    assert len(sockets) == 1
    assert page.locator(".igm-page-notice").count() == 0
    sockets[0].close(code=1001, reason="server stopped")
    alert = page.locator(".igm-page-notice[role=alert]")
    alert.wait_for(timeout=30_000)
    assert alert.inner_text() == t("page.connection_lost", lang)
    assert page.blocked_requests == []
