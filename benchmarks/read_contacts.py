"""In-process benchmark: list every MailerLite contact, engine vs hand-written loop.

The simulator runs in a thread of this process, so its own work (Starlette, serialisation,
the shared GIL) is added to both sides and hides the client's: for the client's cost alone,
use the out-of-process suite (`python -m benchmarks.suite`, see benchmarks/README.md).

    python benchmarks/read_contacts.py [--contacts 20000] [--page-size 1000] [--repeats 5]

The simulator is served over real HTTP on loopback (`serve_in_thread`, rate limit disabled).
Each repetition lists every contact twice, in alternating order:

* **engine**: `connection.iterate("contacts", {"limit": N})`, `remote_data` on;
* **baseline**: a hand-written httpx loop making the same requests (`include=groups`,
  `limit`, following `meta.next_cursor`) and the same field mapping in plain Python (a faithful
  equivalent of `mappings/mailerlite/contacts.yaml`; checked record by record against the
  engine's output before timing).

The engine's client-side pacing (MailerLite's 120 requests/minute) runs on a fake clock so it
never waits: the simulator's limit is off and the baseline does not pace either.

Then peak memory (tracemalloc) of iterating 10,000 and 50,000 contacts through the engine,
records discarded, after an untraced warm-up pass; for these runs the simulator is served by
`unimap sandbox` in a child process, so only the engine's side is traced.

Prints a table and, last, one JSON line with every figure. `--profile` (or an engine below
0.8x the baseline) adds a cProfile summary of one engine pass.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import pstats
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import hand  # noqa: E402
from engine.api import Connection, Engine  # noqa: E402
from engine.run.clock import FakeClock  # noqa: E402
from simulators.mailerlite import DEFAULT_TOKEN, Simulator, serve_in_thread  # noqa: E402

TARGET_RATIO = 0.8
TARGET_MEMORY_GROWTH = 0.10

# --------------------------------------------------------------------------- baseline
def baseline_contacts(client: httpx.Client, page_size: int) -> Iterator[dict[str, Any]]:
    """Every contact, the way a hand-written connector would page through them
    (`benchmarks.hand`, shared with the out-of-process suite)."""
    return hand.contacts("mailerlite", client, page_size, {})


# --------------------------------------------------------------------------- helpers
def connect(engine: Engine, base_url: str) -> Connection:
    """An engine connection to the loopback simulator."""
    return engine.connect("mailerlite", credentials={"api_key": DEFAULT_TOKEN}, base_url=base_url)


def baseline_client(base_url: str) -> httpx.Client:
    """The hand-written loop's client (same headers as the engine sends)."""
    return hand.client("mailerlite", base_url, DEFAULT_TOKEN)


def timed(run: Callable[[], int]) -> tuple[int, float]:
    """(records, seconds) of one pass."""
    gc.collect()
    started = time.perf_counter()
    count = run()
    return count, time.perf_counter() - started


def simulator(contacts: int) -> Simulator:
    """A seeded simulator without rate limits."""
    return Simulator(seed=1, rate_limit=None, import_limit=None).seed_data(
        subscribers=contacts, groups=5, segments=0
    )


# --------------------------------------------------------------------------- measurements
def throughput(contacts: int, page_size: int, repeats: int) -> dict[str, Any]:
    """Median records/s of the engine and of the baseline, alternating, after a warm-up."""
    sim = simulator(contacts)
    engine = Engine.load(clock=FakeClock())
    with (
        serve_in_thread(sim) as base_url,
        connect(engine, base_url) as conn,
        baseline_client(base_url) as client,
    ):
        engine_pass = lambda: sum(1 for _ in conn.iterate("contacts", {"limit": page_size}))  # noqa: E731
        base_pass = lambda: sum(1 for _ in baseline_contacts(client, page_size))  # noqa: E731
        # Warm-up, and proof that the baseline maps exactly like the engine.
        mine = list(conn.iterate("contacts", {"limit": page_size}))
        theirs = list(baseline_contacts(client, page_size))
        if mine != theirs:
            diff = next(i for i, (a, b) in enumerate(zip(mine, theirs, strict=False)) if a != b)
            raise SystemExit(f"baseline mapping differs from the engine at record {diff}")
        if len(mine) != contacts:
            raise SystemExit(f"engine listed {len(mine)} contacts, expected {contacts}")
        del mine, theirs
        engine_times: list[float] = []
        base_times: list[float] = []
        for i in range(repeats):
            order = [(engine_pass, engine_times), (base_pass, base_times)]
            for run, times in order if i % 2 == 0 else reversed(order):
                count, seconds = timed(run)
                assert count == contacts, count
                times.append(seconds)
    engine_rate = contacts / statistics.median(engine_times)
    base_rate = contacts / statistics.median(base_times)
    return {
        "contacts": contacts,
        "page_size": page_size,
        "repeats": repeats,
        "engine_records_per_s": round(engine_rate),
        "baseline_records_per_s": round(base_rate),
        "ratio": round(engine_rate / base_rate, 3),
        "engine_seconds": [round(t, 3) for t in engine_times],
        "baseline_seconds": [round(t, 3) for t in base_times],
    }


