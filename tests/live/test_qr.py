"""The projector's QR code scans, and join links use an address the room's phones can reach.

The QR code is decoded for real (zxing-cpp) from a Chromium screenshot of the whole trainer
screen, at the two usual projector sizes: a cropped code or a missing quiet zone fails here.
"""

from __future__ import annotations

import base64
import contextlib
import html
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from live.pages import ENV, address_lines, qr_code
from live.store import LiveStore
from live.urls import lan_site_url
from tests.conftest import free_port, stop_process_group, wait_until_up
from tests.live.conftest import TRAINER_TOKEN, LiveServer, start_server
from tests.live.test_cli import ROOT, igm

PUBLIC = "http://192.168.1.20:8866/"

# The screenshot's pixels as grey bytes, decoded from the PNG by Chromium itself (a canvas):
# no image library needed.
PNG_TO_GREY = """async (b64) => {
  const img = new Image();
  img.src = "data:image/png;base64," + b64;
  await img.decode();
  const canvas = document.createElement("canvas");
  canvas.width = img.width;
  canvas.height = img.height;
  const ctx = canvas.getContext("2d");
  ctx.drawImage(img, 0, 0);
  const rgba = ctx.getImageData(0, 0, img.width, img.height).data;
  const grey = new Uint8Array(img.width * img.height);
  for (let i = 0; i < grey.length; i++) {
    grey[i] = (rgba[4 * i] * 299 + rgba[4 * i + 1] * 587 + rgba[4 * i + 2] * 114) / 1000;
  }
  let text = "";
  for (let i = 0; i < grey.length; i += 8192) {
    text += String.fromCharCode.apply(null, grey.subarray(i, i + 8192));
  }
  return [img.width, img.height, btoa(text)];
}"""


def decode_qr_codes(browser: Any, png: bytes) -> list[str]:
    """Every QR code zxing-cpp finds in the PNG screenshot ``png``."""
    import zxingcpp

    scratch = browser.new_page()
    try:
        width, height, grey = scratch.evaluate(PNG_TO_GREY, base64.b64encode(png).decode())
    finally:
        scratch.close()
    pixels = np.frombuffer(base64.b64decode(grey), dtype=np.uint8).reshape(height, width)
    found = zxingcpp.read_barcodes(pixels, formats=zxingcpp.BarcodeFormat.QRCode)
    return [code.text for code in found]


@pytest.fixture
def public_server(live_db: str) -> Iterator[LiveServer]:
    yield from start_server(live_db, TRAINER_TOKEN, public_url=PUBLIC)


def qr_svg(data: str, label: str) -> str:
    """The QR code as the trainer page draws it (the ``qr_svg`` macro of its templates)."""
    macros = ENV.get_template("macros.html").make_module()
    return str(macros.qr_svg(qr_code(data, label))).strip()  # type: ignore[attr-defined]


def test_qr_svg_scales_keeps_its_quiet_zone_and_is_named() -> None:
    svg = qr_svg("http://192.168.1.20:8866/live/join?code=AB<CD", 'Sessie "AB<CD"')
    opening = svg[: svg.index(">") + 1]
    assert re.search(r'viewBox="0 0 (\d+) \1"', opening)  # square, in modules
    assert not re.search(r"\s(width|height)=", opening)  # the stylesheet sizes it
    assert 'role="img"' in opening and 'aria-label="Sessie &#34;AB&lt;CD&#34;"' in opening
    assert "<title>Sessie &#34;AB&lt;CD&#34;</title>" in svg  # also named where ARIA is not read
    # A version-2 code is 25 modules; with the 4-module quiet zone on each side: 33.
    size = int(re.search(r'viewBox="0 0 (\d+)', opening)[1])  # type: ignore[index]
    assert size >= 25 + 2 * 4
    assert 'd="M4 4h7v1h-7z' in svg  # the finder pattern starts 4 modules in: the quiet zone
    # The data is in the modules only: but for the label, no text of it is in the SVG.
    label = "Sessie &#34;AB&lt;CD&#34;"
    unlabelled = svg.replace(f'aria-label="{label}"', "").replace(f"<title>{label}</title>", "")
    assert "192.168" not in unlabelled and "AB" not in unlabelled


