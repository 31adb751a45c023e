"""Load test of the live sessions: N participants on a phone, one trainer screen, one server.

Starts the real server (``python -m live.web``) as a subprocess on 127.0.0.1 with a fresh
SQLite database (or uses ``--db``), then runs asyncio clients that speak the real protocol:

* the trainer creates a session (form post), opens round 3, and long-polls the live feed with
  the HTML fragment, exactly as the trainer page does;
* N participants join within ``--ramp`` seconds (page + join call), poll the session state
  every 3 s as the page does, and submit scores, a prediction and a vote (some re-submit).

Every POST carries tornado's XSRF token as a browser's does: the ``_xsrf`` cookie that the
page set, and its value in the ``X-XSRFToken`` header (live.js).

Prints join latency p95, submit-to-trainer-screen latency p95 (the feed response that first
carries the answer), the server process's CPU and peak memory, and checks that no answer was
lost (the trainer's counts, and every stored row in the CSV export).

    python benchmarks/live_load.py [--participants 60] [--ramp 20] [--db URL] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from tornado.httpclient import AsyncHTTPClient, HTTPClientError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from igm.determinants import DETERMINANTS  # noqa: E402

TOKEN = "load-test-trainer-key"
HEADERS = {"X-Live-Trainer-Token": TOKEN}
JSON = {"Content-Type": "application/json"}


def xsrf_headers(page: Any) -> dict[str, str]:
    """The headers that make a POST pass tornado's XSRF check, from the response of a page
    (it set the ``_xsrf`` cookie): the cookie sent back, and its value in the header."""
    jar: SimpleCookie = SimpleCookie()
    for header in page.headers.get_list("Set-Cookie"):
        jar.load(header)
    token = jar["_xsrf"].value
    return {"Cookie": f"_xsrf={token}", "X-XSRFToken": token}


def p95(values: list[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ProcStats:
    """CPU seconds and resident memory of a process, from /proc (Linux)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.tick = os.sysconf("SC_CLK_TCK")
        self.peak_rss = 0

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / self.tick  # utime + stime

    def rss_mib(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    async def sample(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.peak_rss = max(self.peak_rss, self.rss_mib())
            await asyncio.sleep(0.2)


@dataclass
class Results:
    join: list[float] = field(default_factory=list)
    submits: list[tuple[float, int, str]] = field(default_factory=list)  # (sent, version, kind)
    feed: list[tuple[float, int]] = field(default_factory=list)  # (arrived, version)
    errors: list[str] = field(default_factory=list)
    last_summary: dict[str, Any] = field(default_factory=dict)
    voted: list[tuple[int, int]] = field(default_factory=list)  # conversation: (step, phone)


@dataclass
class Crowd:
    """The measured part of a run: the server's CPU and memory, the trainer's feed and ``n``
    simulated phones, started together and stopped together."""

    stats: ProcStats | None
    load_before: float
    stop_all: asyncio.Event
    stop_sampling: asyncio.Event
    sampler: asyncio.Task[None] | None
    cpu0: float
    wall0: float
    feed: asyncio.Task[None]
    people: list[asyncio.Task[None]]

    @classmethod
    def start(
        cls,
        phone: Any,
        client: Any,
        base: str,
        code: str,
        res: Results,
        pid: int | None,
        n: int,
        ramp: float,
        seed: int,
    ) -> Crowd:
        """Start sampling the server, the trainer's feed and ``n`` phones running ``phone``
        (``participant`` or ``talk_participant``), phone ``i`` after ``ramp * i / n`` s."""
        stats = ProcStats(pid) if pid else None
        load_before = os.getloadavg()[0]
        stop_all, stop_sampling = asyncio.Event(), asyncio.Event()
        sampler = asyncio.create_task(stats.sample(stop_sampling)) if stats else None
        cpu0, wall0 = (stats.cpu_seconds() if stats else 0.0), time.perf_counter()
        feed = asyncio.create_task(trainer_feed(client, base, code, res, stop_all))
        people = [
            asyncio.create_task(
                phone(
                    client,
                    base,
                    code,
                    i,
                    ramp * i / max(n, 1),
                    res,
                    random.Random(seed * 1000 + i),
                    stop_all,
                )
            )
            for i in range(n)
        ]
        return cls(stats, load_before, stop_all, stop_sampling, sampler, cpu0, wall0, feed, people)

    async def stop(self) -> tuple[float, float]:
        """Stop everything; the wall time and the server's CPU seconds since the start."""
        wall = time.perf_counter() - self.wall0
        cpu = (self.stats.cpu_seconds() - self.cpu0) if self.stats else float("nan")
        self.stop_all.set()
        self.stop_sampling.set()
        await asyncio.gather(*self.people, return_exceptions=True)
        self.feed.cancel()
        if self.sampler:
            await self.sampler
        return wall, cpu


async def trainer_feed(
    client: Any, base: str, code: str, res: Results, stop: asyncio.Event
) -> None:
    version = 0
    while not stop.is_set():
        try:
            r = await client.fetch(
                f"{base}live/trainer/{code}/feed?since={version}",
                headers=HEADERS,
                request_timeout=60,
            )
        except Exception as exc:
            res.errors.append(f"feed: {exc}")
            await asyncio.sleep(0.5)
            continue
        data = json.loads(r.body)
        now = time.perf_counter()
        assert "html" in data
        version = data["version"]
        res.feed.append((now, version))
        res.last_summary = data["summary"]


async def participant(
    client: Any,
    base: str,
    code: str,
    i: int,
    delay: float,
    res: Results,
    rng: random.Random,
    stop: asyncio.Event,
) -> None:
    await asyncio.sleep(delay)
    t0 = time.perf_counter()
    try:
        page = await client.fetch(f"{base}live/join?code={code}")
        await client.fetch(f"{base}live/static/live-common.js")
        await client.fetch(f"{base}live/static/live.js")
        post = {**JSON, **xsrf_headers(page)}
        r = await client.fetch(
            f"{base}live/api/join",
            method="POST",
            headers=post,
            body=json.dumps({"code": code, "nickname": f"p{i}"}),
        )
    except HTTPClientError as exc:
        res.errors.append(f"join {i}: {exc}")
        return
    res.join.append(time.perf_counter() - t0)
    token = json.loads(r.body)["token"]

    async def poll() -> None:
        while not stop.is_set():
            await asyncio.sleep(3)
            try:
                await client.fetch(f"{base}live/api/state?code={code}")
            except Exception as exc:
                res.errors.append(f"state {i}: {exc}")

    poller = asyncio.create_task(poll())
    answers: list[tuple[str, Any]] = [
        ("scores", {k: rng.randint(1, 7) for k in DETERMINANTS}),
        ("prediction", rng.randint(0, 100)),
        ("vote", rng.choice(DETERMINANTS)),
    ]
    if rng.random() < 0.3:  # changes their mind: a re-submit adds a row, the latest counts
        answers.append(("scores", {k: rng.randint(1, 7) for k in DETERMINANTS}))
    for kind, value in answers:
        await asyncio.sleep(rng.uniform(0.5, 2.0))
        sent = time.perf_counter()
        try:
            r = await client.fetch(
                f"{base}live/api/answer",
                method="POST",
                headers=post,
                body=json.dumps({"code": code, "token": token, "kind": kind, "value": value}),
            )
        except HTTPClientError as exc:
            res.errors.append(f"answer {i} {kind}: {exc}")
            continue
        res.submits.append((sent, json.loads(r.body)["version"], kind))
    await stop.wait()
    poller.cancel()


async def run_load(
    base: str, n: int, ramp: float, pid: int | None, seed: int = 1
) -> dict[str, Any]:
    AsyncHTTPClient.configure(None, max_clients=4 * n + 20)
    client = AsyncHTTPClient()
    res = Results()
    # The trainer starts a session from the dashboard and opens round 3 (all rounds answerable).
    home = await client.fetch(f"{base}live/trainer", headers=HEADERS)
    trainer = {**HEADERS, **xsrf_headers(home)}
    form = urlencode({"case": "marja-bijstand", "lang": "nl"})
    r = await client.fetch(
        f"{base}live/trainer/start",
        method="POST",
        body=form,
        headers=trainer,
        follow_redirects=False,
        raise_error=False,
    )
    code = r.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    await client.fetch(
        f"{base}live/trainer/{code}/control",
        method="POST",
        headers={**trainer, **JSON},
        body=json.dumps({"round": 3}),
    )
    # The trainer opens the screen (the projector shows the code and the QR code).
    await client.fetch(f"{base}live/trainer/{code}", headers=HEADERS)
    crowd = Crowd.start(participant, client, base, code, res, pid, n, ramp, seed)
    expected_submits = None
    # Wait until every participant has submitted everything, then until the feed has caught up.
    deadline = time.perf_counter() + ramp + 60
    while time.perf_counter() < deadline:
        await asyncio.sleep(0.2)
        done_people = sum(1 for p in crowd.people if p.done())
        if len(res.submits) >= 3 * n and done_people == 0:
            # everyone has their three answers in; re-submits may still be running
            pass
        if res.submits and len(res.join) == n:
            top = max(v for _, v, _ in res.submits)
            finished = all(
                sum(1 for s in res.submits if s[2] in ("prediction", "vote")) >= 2 * n for _ in [0]
            )
            if finished and res.feed and res.feed[-1][1] >= top:
                await asyncio.sleep(2.5)  # let late re-submits in
                top = max(v for _, v, _ in res.submits)
                if res.feed[-1][1] >= top:
                    break
    wall, cpu = await crowd.stop()
    latencies = []
    for sent, version, _kind in res.submits:
        arrived = next((t for t, v in res.feed if v >= version and t >= sent), None)
        if arrived is None:
            res.errors.append(f"version {version} never reached the trainer")
        else:
            latencies.append(arrived - sent)
    expected_submits = len(res.submits)
    export = await client.fetch(f"{base}live/trainer/{code}/export.csv?all=1", headers=HEADERS)
    stored_rows = list(csv.DictReader(io.StringIO(export.body.decode())))
    counts = res.last_summary.get("counts", {})
    lost = {
        "participants": n - res.last_summary.get("participants", 0),
        "scores": n - counts.get("scores", 0),
        "prediction": n - counts.get("prediction", 0),
        "vote": n - counts.get("vote", 0),
        "stored_rows": expected_submits - len(stored_rows),
    }
    client.close()
    return {
        "participants": n,
        "ramp_s": ramp,
        "joined": len(res.join),
        "submits": expected_submits,
        "join_p95_s": round(p95(res.join), 4),
        "join_median_s": round(sorted(res.join)[len(res.join) // 2], 4) if res.join else None,
        "join_max_s": round(max(res.join, default=float("nan")), 4),
        "submit_to_trainer_p95_s": round(p95(latencies), 4),
        "submit_to_trainer_median_s": round(sorted(latencies)[len(latencies) // 2], 4)
        if latencies
        else None,
        "submit_to_trainer_max_s": round(max(latencies, default=float("nan")), 4),
        "feed_updates": len(res.feed),
        "server_cpu_s": round(cpu, 2),
        "server_cpu_percent_of_one_core": round(100 * cpu / wall, 1) if wall else None,
        "server_peak_rss_mib": round(crowd.stats.peak_rss, 1) if crowd.stats else None,
        "wall_s": round(wall, 1),
        # other work on the machine skews every timing: the 1-minute load average, before/after
        "load_average_1min": [round(crowd.load_before, 1), round(os.getloadavg()[0], 1)],
        "cpus": os.cpu_count(),
        "lost": lost,
        "no_answer_lost": all(v == 0 for v in lost.values()) and len(latencies) == expected_submits,
        "errors": res.errors[:20],
    }


# --- conversation mode (issue 18): the room votes through a scenario -----------------------


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def talk_participant(
    client: Any,
    base: str,
    code: str,
    i: int,
    delay: float,
    res: Results,
    rng: random.Random,
    stop: asyncio.Event,
) -> None:
    """A phone in a conversation session: joins, polls the state every 3 s as the page does,
    and at every new turn fetches it and votes after 0.5-4 s (30 % change their mind)."""
    await asyncio.sleep(delay)
    t0 = time.perf_counter()
    try:
        page = await client.fetch(f"{base}live/join?code={code}")
        post = {**JSON, **xsrf_headers(page)}
        r = await client.fetch(
            f"{base}live/api/join",
            method="POST",
            headers=post,
            body=json.dumps({"code": code, "nickname": f"p{i}"}),
        )
    except HTTPClientError as exc:
        res.errors.append(f"join {i}: {exc}")
        return
    res.join.append(time.perf_counter() - t0)
    token = json.loads(r.body)["token"]
    voted_at = -1
    while not stop.is_set():
        try:
            state = json.loads((await client.fetch(f"{base}live/api/state?code={code}")).body)
            if state["phase"] == "voting" and state["step"] != voted_at:
                view = json.loads(
                    (await client.fetch(f"{base}live/api/conversation?code={code}")).body
                )
                if view["phase"] == "voting":
                    ids = [o["id"] for o in view["options"]]
                    step = view["step"]
                    choices = [rng.choice(ids)]
                    if rng.random() < 0.3:
                        choices.insert(0, rng.choice(ids))
                    for rid in choices:
                        await asyncio.sleep(rng.uniform(0.5, 4.0))
                        sent = time.perf_counter()
                        v = await client.fetch(
                            f"{base}live/api/conversation/vote",
                            method="POST",
                            headers=post,
                            body=json.dumps(
                                {"code": code, "token": token, "step": step, "response": rid}
                            ),
                        )
                        res.submits.append((sent, json.loads(v.body)["version"], f"{step}"))
                    voted_at = step
                    res.voted.append((step, i))
        except Exception as exc:
            res.errors.append(f"phone {i}: {exc}")
        await asyncio.sleep(3)


async def run_conversation_load(
    base: str, conversation: str, n: int, ramp: float, pid: int | None, seed: int = 1
) -> dict[str, Any]:
    AsyncHTTPClient.configure(None, max_clients=4 * n + 20)
    client = AsyncHTTPClient()
    res = Results()
    home = await client.fetch(f"{base}live/trainer", headers=HEADERS)
    trainer = {**HEADERS, **xsrf_headers(home), **JSON}
    r = await client.fetch(
        f"{base}live/trainer/start",
        method="POST",
        body=urlencode({"conversation": conversation, "lang": "nl"}),
        headers={**HEADERS, **xsrf_headers(home)},
        follow_redirects=False,
        raise_error=False,
    )
    code = r.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    await client.fetch(f"{base}live/trainer/{code}", headers=HEADERS)
    crowd = Crowd.start(talk_participant, client, base, code, res, pid, n, ramp, seed)

    async def act(body: dict[str, Any]) -> dict[str, Any]:
        done = await client.fetch(
            f"{base}live/trainer/{code}/conversation",
            method="POST",
            headers=trainer,
            body=json.dumps(body),
        )
        return dict(json.loads(done.body)["session"])

    turns, lost = 0, 0
    step, deadline = 0, time.perf_counter() + ramp + 600
    while time.perf_counter() < deadline:
        # The trainer waits until every phone voted at this turn and the screen shows it all.
        await asyncio.sleep(0.5)
        summary = res.last_summary
        mine = [s for s in res.submits if s[2] == f"{step}"]
        if len(res.join) < n or summary.get("step") != step or not mine:
            continue
        if sum(1 for st, _ in res.voted if st == step) < n:  # phones still voting
            continue
        if res.feed[-1][1] < max(v for _, v, _ in mine):
            continue
        lost += n - sum(summary.get("votes", {}).values())
        session = await act({"action": "close", "step": step})
        if session["phase"] == "deciding":
            await act({"action": "choose", "step": step, "response": next(iter(summary["votes"]))})
        turns += 1
        step += 1
        if (await act({"action": "next", "step": step}))["phase"] == "ended":
            break
    wall, cpu = await crowd.stop()
    latencies = []
    for sent, version, _step in res.submits:
        arrived = next((t for t, v in res.feed if v >= version and t >= sent), None)
        if arrived is None:
            res.errors.append(f"version {version} never reached the trainer")
        else:
            latencies.append(arrived - sent)
    export = await client.fetch(f"{base}live/trainer/{code}/export.csv?all=1", headers=HEADERS)
    stored = len(list(csv.DictReader(io.StringIO(export.body.decode()))))
    client.close()
    return {
        "conversation": conversation,
        "participants": n,
        "joined": len(res.join),
        "turns_played": turns,
        "votes": len(res.submits),
        "votes_stored": stored,
        "votes_missing_on_screen_at_close": lost,
        "vote_to_projector_p50_s": round(pct(latencies, 0.5), 4),
        "vote_to_projector_p95_s": round(pct(latencies, 0.95), 4),
        "vote_to_projector_max_s": round(max(latencies, default=float("nan")), 4),
        "join_p95_s": round(p95(res.join), 4),
        "feed_updates": len(res.feed),
        "server_cpu_s": round(cpu, 2),
        "server_cpu_percent_of_one_core": round(100 * cpu / wall, 1) if wall else None,
        "server_peak_rss_mib": round(crowd.stats.peak_rss, 1) if crowd.stats else None,
        "wall_s": round(wall, 1),
        "load_average_1min": [round(crowd.load_before, 1), round(os.getloadavg()[0], 1)],
        "cpus": os.cpu_count(),
        "no_answer_lost": stored == len(res.submits)
        and lost == 0
        and len(latencies) == len(res.submits),
        "errors": res.errors[:20],
    }


def start_server(db: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "live.web",
            "--port",
            str(port),
            "--db",
            db,
            "--trainer-token",
            TOKEN,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            if proc.poll() is not None:
                out = proc.stdout.read().decode() if proc.stdout else ""
                raise RuntimeError(f"server exited: {out}") from None
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start within 30 s")


def run(
    n: int = 60,
    ramp: float = 20.0,
    db: str | None = None,
    seed: int = 1,
    conversation: str | None = None,
) -> dict[str, Any]:
    """Start a server, run the load, stop the server; returns the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        url = db or f"sqlite:///{Path(tmp) / 'live-load.sqlite3'}"
        port = free_port()
        proc = start_server(url, port)
        try:
            base = f"http://127.0.0.1:{port}/"
            load = (
                run_conversation_load(base, conversation, n, ramp, proc.pid, seed)
                if conversation
                else run_load(base, n, ramp, proc.pid, seed)
            )
            result = asyncio.run(load)
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        result["database"] = url.split(":", 1)[0]
        return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", "-n", type=int, default=60)
    parser.add_argument("--ramp", type=float, default=20.0, help="all join within this many s")
    parser.add_argument("--db", default=None, help="database URL (default: a fresh SQLite file)")
    parser.add_argument(
        "--conversation",
        metavar="ID",
        help="a conversation session instead of rounds: the room votes through scenario ID",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run(args.participants, args.ramp, args.db, conversation=args.conversation)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:34} {value}")
        latency = result.get("submit_to_trainer_p95_s", result.get("vote_to_projector_p95_s"))
        target = result["join_p95_s"] <= 1 and latency <= 1
        print(
            f"{'target (p95 <= 1 s, none lost)':34} {'MET' if target and result['no_answer_lost'] else 'NOT MET'}"
        )
    return 0 if result["no_answer_lost"] else 1


if __name__ == "__main__":
    sys.exit(main())
