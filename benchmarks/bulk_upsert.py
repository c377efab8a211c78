"""Benchmark `contacts.bulk_upsert` against the MailerLite simulator over loopback HTTP.

The simulator runs under uvicorn on 127.0.0.1 with its rate windows compressed (MailerLite:
120 requests and 5 import batches per 60 s; here LIMIT and IMPORT_LIMIT per WINDOW seconds).
The engine loads a temporary copy of the mappings whose `rate_limits` buckets carry the same
compressed numbers, so it paces itself exactly as it would against the real API, only faster.

Measured: HTTP requests the engine sent (counted on the transport), 429s the server sent (also
counted on the transport; the engine retries them), 429s the caller saw (results whose error
is `rate_limited`), wall time, and the lower bound on wall time the rate limits impose on the
strategy, with the ratio wall / bound (target <= 1.25).

Strategy and its lower bound. N contacts in batches of 50 make B = ceil(N / 50) `POST /batch`
requests, each made only of `POST api/subscribers` upserts, so each counts against the import
limit (I per W) as well as the general one (L per W), plus one `GET /fields` for the custom
field definitions that validation needs. The first window is free: I batches go at once, the
next I may start one window later, and so on, so the last batch can start no earlier than
(ceil(B / I) - 1) * W seconds after the first; the general limit alone would give
(ceil((B + 1) / L) - 1) * W. The bound is the larger of the two plus the measured duration of
the definitions fetch (it must finish before the first batch is built). It leaves out the time
the server needs to process the last batch, so it is strictly below any achievable wall time.

Run:  .venv/bin/python benchmarks/bulk_upsert.py [--contacts 5000] [--window 2] [--limit 120]
                                                [--import-limit 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

from engine.api import Engine
from engine.paths import mappings_dir
from simulators.mailerlite import DEFAULT_TOKEN, Simulator, serve_in_thread

BATCH_SIZE = 50
"""Sub-requests per `POST /batch` (MailerLite's documented maximum)."""

PADDING = 0.05
"""Seconds added to the engine's bucket periods. The server's windows are fixed and open when
the first request *arrives*; the engine's sliding log counts *grant* times. When the first
request of a window took longer to arrive than the one granted exactly one period later, the
latter lands a hair before the server's window closes and gets a 429 (about a third of the
windows on loopback without padding; each 429 then costs a whole `Retry-After` second). The
mapping declares this margin as `rate_limits.padding_seconds` (1 s for MailerLite's 60 s
windows); the compressed copy scales it down. It costs (ceil(B / I) - 1) * PADDING seconds."""


def compressed_mappings(
    destination: Path, window: float, limit: int, import_limit: int, padding: float = 0.0
) -> Path:
    """Copy the bundled mappings with MailerLite's buckets set to the compressed numbers and
    the pacing margin (`rate_limits.padding_seconds`) set to `padding` (see PADDING)."""
    shutil.copytree(mappings_dir(), destination)
    provider = destination / "mailerlite" / "provider.yaml"
    data = yaml.safe_load(provider.read_text(encoding="utf-8"))
    limits = {"general": limit, "imports": import_limit}
    for bucket in data["rate_limits"]["buckets"]:
        bucket["period_seconds"] = window
        bucket["limit"] = limits.get(bucket["name"], bucket["limit"])
    data["rate_limits"]["padding_seconds"] = padding
    provider.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return destination


@dataclass
class CountingTransport(httpx.BaseTransport):
    """Counts what goes over the wire: requests by method and path, statuses, and how long the
    custom-field definitions fetch took."""

    inner: httpx.BaseTransport
    requests: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    by_route: dict[str, int] = field(default_factory=dict)
    fields_fetch_seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send through the real HTTP transport and count."""
        started = time.perf_counter()
        response = self.inner.handle_request(request)
        response.read()
        took = time.perf_counter() - started
        route = f"{request.method} {request.url.path}"
        with self._lock:
            self.requests += 1
            self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
            self.by_route[route] = self.by_route.get(route, 0) + 1
            if request.method == "GET" and request.url.path.endswith("/fields"):
                self.fields_fetch_seconds += took
        return response

    def close(self) -> None:
        """Close the wrapped transport."""
        self.inner.close()


def contacts(count: int) -> list[dict[str, Any]]:
    """Form-like contacts: names, a custom text field and a custom number field."""
    tiers = ("bronze", "silver", "gold")
    return [
        {
            "email": f"bench{i}@bulk.example",
            "first_name": f"First{i}",
            "last_name": f"Last{i}",
            "custom_fields": {"loyalty_tier": tiers[i % 3], "score": i},
        }
        for i in range(count)
    ]


def lower_bound(
    count: int, window: float, limit: int, import_limit: int, fetch: float
) -> dict[str, float]:
    """The wall-time lower bounds of the upsert-only-batch strategy (see the module doc)."""
    batches = math.ceil(count / BATCH_SIZE)
    imports = (math.ceil(batches / import_limit) - 1) * window
    general = (math.ceil((batches + 1) / limit) - 1) * window
    return {
        "batches": batches,
        "import_bound_s": imports,
        "general_bound_s": general,
        "fields_fetch_s": fetch,
        "lower_bound_s": max(imports, general) + fetch,
    }


def alternatives(count: int, window: float, limit: int, import_limit: int) -> list[dict[str, Any]]:
    """Other strategies, their request counts and bounds, and whether they are acceptable."""
    batches = math.ceil(count / BATCH_SIZE)
    mixed = math.ceil(count / (BATCH_SIZE - 1))
    return [
        {
            "strategy": "upsert-only batches of 50, paced under both limits (chosen)",
            "requests": batches + 1,
            "bound_s": max(
                (math.ceil(batches / import_limit) - 1) * window,
                (math.ceil((batches + 1) / limit) - 1) * window,
            ),
            "acceptable": True,
        },
        {
            "strategy": "one POST /subscribers per contact",
            "requests": count + 1,
            "bound_s": (math.ceil((count + 1) / limit) - 1) * window,
            "acceptable": True,
        },
        {
            "strategy": "49 upserts + 1 harmless GET per batch (dodges the import limit)",
            "requests": mixed + 1,
            "bound_s": (math.ceil((mixed + 1) / limit) - 1) * window,
            "acceptable": False,
        },
    ]


def run(
    count: int, window: float, limit: int, import_limit: int, padding: float = PADDING
) -> dict[str, Any]:
    """Run the benchmark once and return its figures."""
    sim = Simulator(seed=1, rate_limit=(limit, window), import_limit=(import_limit, window))
    sim.seed_data(subscribers=0, groups=1, segments=0)
    inputs = contacts(count)
    with tempfile.TemporaryDirectory() as tmp, serve_in_thread(sim) as base_url:
        engine = Engine.load(
            compressed_mappings(Path(tmp) / "mappings", window, limit, import_limit, padding)
        )
        transport = CountingTransport(httpx.HTTPTransport())
        with engine.connect(
            "mailerlite",
            credentials={"api_key": DEFAULT_TOKEN},
            base_url=base_url,
            transport=transport,
        ) as connection:
            started = time.perf_counter()
            results = connection.contacts.bulk_upsert(inputs)["result"]
            wall = time.perf_counter() - started
            stats = connection.stats.snapshot()
    with sim.lock:
        held = len(sim.state.subscribers)
    sim.close()
    failed = [r for r in results if not r["success"]]
    caller_429 = sum(1 for r in failed if r["error"].get("error") == "rate_limited")
    bound = lower_bound(count, window, limit, import_limit, transport.fields_fetch_seconds)
    retries = stats["retries"]
    assert isinstance(retries, dict)
    return {
        "contacts": count,
        "window_s": window,
        "engine_padding_s": padding,
        "limit": limit,
        "import_limit": import_limit,
        "requests": transport.requests,
        "request_budget": math.ceil(count / BATCH_SIZE) + 5,
        "by_route": transport.by_route,
        "engine_attempts": stats["attempts"],
        "server_429": transport.statuses.get(429, 0),
        "engine_retries": retries,
        "caller_429": caller_429,
        "failed": len(failed),
        "stored": held,
        "wall_s": round(wall, 3),
        **{k: round(v, 4) if isinstance(v, float) else v for k, v in bound.items()},
        "ratio": round(wall / bound["lower_bound_s"], 3) if bound["lower_bound_s"] else None,
    }


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run, print the figures and a final JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=5000)
    parser.add_argument("--window", type=float, default=2.0, help="seconds per rate window")
    parser.add_argument("--limit", type=int, default=120, help="requests per window")
    parser.add_argument("--import-limit", type=int, default=5, help="import batches per window")
    parser.add_argument(
        "--padding", type=float, default=PADDING, help="seconds added to the engine's periods"
    )
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    args = parser.parse_args(argv)
    if args.contacts < 1 or args.window <= 0 or args.limit < 1 or args.import_limit < 1:
        parser.error("--contacts, --window, --limit and --import-limit must be positive")
    if args.padding < 0:
        parser.error("--padding must not be negative")
    figures = run(args.contacts, args.window, args.limit, args.import_limit, args.padding)
    if not args.json:
        w, n, i, lim = args.window, args.contacts, args.import_limit, args.limit
        b = figures["batches"]
        print(
            f"bulk upsert of {n} contacts, simulator on loopback, {lim} requests and {i} "
            f"imports per {w:g} s (engine periods {w + args.padding:g} s)"
        )
        print(
            f"  HTTP requests sent       {figures['requests']} (budget ceil(N/50)+5 = "
            f"{figures['request_budget']}): {figures['by_route']}"
        )
        print(
            f"  429s sent by the server  {figures['server_429']} (engine retries: "
            f"{figures['engine_retries']})"
        )
        print(
            f"  429s seen by the caller  {figures['caller_429']}; failed results "
            f"{figures['failed']}; stored {figures['stored']}"
        )
        print(f"  wall time                {figures['wall_s']:.3f} s")
        print(
            f"  lower bound              B = ceil({n}/50) = {b}; imports: (ceil({b}/{i}) - 1)"
            f" * {w:g} = {figures['import_bound_s']:g} s; general: (ceil({b + 1}/{lim}) - 1)"
            f" * {w:g} = {figures['general_bound_s']:g} s; + definitions fetch "
            f"{figures['fields_fetch_s']:.4f} s = {figures['lower_bound_s']:.3f} s"
        )
        print(f"  wall / lower bound       {figures['ratio']} (target <= 1.25)")
        print("strategies (bounds with the same limits):")
        for alt in alternatives(n, w, lim, i):
            verdict = "ok" if alt["acceptable"] else "NOT acceptable: circumvents the import limit"
            print(
                f"  - {alt['strategy']}: {alt['requests']} requests, >= {alt['bound_s']:g} s "
                f"({verdict})"
            )
    print(json.dumps(figures, sort_keys=True))
    ok = (
        figures["caller_429"] == 0
        and figures["failed"] == 0
        and figures["stored"] == args.contacts
        and figures["requests"] <= figures["request_budget"]
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
