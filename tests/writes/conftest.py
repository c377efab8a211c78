"""Fixtures for the unified-write tests: a seeded in-process simulator, an engine whose rate
buckets are compressed (a copy of the mappings with shorter periods), connections with their
own limiter key, and a transport wrapper that records every HTTP request the engine sends."""

from __future__ import annotations

import itertools
import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
import yaml

from engine.api import AsyncConnection, Connection, Engine
from engine.paths import mappings_dir
from engine.run.clock import FakeClock
from simulators.mailerlite import DEFAULT_TOKEN, IN_PROCESS_BASE_URL, Simulator, SimulatorTransport

FAST_PERIOD = 0.2
"""Seconds per rate window of the engine used by most tests (MailerLite's is 60)."""

_keys = itertools.count(1)


def compressed_mappings(destination: Path, period_seconds: float) -> Path:
    """Copy the bundled mappings to `destination` with every MailerLite rate-bucket period
    set to `period_seconds` and a 0.05 s pacing margin (the limits stay: 120 general,
    5 imports). Returns the copy."""
    shutil.copytree(mappings_dir(), destination)
    provider = destination / "mailerlite" / "provider.yaml"
    data = yaml.safe_load(provider.read_text(encoding="utf-8"))
    for bucket in data["rate_limits"]["buckets"]:
        bucket["period_seconds"] = period_seconds
    data["rate_limits"]["padding_seconds"] = 0.05
    provider.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return destination


@dataclass(frozen=True)
class Sent:
    """One HTTP request as it left the engine."""

    method: str
    path: str
    body: Any

    @property
    def sub_requests(self) -> list[dict[str, Any]]:
        """The sub-requests of a `POST /batch` (empty for other requests)."""
        if self.path.endswith("/batch") and isinstance(self.body, dict):
            return list(self.body.get("requests", []))
        return []


class RecordingTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Wraps the simulator's transport and records every request (sync and async)."""

    def __init__(self, inner: SimulatorTransport) -> None:
        self.inner = inner
        self.sent: list[Sent] = []

    def _record(self, request: httpx.Request, raw: bytes) -> None:
        body = json.loads(raw) if raw else None
        self.sent.append(Sent(request.method, request.url.path, body))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Record, then let the simulator answer."""
        self._record(request, request.read())
        return self.inner.handle_request(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Record, then let the simulator answer."""
        self._record(request, await request.aread())
        return await self.inner.handle_async_request(request)

    def writes(self) -> list[Sent]:
        """Every request that is not a GET."""
        return [s for s in self.sent if s.method != "GET"]

    def clear(self) -> None:
        """Forget what was recorded so far."""
        self.sent.clear()


@pytest.fixture(scope="session")
def fast_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """An engine over a copy of the mappings with {FAST_PERIOD}-second rate windows, pacing and
    backing off on a fake clock (the simulators these tests use set no server-side limits)."""
    root = tmp_path_factory.mktemp("fast-mappings") / "mappings"
    return Engine.load(compressed_mappings(root, FAST_PERIOD), clock=FakeClock())


@pytest.fixture
def sim() -> Iterator[Simulator]:
    """A seeded account (40 subscribers, 3 groups, custom fields loyalty_tier/score/birthday)
    without server-side rate limits (the bulk tests build their own limited simulator)."""
    simulator = Simulator(seed=5, rate_limit=None, import_limit=None).seed_data(
        subscribers=40, groups=3, segments=1
    )
    yield simulator
    simulator.close()


@pytest.fixture
def recorder(sim: Simulator) -> RecordingTransport:
    """The recording transport in front of `sim`."""
    return RecordingTransport(sim.transport())


def connect_to(engine: Engine, transport: RecordingTransport) -> Connection:
    """A sync connection with its own limiter key (tests never share rate budgets)."""
    return engine.connect(
        "mailerlite",
        credentials={"api_key": DEFAULT_TOKEN},
        base_url=IN_PROCESS_BASE_URL,
        transport=transport,
        account_key=f"writes-test-{next(_keys)}",
    )


def aconnect_to(engine: Engine, transport: RecordingTransport) -> AsyncConnection:
    """An async connection with its own limiter key."""
    return engine.aconnect(
        "mailerlite",
        credentials={"api_key": DEFAULT_TOKEN},
        base_url=IN_PROCESS_BASE_URL,
        transport=transport,
        account_key=f"writes-test-{next(_keys)}",
    )


@pytest.fixture
def conn(fast_engine: Engine, recorder: RecordingTransport) -> Iterator[Connection]:
    """A sync connection to `sim` through `recorder`."""
    connection = connect_to(fast_engine, recorder)
    yield connection
    connection.close()


@pytest.fixture
def group_ids(sim: Simulator) -> list[str]:
    """The seeded group ids, as unified list ids (strings)."""
    with sim.lock:
        return [str(gid) for gid in sim.state.groups]


@pytest.fixture
def new_email() -> Callable[[str], str]:
    """A fresh address per call: `new_email("ann")` -> `ann-1@writes.example`."""
    counter = itertools.count(1)
    return lambda stem: f"{stem}-{next(counter)}@writes.example"


@pytest.fixture
def relay_api() -> Iterator[respx.MockRouter]:
    """respx mounted on the synthetic `relay` provider for one test (its routes are declared
    by the test; `sent(relay_api)` lists what the engine sent)."""
    from tests.writes.synthetic import BASE_URL

    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        yield router
