"""Latency and memory of the Voila apps, measured in Chromium against a real ``serve()``.

Prints:
* slider key press → updated behaviour readout, and → redrawn contribution chart
  (median and p95 over ``--moves`` key presses; targets p95 ≤ 100 ms);
* open app → first usable slider: with a preheated kernel waiting, and cold (no pool);
* RSS of each kernel process once the app is loaded (psutil; target ≤ 200 MiB per kernel).

Run: ``.venv/bin/python benchmarks/apps_latency.py [--moves 40]``.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import psutil
from _procs import stop_process_group

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("IGM_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
READY = ".igm-slider input[type=range]"

MEASURE_JS = """
() => {
  // t0: the key press. readout: the behaviour readout shows a new value. chart: the last
  // change to the contribution chart's SVG after t0 (vega updates the marks in place), once
  // the chart has been quiet for 60 ms.
  const readoutBox = document.querySelector('.igm-behaviour-readout');
  const chartBox = document.querySelector('.igm-contribution-chart');
  const before = readoutBox.querySelector('.igm-readout-value').dataset.value;
  const state = { t0: null, readout: null, chart: null };
  window.__igmMeasure = new Promise((resolve, reject) => {
    let quiet = null;
    const finish = () => {
      if (state.readout === null || state.chart === null) return;
      observer.disconnect();
      resolve({ readout: state.readout - state.t0, chart: state.chart - state.t0 });
    };
    const observer = new MutationObserver(records => {
      const now = performance.now();
      if (state.t0 === null) return;
      const value = readoutBox.querySelector('.igm-readout-value');
      if (state.readout === null && value && value.dataset.value !== before) state.readout = now;
      if (records.some(r => chartBox.contains(r.target))) {
        state.chart = now;
        clearTimeout(quiet);
        quiet = setTimeout(finish, 60);
      } else if (state.chart !== null) {
        clearTimeout(quiet);
        quiet = setTimeout(finish, 60);
      }
    });
    observer.observe(readoutBox, { childList: true, subtree: true, characterData: true });
    observer.observe(chartBox, { childList: true, subtree: true, attributes: true });
    document.addEventListener('keydown', () => { state.t0 = performance.now(); },
                              { once: true, capture: true });
    setTimeout(() => reject(new Error('no update within 5 s')), 5000);
  });
}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(pool_size: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    code = f"from apps.server import serve; serve(port={port}, pool_size={pool_size})"
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.3)
    stop_server(proc)
    raise TimeoutError("server did not start")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    stop_process_group(proc, timeout=15)


def kernels(proc: subprocess.Popen[bytes]) -> list[psutil.Process]:
    return [
        p
        for p in psutil.Process(proc.pid).children(recursive=True)
        if "ipykernel" in " ".join(p.cmdline())
    ]


def new_page(browser: Any) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    blocked: list[str] = []

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    page.route("**/*", guard)
    return context, page, blocked


def time_to_usable(browser: Any, url: str) -> float:
    context, page, _ = new_page(browser)
    start = time.perf_counter()
    page.goto(url + "voila/render/apps/explorer.ipynb", wait_until="commit", timeout=120_000)
    page.wait_for_selector(READY, timeout=120_000)
    page.wait_for_selector(".igm-contribution-chart svg", timeout=120_000)
    elapsed = time.perf_counter() - start
    context.close()
    return elapsed


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--moves", type=int, default=40)
    parser.add_argument("--opens", type=int, default=3)
    parser.add_argument("--pool-size", type=int, default=1)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)

        # 1. preheated: one kernel per app waits; let the pool fill before each open
        proc, url = start_server(args.pool_size)
        try:
            warm = []
            for _ in range(args.opens):
                time.sleep(12)
                warm.append(time_to_usable(browser, url))

            # 2. slider latency and RSS in one loaded explorer
            context, page, blocked = new_page(browser)
            page.goto(
                url + "voila/render/apps/explorer.ipynb", wait_until="commit", timeout=120_000
            )
            page.wait_for_selector(".igm-contribution-chart svg", timeout=120_000)
            slider = page.locator(".igm-slider-self_efficacy input[type=range]")
            value = int(slider.input_value())
            keys = ["ArrowRight", "ArrowLeft"] if value < 7 else ["ArrowLeft", "ArrowRight"]
            readout: list[float] = []
            chart: list[float] = []
            slider.focus()
            for i in range(args.moves + 3):
                page.evaluate(MEASURE_JS)
                page.keyboard.press(keys[i % 2])
                result = page.evaluate("() => window.__igmMeasure")
                if i >= 3:  # the first moves warm up the JIT and caches
                    readout.append(float(result["readout"]))
                    chart.append(float(result["chart"]))
            rss = sorted(k.memory_info().rss / 2**20 for k in kernels(proc))
            context.close()
        finally:
            stop_server(proc)

        # 3. cold: no preheated kernel
        proc, url = start_server(0)
        try:
            cold = [time_to_usable(browser, url) for _ in range(args.opens)]
        finally:
            stop_server(proc)
        browser.close()

    print(
        f"slider key press -> behaviour readout (ms, n={len(readout)}): "
        f"median {statistics.median(readout):.1f}, p95 {pct(readout, 0.95):.1f}"
    )
    print(
        f"slider key press -> readout + redrawn chart (ms, n={len(chart)}): "
        f"median {statistics.median(chart):.1f}, p95 {pct(chart, 0.95):.1f}  (target p95 <= 100)"
    )
    print(
        "open explorer -> usable slider and chart, preheated kernel (s): "
        + ", ".join(f"{v:.2f}" for v in warm)
    )
    print(
        "open explorer -> usable slider and chart, cold kernel (s): "
        + ", ".join(f"{v:.2f}" for v in cold)
    )
    print(
        "kernel RSS after load (MiB, all kernels incl. idle pool): "
        + ", ".join(f"{v:.0f}" for v in rss)
        + "  (target <= 200 per kernel)"
    )
    print(f"non-local requests attempted: {len(blocked)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