def test_the_qr_path_draws_exactly_the_dark_modules() -> None:
    import segno

    data = "http://192.168.1.20:8866/live/join?code=ABCDE"
    code = qr_code(data, "label")
    dark = set()
    for run in re.finditer(r"M(\d+) (\d+)h(\d+)v1h-\3z", code.path):
        x, y, n = (int(v) for v in run.groups())
        dark |= {(x + i, y) for i in range(n)}
    assert re.fullmatch(r"(M\d+ \d+h(\d+)v1h-\2z)+", code.path)  # runs only, nothing else
    expected = {
        (x, y)
        for y, row in enumerate(segno.make(data, error="m").matrix_iter(scale=1, border=4))
        for x, bit in enumerate(row)
        if bit
    }
    assert dark == expected and code.size == int(
        segno.make(data, error="m").symbol_size(border=4)[0]
    )


@pytest.mark.browser
@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1920, 1080)])
def test_projector_qr_code_decodes_from_a_screenshot(
    browser: Any, page: Any, live_server: LiveServer, artifacts_dir: Path, width: int, height: int
) -> None:
    code = live_server.store.create_session("marja-bijstand", "nl")["code"]
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server.url}live/trainer/{code}?key={live_server.token}")
    page.get_by_text("Deelnemers: 0").wait_for()
    svg = page.locator(".qr svg[role=img]")
    box, frame = svg.bounding_box(), page.locator(".qr").bounding_box()
    assert box is not None and frame is not None
    # Square, large enough for the back of the room, not clipped, on the first screen.
    assert abs(box["width"] - box["height"]) < 1 and box["width"] >= 150
    assert box["x"] >= frame["x"] - 0.5 and box["y"] >= frame["y"] - 0.5
    assert box["x"] + box["width"] <= frame["x"] + frame["width"] + 0.5
    assert box["y"] + box["height"] <= frame["y"] + frame["height"] + 0.5
    assert box["x"] + box["width"] <= width and box["y"] + box["height"] <= height
    expected = f"{live_server.url}live/join?code={code}"  # the address this browser used
    assert expected in (svg.get_attribute("aria-label") or "")
    png = page.screenshot()  # the whole screen, as the projector shows it
    (artifacts_dir / f"live-trainer-qr-{width}.png").write_bytes(png)
    assert decode_qr_codes(browser, png) == [expected]