@contextmanager
def sandbox(contacts: int) -> Iterator[str]:
    """`unimap sandbox` in a child process (rate limit off); yields its loopback base URL.

    The memory runs use a separate process so the simulator's own allocations (building each
    page) are not traced with the engine's.
    """
    command = [
        sys.executable,
        "-m",
        "engine.cli",
        "sandbox",
        "--port",
        "0",
        "--rate-limit",
        "off",
        "--subscribers",
        str(contacts),
        "--groups",
        "5",
        "--segments",
        "0",
        "--seed",
        "1",
        "--lifetime",
        "600",
    ]
    child = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert child.stdout is not None
        first = child.stdout.readline().split()
        if not first or not first[0].startswith("http://127.0.0.1:"):
            raise SystemExit(f"the sandbox did not start: {first!r}")
        yield first[0]
    finally:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(timeout=10)


def peak_memory(contacts: int, page_size: int) -> int:
    """Peak traced bytes of this process while the engine iterates every contact, discarding
    them (the simulator runs in a child process; one untraced warm-up pass first)."""
    engine = Engine.load(clock=FakeClock())
    with sandbox(contacts) as base_url, connect(engine, base_url) as conn:
        for _ in conn.iterate("contacts", {"limit": page_size}):
            pass
        gc.collect()
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            count = 0
            for _ in conn.iterate("contacts", {"limit": page_size}):
                count += 1
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert count == contacts, count
    return peak


def profile(contacts: int, page_size: int, top: int = 25) -> str:
    """A cProfile summary (internal time) of one engine pass."""
    sim = simulator(contacts)
    engine = Engine.load(clock=FakeClock())
    with serve_in_thread(sim) as base_url, connect(engine, base_url) as conn:
        sum(1 for _ in conn.iterate("contacts", {"limit": page_size}))
        profiler = cProfile.Profile()
        profiler.enable()
        sum(1 for _ in conn.iterate("contacts", {"limit": page_size}))
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit code 0 (figures are reported, not enforced)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=20_000, help="contacts to list")
    parser.add_argument("--page-size", type=int, default=1000, help="page size (limit)")
    parser.add_argument("--repeats", type=int, default=5, help="timed passes of each")
    parser.add_argument("--memory-small", type=int, default=10_000, help="contacts, memory run 1")
    parser.add_argument("--memory-large", type=int, default=50_000, help="contacts, memory run 2")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory runs")
    parser.add_argument("--profile", action="store_true", help="always print a cProfile summary")
    args = parser.parse_args(argv)

    speed = throughput(args.contacts, args.page_size, args.repeats)
    figures: dict[str, Any] = {"throughput": speed}
    print(
        f"listing {args.contacts} contacts, page size {args.page_size}, "
        f"{args.repeats} repetitions (median), loopback simulator"
    )
    print(f"{'':10}{'records/s':>12}{'median s':>10}")
    for name, key, times in (
        ("engine", "engine_records_per_s", speed["engine_seconds"]),
        ("baseline", "baseline_records_per_s", speed["baseline_seconds"]),
    ):
        print(f"{name:10}{speed[key]:>12,}{statistics.median(times):>10.3f}")
    verdict = "ok" if speed["ratio"] >= TARGET_RATIO else "BELOW TARGET"
    print(f"ratio engine/baseline: {speed['ratio']:.3f} (target >= {TARGET_RATIO}) {verdict}")

    if not args.no_memory:
        small = peak_memory(args.memory_small, args.page_size)
        large = peak_memory(args.memory_large, args.page_size)
        growth = large / small - 1
        figures["memory"] = {
            "small_contacts": args.memory_small,
            "large_contacts": args.memory_large,
            "small_peak_bytes": small,
            "large_peak_bytes": large,
            "ratio": round(large / small, 3),
        }
        mem_verdict = "ok" if growth <= TARGET_MEMORY_GROWTH else "ABOVE TARGET"
        print(
            f"peak memory iterating {args.memory_small}: {small / 1e6:.2f} MB; "
            f"{args.memory_large}: {large / 1e6:.2f} MB; ratio {large / small:.3f} "
            f"(target <= {1 + TARGET_MEMORY_GROWTH:.2f}) {mem_verdict}"
        )

    if args.profile or speed["ratio"] < TARGET_RATIO:
        print("\ncProfile of one engine pass:")
        print(profile(args.contacts, args.page_size))
    print(json.dumps(figures, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
