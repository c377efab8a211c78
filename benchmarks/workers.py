"""The benchmark's measured processes: one job per process, figures as JSON on stdout.

    python -m benchmarks.workers check  PROVIDER BASE_URL API_KEY QUERY_JSON CONTACTS
    python -m benchmarks.workers engine PROVIDER BASE_URL API_KEY QUERY_JSON CONTACTS PASSES
    python -m benchmarks.workers hand   PROVIDER BASE_URL API_KEY QUERY_JSON CONTACTS PASSES
    python -m benchmarks.workers rss    PROVIDER BASE_URL API_KEY QUERY_JSON CONTACTS
    python -m benchmarks.workers peak   COMMAND [ARG ...]

`check` lists every contact through the engine and by hand and compares them record by record
(exit 1 naming the first difference). `engine` and `hand` time PASSES listings in one process
(the first pass included: best-of is taken by the caller). `rss` lists through the engine,
discarding records, and reports the process's peak resident set size. `peak` runs a command
with its stdout a pipe read to the end and reports the command's peak RSS: the command is
forked from this small process, so no larger parent's pages are counted in it.

The engine runs on a `FakeClock`: its client-side pacing never sleeps (the hand loop does not
pace either); everything else — rate-limit bookkeeping, retries' accounting, cursors — runs.
"""

from __future__ import annotations

import gc
import json
import resource
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from benchmarks import hand


def engine_contacts(
    provider: str, base_url: str, api_key: str, query: dict[str, Any], page_size: int
) -> Callable[[], Iterator[dict[str, Any]]]:
    """A function listing every contact through `Engine.load().connect(...)`."""
    from engine.api import Engine
    from engine.run.clock import FakeClock

    connection = Engine.load(clock=FakeClock()).connect(
        provider, {"api_key": api_key}, base_url=base_url
    )
    return lambda: connection.iterate("contacts", {**query, "limit": page_size})


def hand_contacts(
    provider: str, base_url: str, api_key: str, query: dict[str, Any], page_size: int
) -> Callable[[], Iterator[dict[str, Any]]]:
    """A function listing every contact with the hand-written loop."""
    client = hand.client(provider, base_url, api_key)
    return lambda: hand.contacts(provider, client, page_size, query)


def first_difference(mine: list[Any], theirs: list[Any]) -> str | None:
    """None when equal; else where and how the two listings differ."""
    if len(mine) != len(theirs):
        return f"the engine listed {len(mine)} records, the hand loop {len(theirs)}"
    for index, (a, b) in enumerate(zip(mine, theirs, strict=True)):
        if a != b:
            keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
            fields = {k: {"engine": a.get(k), "hand": b.get(k)} for k in keys}
            return f"record {index} differs: {json.dumps(fields, default=str)[:2000]}"
    return None


def _passes(
    listing: Callable[[], Iterator[Any]], contacts: int, passes: int
) -> tuple[list[float], list[float]]:
    """Wall seconds and CPU seconds (this process) of each pass."""
    times, cpu = [], []
    for _ in range(passes):
        gc.collect()
        started, cpu_started = time.perf_counter(), time.process_time()
        count = sum(1 for _ in listing())
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        if count != contacts:
            raise SystemExit(f"listed {count} contacts, expected {contacts}")
    return times, cpu


def peak_rss(command: list[str]) -> int:
    """Peak RSS (bytes) of `command`, its stdout drained."""
    import os
    import subprocess

    child = subprocess.Popen(command, stdout=subprocess.PIPE)
    assert child.stdout is not None
    while child.stdout.read(1 << 16):
        pass
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command[0]} failed")
    return usage.ru_maxrss * 1024


def main(argv: list[str]) -> int:
    """Run one job; print its figures as one JSON line."""
    if argv[0] == "peak":
        print(json.dumps({"peak_rss_bytes": peak_rss(argv[1:])}))
        return 0
    job, provider, base_url, api_key, query_json, contacts_text, *rest = argv
    query, contacts, page_size = json.loads(query_json), int(contacts_text), 1000
    if job == "check":
        mine = list(engine_contacts(provider, base_url, api_key, query, page_size)())
        theirs = list(hand_contacts(provider, base_url, api_key, query, page_size)())
        problem = first_difference(mine, theirs)
        if problem is None and len(mine) != contacts:
            problem = f"listed {len(mine)} contacts, expected {contacts}"
        print(json.dumps({"equal": problem is None, "records": len(mine), "problem": problem}))
        return 0 if problem is None else 1
    if job == "rss":
        listing = engine_contacts(provider, base_url, api_key, query, page_size)
        count = sum(1 for _ in listing())
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({"records": count, "peak_rss_bytes": peak_kb * 1024}))
        return 0
    build = engine_contacts if job == "engine" else hand_contacts
    listing = build(provider, base_url, api_key, query, page_size)
    times, cpu = _passes(listing, contacts, int(rest[0]))
    print(json.dumps({"seconds": times, "cpu_seconds": cpu}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
