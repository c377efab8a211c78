"""Benchmark the MailerLite simulator's start-up and page-serving speed.

Measures:

1. constructing a `Simulator` and seeding 20,000 subscribers (in process, best/median of runs);
2. `unimap sandbox --subscribers 20000 --port 0` from process spawn to its first output line;
3. `GET /subscribers?limit=1000` over real HTTP on 127.0.0.1 (uvicorn), paging through every
   subscriber several times: median / p95 / max latency per page, measured client-side.

Run:  .venv/bin/python benchmarks/simulator_startup.py [--subscribers N] [--passes P] [--json]
Budgets (issue 3): seed + start < 5 s; a page of 1000 < 50 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from simulators.mailerlite import Simulator, serve_in_thread

REPO = Path(__file__).resolve().parents[1]


def seed_times(subscribers: int, runs: int) -> list[float]:
    """Seconds to construct and seed, per run."""
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        Simulator(seed=0).seed_data(subscribers=subscribers, groups=10, segments=5)
        out.append(time.perf_counter() - started)
    return out


def sandbox_start(subscribers: int) -> float:
    """Seconds from spawning `unimap sandbox` to its first output line."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "engine.cli",
            "sandbox",
            "--port",
            "0",
            "--lifetime",
            "30",
            "--subscribers",
            str(subscribers),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        elapsed = time.perf_counter() - started
        if " token=" not in line:
            raise RuntimeError(f"unexpected first line {line!r}")
        return elapsed
    finally:
        process.terminate()
        process.wait(timeout=15)


def page_times(subscribers: int, passes: int) -> list[float]:
    """Seconds per `GET /subscribers?limit=1000` over loopback HTTP, every page of every pass."""
    sim = Simulator(seed=0, rate_limit=None).seed_data(
        subscribers=subscribers, groups=10, segments=5
    )
    timings: list[float] = []
    with (
        serve_in_thread(sim) as base_url,
        httpx.Client(base_url=base_url, headers=sim.auth_headers(), timeout=10) as client,
    ):
        client.get("/subscribers", params={"limit": 1})  # warm up the connection
        for _ in range(passes):
            cursor = None
            for _ in range(subscribers // 1000 + 2):
                params: dict[str, str | int] = {"limit": 1000}
                if cursor:
                    params["cursor"] = cursor
                began = time.perf_counter()
                response = client.get("/subscribers", params=params)
                body = response.json()
                timings.append(time.perf_counter() - began)
                cursor = body["meta"]["next_cursor"]
                if cursor is None:
                    break
    return timings


def main() -> int:
    """Run every measurement and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=20_000)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    args = parser.parse_args()

    seeds = seed_times(args.subscribers, 3)
    start = sandbox_start(args.subscribers)
    pages = sorted(page_times(args.subscribers, args.passes))
    figures = {
        "subscribers": args.subscribers,
        "seed_seconds_median": round(statistics.median(seeds), 3),
        "seed_seconds_best": round(min(seeds), 3),
        "sandbox_first_line_seconds": round(start, 3),
        "page_1000_ms_median": round(statistics.median(pages) * 1000, 2),
        "page_1000_ms_p95": round(pages[int(len(pages) * 0.95) - 1] * 1000, 2),
        "page_1000_ms_max": round(pages[-1] * 1000, 2),
        "pages_measured": len(pages),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:28} {value}")
    ok = figures["sandbox_first_line_seconds"] < 5 and figures["page_1000_ms_median"] < 50
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
