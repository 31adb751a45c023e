"""A full room: N learners open the explorer app within S seconds: the kit, Voila with its own
preheated pool, and bare Voila.

In one run, side by side, on the same machine and notebook (``apps/explorer.ipynb``):

* **kit**: the kit's Voila app class (landing page, ``igm`` template; ``apps.server``) with
  the settings of :mod:`apps.serve_config` (a preheated pool for the explorer sized to the
  room, idle culling, pool-aware culler), started the way ``igm serve`` starts once
  ``ServeConfig`` is wired in;
* **preheated**: what a competent Voila user would set up for a room: ``voila
  apps/explorer.ipynb --no-browser --preheat_kernel=True --pool_size=N`` (Voila's own pool of
  kernels that have run the notebook, the same size as the kit's; Voila's default template
  and refill delay, 1 s, unless ``--preheated-fill-delay`` sets Voila's ``fill_delay``, e.g.
  to the kit's ``--refill-delay-seconds`` to compare like with like);
* **bare**: ``voila apps/explorer.ipynb --no-browser`` with no settings (one cold kernel per
  page view, Voila's default template).

Learners arrive at random moments in the window. ``--browsers`` of them are Chromium contexts
(one shared browser; requests off this machine cannot resolve and are counted); the others
are *protocol learners*: Python clients that do what a page's script does (fetch the page,
open the kernel websocket, fetch every widget's state, send slider updates), so a full room
loads the server like real browsers while the 2-CPU machine is not also running 60 browsers.
Measured per learner:

* time to usable: request → slider usable (browser: ``.igm-slider-self_efficacy input``
  visible and enabled; protocol: the widget state holding that slider received);
* slider → readout: ArrowRight (browser) or a comm ``update`` (protocol) → the behaviour
  readout shows a new value, ``--moves`` times per learner while the room is still arriving;
* memory: RSS (psutil) of every kernel process once the room is in, per kernel and in total.

Also: one browser opening the app on the idle server first (the floor set by the page's
script: the kit's one file, ``igm-page.js`` from ``frontend/``, against Voila's JupyterLab
front end of ~90 files).

At the end: open (time to usable) and slider → readout p50 and p95 over all learners of each
setup, and each as a multiple of the kit's.

Targets (issue 7): p95 time to usable ≤ 1.5 s, ≤ 150 MiB per learner kernel, slider p95 ≤ 150 ms.

Run: ``.venv/bin/python benchmarks/room_load.py --learners 60 --window 60 --refill-delay-seconds 600``
(``--pool-size`` defaults to the number of learners plus one, for the kit and for preheated
Voila: a pool sized for the room, plus the kernel the solo browser takes first; with a long
refill delay that kernel is not replaced before the room arrives. ``--only kit bare`` runs
some of the setups.)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
from _procs import stop_process_group

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = "apps/explorer.ipynb"
CHROMIUM = os.environ.get("IGM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
LOCAL_PREFIXES = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")
SLIDER = ".igm-slider-self_efficacy input[type=range]"

# The kit's server, as `igm serve` will start it once apps.serve_config is wired in.
KIT_LAUNCHER = """
import json, sys
from apps.serve_config import ServeConfig, voila_config
from apps.server import REPO_ROOT, make_app_class, prepare_environment
port, pools, cull = int(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3])
refill = float(sys.argv[4])
prepare_environment()
cfg = ServeConfig(port=port, pool_size=0, pools=pools, cull_idle_seconds=cull,
                  refill_delay_seconds=refill)
app = make_app_class()(config=voila_config(cfg))
app.initialize([str(REPO_ROOT), "--template=igm", "--theme=light", "--no-browser"])
print("igm-kit ready", flush=True)
app.start()
"""

READOUT_JS = """
() => {
  const box = document.querySelector('.igm-behaviour-readout');
  const read = () => { const v = box && box.querySelector('.igm-readout-value');
                       return v ? v.dataset.value : null; };
  const before = read();
  window.__igmMove = new Promise(resolve => {
    let t0 = null;
    const check = () => {
      if (t0 !== null && read() !== before) { observer.disconnect();
                                              resolve(performance.now() - t0); }
    };
    const observer = new MutationObserver(check);
    observer.observe(box, { childList: true, subtree: true, characterData: true,
                            attributes: true });
    document.addEventListener('keydown', () => { t0 = performance.now(); check(); },
                              { once: true, capture: true });
    setTimeout(() => { observer.disconnect(); resolve(-1); }, 15000);
  });
}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    name: str
    proc: subprocess.Popen[bytes]
    url: str
    log: Path

    def kernels(self) -> list[psutil.Process]:
        try:
            children = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []
        out = []
        for p in children:
            try:
                if "ipykernel" in " ".join(p.cmdline()):
                    out.append(p)
            except psutil.Error:
                pass
        return out

    def kernel_rss_mib(self) -> list[float]:
        rss = []
        for k in self.kernels():
            with contextlib.suppress(psutil.Error):
                rss.append(k.memory_info().rss / 2**20)
        return sorted(rss)

    def stop(self) -> None:
        stop_process_group(self.proc)


