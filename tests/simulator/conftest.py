"""Fixtures for the simulator tests: seeded simulators, clients, a fake clock, a loopback
webhook receiver, and the location of the shared MailerLite recordings."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from simulators.mailerlite import FakeClock, Simulator

SHARED = Path(__file__).resolve().parents[3] / "shared" / "mailerlite"
"""`/work/main/../shared/mailerlite` (read-only fact sheet and recordings)."""


@pytest.fixture
def recordings() -> Path:
    """The recordings folder; skips the test when the shared folder is not there."""
    folder = SHARED / "recordings"
    if not folder.is_dir():
        pytest.skip(f"shared MailerLite recordings not found at {folder}")
    return folder


@pytest.fixture
def clock() -> FakeClock:
    """A manual clock starting at 2025-01-01 00:00:00 UTC."""
    return FakeClock()


@pytest.fixture
def sim(clock: FakeClock) -> Iterator[Simulator]:
    """A small seeded simulator (300 subscribers, 4 groups, 5 segments) without rate limits."""
    simulator = Simulator(seed=7, clock=clock, rate_limit=None, import_limit=None)
    simulator.seed_data(subscribers=300, groups=4, segments=5)
    yield simulator
    simulator.close()


@pytest.fixture
def client(sim: Simulator) -> Iterator[httpx.Client]:
    """A sync in-process client for `sim` (base URL ends in `/api`)."""
    with sim.client() as c:
        yield c


class Receiver:
    """A loopback HTTP server recording every POST it gets."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.status = 200
        self.event = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                outer.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(outer.status)
                self.send_header("content-length", "0")
                self.end_headers()
                outer.event.set()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self.thread.start()

    def bodies(self) -> list[Any]:
        """Every received body, parsed."""
        return [json.loads(body) for _, body in self.requests]

    def close(self) -> None:
        """Stop the server."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A loopback webhook receiver on 127.0.0.1."""
    r = Receiver()
    yield r
    r.close()


def load(folder: Path, name: str) -> Any:
    """A recording parsed as JSON."""
    return json.loads((folder / name).read_text())