def trainer_html(server: LiveServer, code: str, host: str | None = None) -> str:
    headers = {"X-Live-Trainer-Token": server.token or ""}
    if host:
        headers["Host"] = host
    request = urllib.request.Request(f"{server.url}live/trainer/{code}", headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return html.unescape(response.read().decode())


def test_join_url_uses_the_address_the_trainers_browser_used(live_server: LiveServer) -> None:
    code = live_server.store.create_session("marja-bijstand")["code"]
    page = trainer_html(live_server, code, host="192.168.1.20:8866")
    assert f"http://192.168.1.20:8866/live/join?code={code}" in page
    assert "127.0.0.1" not in page


def test_a_configured_public_url_wins_over_the_trainers_address(
    public_server: LiveServer,
) -> None:
    code = public_server.store.create_session("marja-bijstand")["code"]
    page = trainer_html(public_server, code)  # the trainer opened 127.0.0.1
    assert f"{PUBLIC}live/join?code={code}" in page
    assert "127.0.0.1" not in page


def test_session_start_takes_public_url_or_hints_at_the_wifi_address(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    done = igm(
        "session", "start", "marja-bijstand", "--database", db,
        "--public-url", "http://192.168.1.20:8866",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    code = re.search(r"join\?code=([A-Z0-9]{5})", done.stdout)
    assert code, done.stdout
    assert f"http://192.168.1.20:8866/live/join?code={code[1]}" in done.stdout
    assert f"http://192.168.1.20:8866/live/trainer/{code[1]}" in done.stdout
    assert "127.0.0.1" not in done.stdout and "igm serve --room" not in done.stdout
    done = igm("session", "start", "marja-bijstand", "--database", db, "--lang", "en")
    detected = lan_site_url(8866)
    if detected:  # this computer's Wi-Fi address, and what phones need for it
        assert f"{detected}live/join?code=" in done.stdout and "127.0.0.1" not in done.stdout
        assert "igm serve --room" in done.stdout and "--public-url" in done.stdout
    else:  # no network: 127.0.0.1, with a warning
        assert "That only works on this computer" in done.stdout and "--public-url" in done.stdout
    done = igm(
        "session", "start", "marja-bijstand", "--database", db, "--public-url", "192.168.1.20:8866"
    )
    assert done.returncode == 1 and "--public-url moet een webadres zijn" in done.stderr
    assert "Traceback" not in done.stderr


# --- the real server: igm serve --room --public-url ---------------------------------------
ROOM_PUBLIC = "http://192.168.1.20:8871/"


@dataclass
class Served:
    url: str  # where this computer reaches it
    output: str  # what igm serve printed up to the room address
    key: str  # the trainer key it printed


@contextlib.contextmanager
def igm_serve(*args: str, env: dict[str, str]) -> Iterator[Served]:
    """``igm serve ARGS`` as a trainer runs it (a subprocess, no kernel pool): yields once it
    answers, with what it printed."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "igm_kit.cli",
        "serve",
        "--port",
        str(port),
        "--pool-size",
        "0",
    ]
    proc = subprocess.Popen(
        [*command, *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "live sessions, trainer:" in line and "--room" not in args:
                break
            if "ROOM ADDRESS" in line:
                break
        output = "".join(lines)
        key = re.search(r"trainer key \(trainerssleutel\): (\S+)", output)
        assert key, output
        url = f"http://127.0.0.1:{port}/"
        wait_until_up(url, proc)
        yield Served(url, output, key[1])
    finally:
        stop_process_group(proc, timeout=20)


@pytest.mark.browser
@pytest.mark.slow
def test_igm_serve_room_puts_the_public_url_in_the_qr_code_and_keeps_its_key(
    browser: Any, tmp_path: Path, artifacts_dir: Path
) -> None:
    """`igm serve --room --public-url URL`: the projector's QR code (decoded from Chromium
    screenshots at both projector sizes) and its address in large type are that URL's join
    link; the trainer key printed is kept beside the database and is the same after a
    restart; a configured key wins."""
    database = f"sqlite:///{tmp_path / 'igm.sqlite3'}"
    env = {"IGM_DATABASE_URL": database, "IGM_TRAINER_TOKEN": ""}
    with igm_serve("--room", "--public-url", ROOM_PUBLIC, env=env) as served:
        assert (
            f"ROOM ADDRESS for phones on this Wi-Fi (adres voor de zaal): {ROOM_PUBLIC}live/join"
            in served.output
        )
        assert f"(kept in {tmp_path / 'trainer-key'})" in served.output
        assert (tmp_path / "trainer-key").read_text().strip() == served.key
        store = LiveStore(database)
        try:
            code = store.create_session("marja-bijstand", "nl")["code"]
        finally:
            store.close()
        expected = f"{ROOM_PUBLIC}live/join?code={code}"
        for width, height in ((1366, 768), (1920, 1080)):
            context = browser.new_context(viewport={"width": width, "height": height})
            try:
                page = context.new_page()
                page.goto(f"{served.url}live/trainer/{code}?key={served.key}")
                page.get_by_text("Deelnemers: 0").wait_for()
                address = page.locator(".qr .room-address")
                assert address.inner_text().split() == ["192.168.1.20:8871", "/live/join"]
                size = float(address.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
                assert size >= 20  # large type, beside the QR code
                png = page.screenshot()
                (artifacts_dir / f"igm-serve-room-qr-{width}.png").write_bytes(png)
                assert decode_qr_codes(browser, png) == [expected]
            finally:
                context.close()
    # The next start: the same key, from the same file.
    with igm_serve(env=env) as again:
        assert again.key == served.key and "ROOM ADDRESS" not in again.output
    # A configured key (environment) wins over the stored one.
    with igm_serve(env={**env, "IGM_TRAINER_TOKEN": "configured-trainer-key-123"}) as configured:
        assert configured.key == "configured-trainer-key-123"
        assert "kept in" not in configured.output


def test_the_projector_shows_the_address_in_two_lines_without_http() -> None:
    assert address_lines("http://192.168.1.20:8871/live/join") == (
        "192.168.1.20:8871",
        "/live/join",
    )
    assert address_lines("https://igm.example.org/igm/live/join") == (
        "https://igm.example.org",
        "/igm/live/join",
    )