def start(name: str, argv: list[str], port: int, url_path: str, log_dir: Path) -> Server:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    log = log_dir / f"room_load_{name}.log"
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            argv, cwd=REPO, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(name, proc, f"http://127.0.0.1:{port}{url_path}", log)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} server exited; see {log}")
        try:  # any HTTP answer means up; a 404 path starts no kernel in Voila
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/voila/static/none", timeout=2):
                return server
        except urllib.error.HTTPError:
            return server
        except OSError:
            time.sleep(0.3)
    server.stop()
    raise TimeoutError(f"{name} server did not start; see {log}")


def wait_for_pool(server: Server, size: int, timeout: float) -> float:
    """Wait until ``size`` kernels have run the app notebook: each holds ≥ 65 MiB (a bare
    kernel ≈ 50 MiB, the explorer's ≈ 80 MiB once its imports and widgets are in) and all were
    idle for 3 s in a row. Voila logs a pool "filled" as soon as the kernels *started*, long
    before they ran the app. (CPU time no longer tells them apart: the lean explorer kernel
    needs about 1.2 CPU-seconds.)"""
    t0 = time.monotonic()
    quiet = 0
    while time.monotonic() - t0 < timeout and quiet < 3:
        kernels = server.kernels()
        before: dict[int, float] = {}
        for k in kernels:
            with contextlib.suppress(psutil.Error):
                before[k.pid] = sum(k.cpu_times()[:2])
        time.sleep(1)
        done = 0
        busy = False
        for k in kernels:
            with contextlib.suppress(psutil.Error):
                used = sum(k.cpu_times()[:2])
                busy = busy or used - before.get(k.pid, used) > 0.05
                done += k.memory_info().rss >= 65 * 2**20
        # a kernel that failed to start (e.g. a ZMQ port race among 60 starts) never counts
        enough = len(kernels) >= size - max(1, size // 20)
        quiet = quiet + 1 if enough and done >= len(kernels) and not busy else 0
    return time.monotonic() - t0


@dataclass
class Learner:
    index: int
    arrival: float
    usable: float | None = None
    kind: str = "browser"
    moves: list[float] = field(default_factory=list)
    error: str | None = None


async def learner(
    browser: Any, url: str, me: Learner, t0: float, moves: int, blocked: list[str], done: Any
) -> Any:
    await asyncio.sleep(max(0.0, t0 + me.arrival - time.monotonic()))
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()

    # Record requests off this machine; Chromium cannot reach them anyway (every host but
    # 127.0.0.1 resolves to nothing, --host-resolver-rules). Cheaper than page.route(), which
    # sends each of the ~100 requests of a Voila page through this Python process.
    page.on(
        "request",
        lambda request: (
            None if request.url.startswith(LOCAL_PREFIXES) else blocked.append(request.url)
        ),
    )
    try:
        start = time.perf_counter()
        await page.goto(url, wait_until="commit", timeout=180_000)
        slider = page.locator(SLIDER)
        await slider.wait_for(state="visible", timeout=180_000)
        while not await slider.is_enabled():
            await asyncio.sleep(0.01)
        me.usable = time.perf_counter() - start
        await page.locator(".igm-behaviour-readout .igm-readout-value").wait_for(timeout=60_000)
        await slider.focus()
        value = int(await slider.input_value())
        keys = ["ArrowRight", "ArrowLeft"] if value < 7 else ["ArrowLeft", "ArrowRight"]
        for i in range(moves + 1):
            await page.evaluate(READOUT_JS)
            await page.keyboard.press(keys[i % 2])
            ms = float(await page.evaluate("() => window.__igmMove"))
            if i > 0 and ms >= 0:  # the first move warms up the page's JIT
                me.moves.append(ms)
            await asyncio.sleep(random.uniform(0.5, 2.0))  # a learner reads, then moves again
    except Exception as exc:
        me.error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
    await done.wait()  # stay in the room (kernel alive) until everyone has arrived
    await context.close()
    return me


def _msg(session: str, msg_type: str, content: dict[str, Any], channel: str = "shell") -> str:
    return json.dumps(
        {
            "header": {
                "msg_id": uuid.uuid4().hex,
                "username": "learner",
                "session": session,
                "msg_type": msg_type,
                "version": "5.3",
                "date": "",
            },
            "parent_header": {},
            "metadata": {"version": "1.0.0"} if msg_type == "comm_open" else {},
            "content": content,
            "channel": channel,
            "buffers": [],
        }
    )


class ProtocolLearner:
    """What a page's script does over HTTP and the kernel websocket, without a browser:
    fetch the page, connect to its kernel, fetch every widget's state (the page is usable
    once the front end has them), then move the slider with a comm ``update`` and wait for
    the readout widget's ``update``. It loads the server exactly like a browser but costs
    the 2-CPU machine almost nothing, so a full room fits next to the server."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session = uuid.uuid4().hex
        self.ws: Any = None
        self.slider: str | None = None
        self.readout: str | None = None
        self.value = 0
        self.readout_html = ""

    async def open(self) -> None:
        from tornado.httpclient import AsyncHTTPClient
        from tornado.websocket import websocket_connect

        response = await AsyncHTTPClient().fetch(self.url, request_timeout=300)
        page = response.body.decode("utf-8")
        kernel_id = re.search(r'"kernelId": "([0-9a-f-]{36})"', page)
        if kernel_id is None:
            raise RuntimeError("no kernel id in the page")
        root = (
            self.url.split("/voila/")[0].rstrip("/")
            if "/voila/" in self.url
            else (self.url.rstrip("/"))
        )
        ws_url = (
            root.replace("http://", "ws://")
            + f"/api/kernels/{kernel_id.group(1)}/channels?session_id={self.session}"
        )
        self.ws = await websocket_connect(ws_url, max_message_size=2**28)
        comm_id = uuid.uuid4().hex
        await self.ws.write_message(
            _msg(
                self.session,
                "comm_open",
                {"comm_id": comm_id, "target_name": "jupyter.widget.control", "data": {}},
            )
        )
        await self.ws.write_message(
            _msg(
                self.session,
                "comm_msg",
                {"comm_id": comm_id, "data": {"method": "request_states"}},
            )
        )
        while True:
            msg = json.loads(await self._read())
            data = msg.get("content", {}).get("data", {})
            if msg.get("msg_type") == "comm_msg" and data.get("method") == "update_states":
                break
        for model_id, model in data["states"].items():
            state = model.get("state", {})
            classes = state.get("_dom_classes", [])
            if "igm-slider-self_efficacy" in classes:
                self.slider, self.value = model_id, int(state["value"])
            if "igm-behaviour-readout" in classes:
                self.readout = model_id
                self.readout_html = str(state.get("value", ""))
        if self.slider is None or self.readout is None:
            raise RuntimeError("slider or readout widget not found in the widget state")

    async def _read(self) -> str:
        message = await asyncio.wait_for(self.ws.read_message(), timeout=120)
        if message is None:
            raise RuntimeError("kernel websocket closed")
        return str(message) if not isinstance(message, bytes) else message.decode()

    async def move(self) -> float:
        self.value = self.value + 1 if self.value < 7 else self.value - 1
        start = time.perf_counter()
        await self.ws.write_message(
            _msg(
                self.session,
                "comm_msg",
                {
                    "comm_id": self.slider,
                    "data": {
                        "method": "update",
                        "state": {"value": self.value},
                        "buffer_paths": [],
                    },
                },
            )
        )
        while True:
            msg = json.loads(await self._read())
            content = msg.get("content", {})
            data = content.get("data", {})
            if (
                msg.get("msg_type") == "comm_msg"
                and content.get("comm_id") == self.readout
                and data.get("method") == "update"
                and "value" in data.get("state", {})
                and data["state"]["value"] != self.readout_html
            ):
                self.readout_html = data["state"]["value"]
                return (time.perf_counter() - start) * 1000

    def close(self) -> None:
        if self.ws is not None:
            self.ws.close()


async def protocol_learner(url: str, me: Learner, t0: float, moves: int, done: Any) -> Learner:
    await asyncio.sleep(max(0.0, t0 + me.arrival - time.monotonic()))
    client = ProtocolLearner(url)
    try:
        start = time.perf_counter()
        await client.open()
        me.usable = time.perf_counter() - start
        for i in range(moves + 1):
            ms = await client.move()
            if i > 0:
                me.moves.append(ms)
            await asyncio.sleep(random.uniform(0.5, 2.0))
    except Exception as exc:
        me.error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}"

    async def drain() -> None:  # an open page keeps reading (and answering pings)
        with contextlib.suppress(Exception):
            while client.ws is not None and await client.ws.read_message() is not None:
                pass

    reader = asyncio.create_task(drain())
    await done.wait()
    reader.cancel()
    client.close()
    return me


async def solo_open(server: Server) -> Learner:
    """One learner in a browser on an otherwise idle server: the floor of time to usable."""
    from playwright.async_api import async_playwright

    me = Learner(-1, 0.0, kind="browser")
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        done = asyncio.Event()
        done.set()
        await learner(browser, server.url, me, time.monotonic(), 1, [], done)
        await browser.close()
    return me


async def room(
    server: Server, learners: int, window: float, moves: int, seed: int, browsers: int
) -> tuple[list[Learner], list[float], list[str]]:
    from playwright.async_api import async_playwright
    from tornado.httpclient import AsyncHTTPClient

    # Tornado's client sends at most 10 requests at a time by default: a room of protocol
    # learners would queue in the client, not at the server.
    AsyncHTTPClient.configure(None, max_clients=learners + 10)
    rng = random.Random(seed)
    arrivals = sorted(rng.uniform(0, window) for _ in range(learners))
    # Browser learners spread evenly over the arrivals; the rest speak the protocol.
    in_browser = {round((k + 0.5) * learners / browsers) for k in range(browsers)}
    people = [
        Learner(i, a, kind="browser" if i in in_browser else "protocol")
        for i, a in enumerate(arrivals)
    ]
    blocked: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        done = asyncio.Event()
        t0 = time.monotonic() + 1
        tasks = [
            asyncio.create_task(
                learner(browser, server.url, me, t0, moves, blocked, done)
                if me.kind == "browser"
                else protocol_learner(server.url, me, t0, moves, done)
            )
            for me in people
        ]
        # When nobody is still measuring, the whole room is in: take memory, then leave.
        while True:
            await asyncio.sleep(1)
            busy = [
                me
                for me in people
                if me.error is None and (me.usable is None or len(me.moves) < moves)
            ]
            if not busy or time.monotonic() - t0 > window + 600:
                break
        rss = server.kernel_rss_mib()
        done.set()
        await asyncio.gather(*tasks)
        await browser.close()
    return people, rss, blocked


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summarise(
    people: list[Learner], rss: list[float], blocked: list[str], solo: Learner | None
) -> dict[str, Any]:
    out: dict[str, Any] = {"learners": len(people), "errors": []}
    for kind in ("all", "browser", "protocol"):
        group = [p for p in people if kind == "all" or p.kind == kind]
        usable = [p.usable for p in group if p.usable is not None]
        moves = [m for p in group for m in p.moves]
        out[f"{kind}_n"] = len(group)
        out[f"{kind}_usable"] = len(usable)
        out[f"{kind}_ttu_median_s"] = statistics.median(usable) if usable else float("nan")
        out[f"{kind}_ttu_p95_s"] = pct(usable, 0.95)
        out[f"{kind}_ttu_max_s"] = max(usable, default=float("nan"))
        out[f"{kind}_move_n"] = len(moves)
        out[f"{kind}_move_median_ms"] = statistics.median(moves) if moves else float("nan")
        out[f"{kind}_move_p95_ms"] = pct(moves, 0.95)
    out["errors"] = [f"{p.kind} #{p.index}: {p.error}" for p in people if p.error]
    if solo is not None and solo.error:  # otherwise the solo figure is just NaN
        out["errors"].insert(0, f"solo browser: {solo.error}")
    out["solo_ttu_s"] = solo.usable if solo and solo.usable is not None else float("nan")
    out["kernels"] = len(rss)
    out["rss_median_mib"] = statistics.median(rss) if rss else float("nan")
    out["rss_max_mib"] = max(rss, default=float("nan"))
    out["rss_total_per_learner_mib"] = sum(rss) / max(1, len(people))
    out["blocked_requests"] = len(blocked)
    return out


ROWS = [
    ("1 browser, idle server: usable (s)", "solo_ttu_s", "{:.2f}", ""),
    ("room, browser: usable median (s)", "browser_ttu_median_s", "{:.2f}", ""),
    ("room, browser: usable p95 (s)", "browser_ttu_p95_s", "{:.2f}", "≤ 1.5"),
    ("room, protocol: usable median (s)", "protocol_ttu_median_s", "{:.2f}", ""),
    ("room, protocol: usable p95 (s)", "protocol_ttu_p95_s", "{:.2f}", "≤ 1.5"),
    ("room, all: usable median (s)", "all_ttu_median_s", "{:.2f}", ""),
    ("room, all: usable p95 (s)", "all_ttu_p95_s", "{:.2f}", "≤ 1.5"),
    ("room, all: usable max (s)", "all_ttu_max_s", "{:.2f}", ""),
    ("learners usable / arrived", "all_usable", "{}", ""),
    ("room, browser: slider→readout med (ms)", "browser_move_median_ms", "{:.0f}", ""),
    ("room, browser: slider→readout p95 (ms)", "browser_move_p95_ms", "{:.0f}", "≤ 150"),
    ("room, protocol: slider→readout med (ms)", "protocol_move_median_ms", "{:.0f}", ""),
    ("room, protocol: slider→readout p95 (ms)", "protocol_move_p95_ms", "{:.0f}", "≤ 150"),
    ("room, all: slider→readout med (ms)", "all_move_median_ms", "{:.0f}", ""),
    ("room, all: slider→readout p95 (ms)", "all_move_p95_ms", "{:.0f}", "≤ 150"),
    ("slider moves measured", "all_move_n", "{}", ""),
    ("kernel processes at the end", "kernels", "{}", ""),
    ("RSS per kernel, median (MiB)", "rss_median_mib", "{:.0f}", "≤ 150"),
    ("RSS per kernel, max (MiB)", "rss_max_mib", "{:.0f}", ""),
    ("all kernels' RSS / learner (MiB)", "rss_total_per_learner_mib", "{:.0f}", ""),
    ("non-local requests (aborted)", "blocked_requests", "{}", "0"),
]


def table(results: dict[str, dict[str, Any]], header: str) -> str:
    names = list(results)
    lines = [header, f"{'':40} " + " ".join(f"{n:>10}" for n in names) + f" {'target':>8}"]
    for label, key, fmt, target in ROWS:
        cells = " ".join(f"{fmt.format(results[n][key]):>10}" for n in names)
        lines.append(f"{label:40} {cells} {target:>8}")
    for n in names:
        for err in results[n]["errors"][:3]:
            lines.append(f"  {n} error: {err}")
    return "\n".join(lines)


# The figures the summary compares, over all learners of a setup: (label, key, format, unit).
SUMMARY = [
    ("open p50", "all_ttu_median_s", "{:.2f}", "s"),
    ("open p95", "all_ttu_p95_s", "{:.2f}", "s"),
    ("slider p50", "all_move_median_ms", "{:.0f}", "ms"),
    ("slider p95", "all_move_p95_ms", "{:.0f}", "ms"),
]


def summary(results: dict[str, dict[str, Any]], reference: str = "kit") -> str:
    """Each setup's open and slider figures, and (when the reference setup ran) each as a
    multiple of the reference's: ``×2.9`` means 2.9 times as long as the kit."""
    lines = [
        f"Summary, all learners ({'× = setup / ' + reference if reference in results else 'no ratios: the kit did not run'}):",
        f"{'':10} " + " ".join(f"{label:>18}" for label, *_ in SUMMARY),
    ]
    for name, figures in results.items():
        cells = []
        for _, key, fmt, unit in SUMMARY:
            cell = f"{fmt.format(figures[key])} {unit}"
            if reference in results and name != reference:
                base = results[reference][key]
                ratio = figures[key] / base if base else float("nan")
                cell += f" (×{ratio:.1f})"
            cells.append(f"{cell:>18}")
        lines.append(f"{name:10} " + " ".join(cells))
    return "\n".join(lines)


def preheated_options(pool: int, args: argparse.Namespace) -> list[str]:
    """Voila's own preheated pool, as a Voila user would ask for it on the command line."""
    options = ["--preheat_kernel=True", f"--pool_size={pool}"]
    if args.preheated_fill_delay is not None:  # not in `voila --help-all`, but configurable
        options.append(f"--VoilaKernelManager.fill_delay={args.preheated_fill_delay:g}")
    return options


def server_argv(name: str, port: int, pool: int, args: argparse.Namespace) -> list[str]:
    """The command that starts one setup's server on ``port``."""
    if name == "kit":
        return [
            sys.executable,
            "-c",
            KIT_LAUNCHER,
            str(port),
            json.dumps({NOTEBOOK: pool}),
            str(args.cull_idle_seconds),
            str(args.refill_delay_seconds),
        ]
    voila = [str(Path(sys.executable).with_name("voila")), NOTEBOOK, "--no-browser"]
    voila += ["--port", str(port)]
    if name == "preheated":
        voila += preheated_options(pool, args)
    return voila


SETUPS = ("kit", "preheated", "bare")
POOLED = ("kit", "preheated")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=60)
    parser.add_argument("--window", type=float, default=60.0, help="arrival window (s)")
    parser.add_argument("--moves", type=int, default=5, help="slider moves per learner")
    parser.add_argument(
        "--browsers",
        type=int,
        default=6,
        help="learners in Chromium (the others speak Voila's protocol from Python)",
    )
    parser.add_argument(
        "--pool-size",
        type=int,
        help="kit and preheated Voila: preheated explorer kernels "
        "(default: --learners + 1, for the solo browser)",
    )
    parser.add_argument("--cull-idle-seconds", type=int, default=900)
    parser.add_argument("--refill-delay-seconds", type=float, default=2.0, help="kit")
    parser.add_argument(
        "--preheated-fill-delay",
        type=float,
        help="preheated Voila: seconds before a taken kernel is replaced (default: Voila's, 1 s)",
    )
    parser.add_argument(
        "--only", nargs="+", choices=SETUPS, help="run these setups only (default: all three)"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    pool = args.learners + 1 if args.pool_size is None else args.pool_size
    log_dir = REPO / "tests" / "_artifacts"
    log_dir.mkdir(parents=True, exist_ok=True)

    from apps.server import prepare_environment

    # Every server inherits it: the chart bundle written once, and the folders Voila serves it
    # from (Voila alone still renders with its own lab template; the notebook needs the file).
    prepare_environment()
    setups = [s for s in SETUPS if args.only is None or s in args.only]
    results: dict[str, dict[str, Any]] = {}
    for name in setups:
        port = free_port()
        url_path = f"/voila/render/{NOTEBOOK}" if name == "kit" else "/"
        server = start(name, server_argv(name, port, pool, args), port, url_path, log_dir)
        try:
            warm = wait_for_pool(server, pool, timeout=60 + 6 * pool) if name in POOLED else 0.0
            idle_rss = server.kernel_rss_mib()
            print(
                f"[{name}] ready; {len(idle_rss)} kernels waiting after {warm:.0f} s; "
                f"room of {args.learners} arriving within {args.window:.0f} s …",
                flush=True,
            )
            solo = asyncio.run(solo_open(server))
            if name in POOLED:  # the pool refills the kernel the solo learner used
                wait_for_pool(server, pool, timeout=120)
            people, rss, blocked = asyncio.run(
                room(
                    server,
                    args.learners,
                    args.window,
                    args.moves,
                    args.seed,
                    min(args.browsers, args.learners),
                )
            )
            results[name] = summarise(people, rss, blocked, solo)
            print(f"[{name}] done: " + json.dumps(results[name]), flush=True)
            results[name]["preheat_s"] = warm
        finally:
            server.stop()
        time.sleep(3)

    described = {
        "kit": f"kit = pool {pool}, refill delay {args.refill_delay_seconds:g} s, "
        f"cull {args.cull_idle_seconds} s",
        "preheated": f"preheated = voila {NOTEBOOK} " + " ".join(preheated_options(pool, args)),
        "bare": f"bare = voila {NOTEBOOK} without settings",
    }
    header = (
        f"Room load: {args.learners} learners within {args.window:.0f} s on {NOTEBOOK}, "
        f"{os.cpu_count()} CPUs; " + "; ".join(described[name] for name in results)
    )
    print(table(results, header))
    print()
    print(summary(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
