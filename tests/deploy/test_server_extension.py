"""The apps under JupyterHub: Voila as a Jupyter *server extension* inside a user's server.

On a hub every learner has their own ``jupyter server`` (``jupyterhub-singleuser``) and the apps
run at ``/user/<name>/voila/render/apps/…``. Here a plain ``jupyter server`` with the Voila
extension, token auth, the base URL ``/user/learner/`` (and ``JUPYTERHUB_SERVICE_PREFIX``, as
the hub sets it) and its root at the repository stands in for it (the hub adds OAuth in
front). Checked:

* the rendered route answers with the token, and the explorer becomes usable in Chromium
  (slider ``.igm-slider-self_efficacy``) with its chart drawn, reaching no host but this one;
* the chart bundle comes as a gzipped static file cached for a year, not over the websocket;
* without the token the route is refused;
* with the token the *same* server also hands out any file under its root, source included
  (``/api/contents``): whatever sits in the learner's server is readable by the learner —
  the reason answer keys and grade writing live outside it (docs/grading-trust.md).
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require, stop_process_group

REPO = Path(__file__).resolve().parents[2]
APP = "voila/render/apps/explorer.ipynb"
#: The server's base URL, as a hub gives it to a learner's server.
BASE_PATH = "/user/learner/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def fetch(url: str, token: str | None = None, timeout: float = 120) -> tuple[int, str, str]:
    """(status, body, Location header) without following redirects."""
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"token {token}")
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace"), ""
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace"), err.headers.get("Location", "")


@pytest.fixture(scope="module")
def jupyter_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base URL, token) of ``jupyter server`` with the Voila extension, root at the repo."""
    try:
        import jupyter_server  # noqa: F401
        import voila  # noqa: F401
    except ImportError:  # pragma: no cover - depends on the machine
        require(False, "jupyter_server / voila are not installed")
    from widgets.offline import write_bundle

    write_bundle()  # the charts' local JS bundle; `igm serve` writes it too
    cache = os.environ.get("IGM_CACHE_DIR") or str(
        Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "igm-kit"
    )
    token = secrets.token_hex(24)
    port = free_port()
    home = tmp_path_factory.mktemp("jupyter-home")
    env = {
        **os.environ,
        # Kernels import igm and widgets from the checkout (the image pip-installs the kit);
        # the config file finds the kit's template from IGM_HOME, as in the image.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        "IGM_HOME": str(REPO),
        "IGM_CACHE_DIR": cache,
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_TOKEN": token,  # the token, not on the command line
        "JUPYTERHUB_SERVICE_PREFIX": BASE_PATH,  # read by the config file, as under a hub
    }
    argv = [
        sys.executable,
        "-m",
        "jupyter_server",
        "--no-browser",
        f"--port={port}",
        "--port-retries=0",
        "--ip=127.0.0.1",
        f"--ServerApp.base_url={BASE_PATH}",
        f"--ServerApp.root_dir={REPO}",
        f"--config={REPO / 'deploy' / 'jupyter_server_config.py'}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI containers run as root
        argv.append("--allow-root")
    log_path = REPO / "tests" / "_artifacts" / "jupyter_server.log"
    log_path.parent.mkdir(exist_ok=True)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            argv, cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}{BASE_PATH}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, log_path.read_text()[-3000:]
            try:
                status, _, _ = fetch(base + "api/status", token, timeout=2)
                if status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "jupyter server did not start"
            time.sleep(0.3)
        yield base, token
    finally:
        stop_process_group(proc)


def test_voila_extension_is_loaded(jupyter_server: tuple[str, str]) -> None:
    base, token = jupyter_server
    status, body, _ = fetch(base + "api/status", token)
    assert status == 200, body
    log = (REPO / "tests" / "_artifacts" / "jupyter_server.log").read_text()
    assert "voila" in log.lower()


def test_render_route_with_token(jupyter_server: tuple[str, str]) -> None:
    base, token = jupyter_server
    status, body, _ = fetch(base + APP, token)
    assert status == 200, body[:2000]
    # Voila executed the notebook: the page carries the widget views of the app and the
    # kit's template (no CDN link).
    assert "application/vnd.jupyter.widget-view+json" in body
    assert "cdn.jsdelivr.net" not in body and "unpkg.com" not in body
    assert "system-ui" in body  # the kit's template (igm), found through the config file
    assert '"fullMathjaxUrl": null' in body  # no MathJax from cdnjs


def test_render_route_refused_without_token(jupyter_server: tuple[str, str]) -> None:
    base, _token = jupyter_server
    status, body, location = fetch(base + APP)
    assert status in (302, 401, 403), status
    if status == 302:
        assert "/login" in location
    assert "widget-view+json" not in body
    status, _, _ = fetch(base + APP, "wrong-" + secrets.token_hex(8))
    assert status in (302, 401, 403)


def test_the_user_can_read_every_file_of_their_server(jupyter_server: tuple[str, str]) -> None:
    """Why answer keys must not live in the learner's server: with the (learner's own) token
    the contents API returns any file under the root, Python source included."""
    base, token = jupyter_server
    status, body, _ = fetch(base + "api/contents/exercises/_base.py?content=1", token)
    assert status == 200
    assert json.loads(body)["content"]  # the source of the grading code, readable


@pytest.mark.browser
def test_app_usable_in_chromium(
    jupyter_server: tuple[str, str], page: Any, artifacts_dir: Path
) -> None:
    from tests.apps.chart_network import assert_bundle_fetched_not_pushed, watch

    base, token = jupyter_server
    traffic = watch(page)
    page.goto(f"{base}{APP}?token={token}")
    slider = page.locator(".igm-slider-self_efficacy input[type=range]")
    slider.wait_for(state="visible", timeout=120_000)
    assert slider.is_enabled()
    readout = page.locator(".igm-behaviour-readout .igm-readout-value")
    readout.wait_for(timeout=60_000)
    before = readout.get_attribute("data-value")
    slider.focus()
    page.keyboard.press("ArrowRight" if int(slider.input_value()) < 7 else "ArrowLeft")
    page.wait_for_function(
        "b => document.querySelector('.igm-behaviour-readout .igm-readout-value')"
        ".dataset.value !== b",
        arg=before,
        timeout=30_000,
    )
    # The chart is drawn (its bars), with the bundle fetched under /user/learner/.
    page.wait_for_selector(".vega-embed svg .mark-rect path", timeout=60_000)
    assert page.locator(".igm-chart-error").count() == 0
    assert_bundle_fetched_not_pushed(traffic, BASE_PATH)
    page.screenshot(path=str(artifacts_dir / "server_extension_explorer.png"), full_page=True)
    assert page.blocked_requests == []
