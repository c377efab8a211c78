"""Load benchmark: 100 concurrent host-app clients calling `unimap serve` against the sandbox.

Three processes, all on 127.0.0.1 and torn down at the end:

1. the provider: `unimap sandbox --provider P` (default Mailchimp: no request quota, at most
   10 simultaneous connections per account, 429 beyond; `--provider mailerlite` is paced by
   MailerLite's 120 requests per minute, so it measures queueing, not the server);
2. the server: `unimap serve --port N` on a throw-away `$UNIMAP_HOME`, with one linked account
   (`unimap accounts add ... --tenant bench`) and one API token (`unimap tokens create`);
3. this script: CLIENTS asyncio tasks sharing an `httpx.AsyncClient` (one connection each),
   each alternating a list (`GET /unified/marketing-automation/contacts?limit=10`) and an upsert
   (`POST .../contacts?upsert=true`, one of 50 addresses per client) until SECONDS have passed.

Before the load, the server's own overhead per call: CALLS sequential lists through the
server against CALLS direct Python API calls (`engine.connect(...).contacts.list`) to the same
sandbox; overhead = median(server) - median(direct).

Reported: calls, throughput (calls/s), p50/p99/max latency (ms), errors (any non-2xx or
transport error; must be 0), the sandbox's own count of requests it refused for exceeding its
limit (`GET /_sandbox/stats`, `rate_limited`; must be 0), and the overhead. Exit code 1 when
errors or rate_limited are not 0. Every wait is bounded: requests time out after 60 s, the
load stops at SECONDS, the child processes are stopped (terminate, then kill) on exit.

Run:  .venv/bin/python benchmarks/server_load.py [--seconds 60] [--clients 100]
                       [--provider mailchimp] [--overhead-calls 200] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from engine.accounts.keys import generate_key
from engine.api import Engine

REPO = Path(__file__).resolve().parents[1]
UNIFIED = "/unified/marketing-automation/contacts"
START_TIMEOUT = 30.0
REQUEST_TIMEOUT = 60.0


@dataclass
class Stack:
    """The running sandbox and server, and what a client needs to call them."""

    provider: str
    sandbox_url: str
    sandbox_token: str
    settings: dict[str, str]
    server_url: str
    api_token: str
    account_id: str

    @property
    def sandbox_root(self) -> str:
        """The sandbox's address without the provider's base path."""
        parts = httpx.URL(self.sandbox_url)
        return f"{parts.scheme}://{parts.host}:{parts.port}"


@dataclass
class Samples:
    """Latencies (seconds) of successful calls, and the errors seen."""

    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


def _cli(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "engine.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"unimap {args[0]} {args[1]} failed: {done.stderr.strip()}")
    return done.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _wait_healthy(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("unimap serve exited before answering /healthz")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"unimap serve did not answer /healthz within {START_TIMEOUT:.0f} s")


def _default_settings(engine: Engine, provider: str, url: str, token: str) -> dict[str, str]:
    """Connection settings the provider needs (Mailchimp: a default audience)."""
    if provider != "mailchimp":
        return {}
    with engine.connect(provider, {"api_key": token}, base_url=url) as connection:
        return {"list_id": str(connection.lists.list(limit=1)["result"][0]["id"])}


@contextmanager
def running_stack(provider: str, contacts: int, lifetime: float) -> Iterator[Stack]:
    """Start the sandbox and the server on a throw-away home; stop both on exit."""
    home = tempfile.mkdtemp(prefix="unimap-load-")
    env = {**os.environ, "UNIMAP_HOME": home, "UNIMAP_SECRET_KEY": generate_key()}
    sandbox = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "engine.cli",
            "sandbox",
            "--provider",
            provider,
            "--port",
            "0",
            "--subscribers",
            str(contacts),
            "--lifetime",
            str(lifetime),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )
    server: subprocess.Popen[str] | None = None
    try:
        assert sandbox.stdout is not None
        sandbox_url, _, token = sandbox.stdout.readline().strip().partition(" token=")
        if not token:
            raise RuntimeError("the sandbox did not print its URL")
        # The server starts while the account and the token are added (it reads both per
        # request, as it would while an operator adds accounts).
        server_url = f"http://127.0.0.1:{_free_port()}"
        server = subprocess.Popen(
            [sys.executable, "-m", "engine.cli", "serve", "--port", server_url.rsplit(":", 1)[1]],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
            cwd=REPO,
        )
        settings = _default_settings(Engine.load(), provider, sandbox_url, token)
        pairs = [arg for k, v in settings.items() for arg in ("--setting", f"{k}={v}")]
        added = _cli(
            "accounts",
            "add",
            provider,
            "--api-key",
            token,
            "--base-url",
            sandbox_url,
            "--tenant",
            "bench",
            *pairs,
            env=env,
        )
        api_token = _cli("tokens", "create", "load-benchmark", env=env).strip()
        _wait_healthy(server_url, server)
        yield Stack(
            provider, sandbox_url, token, settings, server_url, api_token, json.loads(added)["id"]
        )
    finally:
        if server is not None:
            _stop(server)
        _stop(sandbox)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def overhead(stack: Stack, calls: int) -> dict[str, float]:
    """Median seconds per list call: direct Python API vs through the server."""
    engine = Engine.load()
    direct: list[float] = []
    with engine.connect(
        stack.provider,
        {"api_key": stack.sandbox_token},
        base_url=stack.sandbox_url,
        settings=stack.settings,
    ) as connection:
        connection.contacts.list(limit=10)  # warm-up
        for _ in range(calls):
            started = time.perf_counter()
            connection.contacts.list(limit=10)
            direct.append(time.perf_counter() - started)
    served: list[float] = []
    headers = {"Authorization": f"Bearer {stack.api_token}"}
    params = {"integrated_account_id": stack.account_id, "limit": "10"}
    with httpx.Client(base_url=stack.server_url, headers=headers, timeout=REQUEST_TIMEOUT) as http:
        http.get(UNIFIED, params=params).raise_for_status()  # warm-up
        for _ in range(calls):
            started = time.perf_counter()
            http.get(UNIFIED, params=params).raise_for_status()
            served.append(time.perf_counter() - started)
    return {
        "direct_median_ms": statistics.median(direct) * 1000,
        "server_median_ms": statistics.median(served) * 1000,
        "overhead_ms": (statistics.median(served) - statistics.median(direct)) * 1000,
    }


async def _client(
    http: httpx.AsyncClient, stack: Stack, number: int, deadline: float, samples: Samples
) -> None:
    params = {"integrated_account_id": stack.account_id}
    step = 0
    while time.monotonic() < deadline:
        step += 1
        started = time.perf_counter()
        try:
            if step % 2:
                response = await http.get(UNIFIED, params={**params, "limit": "10"})
            else:
                body = {
                    "email": f"load-{number}-{step % 50}@example.com",
                    "first_name": f"Client {number}",
                }
                response = await http.post(UNIFIED, params={**params, "upsert": "true"}, json=body)
        except httpx.HTTPError as exc:
            samples.error(type(exc).__name__)
            continue
        if response.is_success:
            samples.latencies.append(time.perf_counter() - started)
        else:
            samples.error(f"HTTP {response.status_code}")


async def load(stack: Stack, clients: int, seconds: float) -> dict[str, Any]:
    """CLIENTS concurrent clients for SECONDS; throughput, latency percentiles, errors."""
    samples = Samples()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Authorization": f"Bearer {stack.api_token}"}
    async with httpx.AsyncClient(
        base_url=stack.server_url, headers=headers, limits=limits, timeout=REQUEST_TIMEOUT
    ) as http:
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(*(_client(http, stack, n, deadline, samples) for n in range(clients)))
        elapsed = time.monotonic() - started
    latencies = samples.latencies
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "calls": len(latencies),
        "throughput_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(_percentile(latencies, 0.50) * 1000, 1),
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 1),
        "max_ms": round(max(latencies, default=float("nan")) * 1000, 1),
        "errors": sum(samples.errors.values()),
        "errors_by_kind": samples.errors,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures; exit 1 on errors or an exceeded limit."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="load duration (60)")
    parser.add_argument("--clients", type=int, default=100, help="concurrent clients (100)")
    parser.add_argument("--provider", default="mailchimp", help="sandbox provider (mailchimp)")
    parser.add_argument("--contacts", type=int, default=200, help="seeded contacts (200)")
    parser.add_argument("--overhead-calls", type=int, default=200, help="sequential calls (200)")
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.clients < 1 or args.overhead_calls < 1:
        parser.error("--seconds, --clients and --overhead-calls must be positive")
    lifetime = args.seconds + 600
    with running_stack(args.provider, args.contacts, lifetime) as stack:
        cost = overhead(stack, args.overhead_calls)
        figures = asyncio.run(load(stack, args.clients, args.seconds))
        stats = httpx.get(f"{stack.sandbox_root}/_sandbox/stats", timeout=10).json()
    result = {
        "provider": args.provider,
        **figures,
        "sandbox": stats,
        "overhead": {k: round(v, 2) for k, v in cost.items()},
    }
    if not args.json:
        print(f"provider {args.provider}: {figures['clients']} clients for {figures['seconds']} s")
        print(
            f"  calls {figures['calls']}  throughput {figures['throughput_per_s']}/s  "
            f"p50 {figures['p50_ms']} ms  p99 {figures['p99_ms']} ms  "
            f"errors {figures['errors']}"
        )
        print(f"  provider limit exceeded: {stats['rate_limited']} times (sandbox's own count)")
        print(
            f"  per call: direct {cost['direct_median_ms']:.2f} ms, through the server "
            f"{cost['server_median_ms']:.2f} ms, overhead {cost['overhead_ms']:.2f} ms"
        )
    print(json.dumps(result))
    return 0 if figures["errors"] == 0 and stats["rate_limited"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
