"""Concurrency buckets: never more than N requests of one account in flight, across threads
and asyncio tasks (the synthetic `throttled` provider caps `connections` at 3), with the slots
in process and in Redis (`engine.run.redis_slots`, on the test server)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import httpx
import pytest

from engine.api import Engine
from engine.errors import UnimapError
from engine.run.backend import Pacing
from engine.run.clock import FakeClock
from engine.run.concurrency import ConcurrencySlots
from engine.run.redis_slots import RedisConcurrencyLimiter
from engine.run.retry import RetryPolicy
from tests.services import redis_client, redis_prefix

PROVIDERS = Path(__file__).parent / "providers"
CAP = 3


class InFlight:
    """Counts requests being answered at once, per bearer token (= per account here)."""

    def __init__(self, hold_seconds: float = 0.02) -> None:
        self.hold_seconds = hold_seconds
        self.lock = threading.Lock()
        self.now: dict[str, int] = {}
        self.peak: dict[str, int] = {}
        self.total = 0

    def enter(self, request: httpx.Request) -> str:
        who = request.headers["authorization"]
        with self.lock:
            self.total += 1
            self.now[who] = self.now.get(who, 0) + 1
            self.peak[who] = max(self.peak.get(who, 0), self.now[who])
        return who

    def leave(self, who: str) -> httpx.Response:
        with self.lock:
            self.now[who] -= 1
        return httpx.Response(200, json={"data": {"id": 1, "name": "L"}})

    def handle(self, request: httpx.Request) -> httpx.Response:
        who = self.enter(request)
        time.sleep(self.hold_seconds)
        return self.leave(who)

    async def ahandle(self, request: httpx.Request) -> httpx.Response:
        who = self.enter(request)
        await asyncio.sleep(self.hold_seconds)
        return self.leave(who)


@pytest.fixture(params=["memory", "redis"])
def pacing(request: pytest.FixtureRequest) -> Iterator[Pacing]:
    """Slots in process, or in Redis under a key prefix of this test alone."""
    if request.param == "memory":
        yield Pacing()
        return
    client = redis_client()
    with redis_prefix() as prefix:
        yield Pacing(client, prefix)
    client.close()


MakeSlots = Callable[[Mapping[str, int]], ConcurrencySlots]


@pytest.fixture
def make_slots(pacing: Pacing) -> MakeSlots:
    """Builds the concurrency slots of the pacing under test."""
    return lambda caps: pacing.concurrency("throttled", caps)


@pytest.fixture
def engine(pacing: Pacing) -> Iterator[Engine]:
    yield Engine.load(PROVIDERS, clock=FakeClock(), pacing=pacing)


def _get_many(engine: Engine, server: InFlight, token: str, count: int) -> None:
    transport = httpx.MockTransport(server.handle)
    with engine.connect("throttled", {"api_key": token}, transport=transport) as connection:
        for _ in range(count):
            assert connection.lists.get("1")["id"] == "1"


def test_threads_of_one_account_never_exceed_the_concurrency_cap(engine: Engine) -> None:
    server = InFlight()
    threads = [threading.Thread(target=_get_many, args=(engine, server, "k1", 4)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert server.total == 32
    assert server.peak["Bearer k1"] == CAP


def test_two_accounts_have_separate_slots(engine: Engine) -> None:
    server = InFlight(hold_seconds=0.05)
    threads = [
        threading.Thread(target=_get_many, args=(engine, server, token, 2))
        for token in ("k1", "k2")
        for _ in range(5)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert server.peak == {"Bearer k1": CAP, "Bearer k2": CAP}


def test_asyncio_tasks_of_one_account_never_exceed_the_concurrency_cap(engine: Engine) -> None:
    server = InFlight()

    async def main() -> None:
        transport = httpx.MockTransport(server.ahandle)
        async with engine.aconnect("throttled", {"api_key": "k1"}, transport=transport) as conn:
            records = await asyncio.gather(*(conn.lists.get(str(i)) for i in range(20)))
        assert len(records) == 20

    asyncio.run(asyncio.wait_for(main(), timeout=20))

    assert server.total == 20
    assert server.peak["Bearer k1"] == CAP


def test_a_failed_request_gives_its_slot_back(engine: Engine) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    policy = RetryPolicy(max_attempts=2, base_delay=0.01)
    connection = engine.connect(
        "throttled",
        {"api_key": "k1"},
        transport=httpx.MockTransport(refuse),
        account_key="acc",
        retry_policy=policy,
    )
    with pytest.raises(UnimapError):
        connection.lists.get("1")

    assert engine.slots("throttled").in_flight("acc", "connections") == 0


def test_threads_and_tasks_share_one_cap(make_slots: MakeSlots) -> None:
    limiter = make_slots({"connections": 2})
    lock = threading.Lock()
    inside = [0, 0]  # now, peak

    def enter() -> None:
        with lock:
            inside[0] += 1
            inside[1] = max(inside[1], inside[0])

    def leave() -> None:
        with lock:
            inside[0] -= 1

    def worker() -> None:
        for _ in range(5):
            with limiter.hold("acc", ["connections"]):
                enter()
                time.sleep(0.003)
                leave()

    async def task() -> None:
        for _ in range(5):
            async with limiter.ahold("acc", ["connections"]):
                enter()
                await asyncio.sleep(0.003)
                leave()

    def loop_thread() -> None:
        async def tasks() -> None:
            await asyncio.gather(*(task() for _ in range(3)))

        asyncio.run(asyncio.wait_for(tasks(), timeout=20))

    threads = [threading.Thread(target=f) for f in (worker, worker, loop_thread, loop_thread)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert inside == [0, 2]
    assert limiter.in_flight("acc", "connections") == 0


def test_a_cancelled_waiting_task_takes_no_slot(make_slots: MakeSlots) -> None:
    limiter = make_slots({"connections": 1})

    async def main() -> None:
        async with limiter.ahold("acc", ["connections"]):

            async def wait_for_slot() -> None:
                async with limiter.ahold("acc", ["connections"]):
                    raise AssertionError("it should never get the slot")

            waiter = asyncio.ensure_future(wait_for_slot())
            await asyncio.sleep(0.01)
            waiter.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiter
        async with limiter.ahold("acc", ["connections"]):
            assert limiter.in_flight("acc", "connections") == 1

    asyncio.run(asyncio.wait_for(main(), timeout=5))

    assert limiter.in_flight("acc", "connections") == 0


def test_buckets_that_are_not_concurrency_buckets_are_not_held(make_slots: MakeSlots) -> None:
    limiter = make_slots({"connections": 1})

    with limiter.hold("acc", ["calls"]), limiter.hold("acc", ["calls", "connections"]):
        assert limiter.in_flight("acc", "connections") == 1
        assert limiter.in_flight("acc", "calls") == 0


def test_a_worker_that_dies_holding_slots_frees_them_when_its_lease_ends(
    redis_namespace: str,
) -> None:
    dead = RedisConcurrencyLimiter(
        redis_client(), {"connections": 1}, namespace=redis_namespace, lease_seconds=0.3
    )
    survivor = RedisConcurrencyLimiter(
        redis_client(), {"connections": 1}, namespace=redis_namespace, lease_seconds=0.3
    )
    token = dead._take("acc", ("connections",))  # taken, then never renewed nor released
    assert token is not None
    dead._held.clear()  # what a SIGKILL does to the renewing thread's work
    started = time.monotonic()
    with survivor.hold("acc", ["connections"]):
        waited = time.monotonic() - started
        assert survivor.in_flight("acc", "connections") == 1
    assert 0.1 < waited < 3.0
    assert survivor.in_flight("acc", "connections") == 0


def test_a_slot_held_longer_than_its_lease_is_renewed_and_not_stolen(
    redis_namespace: str,
) -> None:
    first = RedisConcurrencyLimiter(
        redis_client(), {"connections": 1}, namespace=redis_namespace, lease_seconds=0.3
    )
    second = RedisConcurrencyLimiter(
        redis_client(), {"connections": 1}, namespace=redis_namespace, lease_seconds=0.3
    )
    with first.hold("acc", ["connections"]):
        time.sleep(1.0)  # three leases long
        assert second._take("acc", ("connections",)) is None
    assert second.in_flight("acc", "connections") == 0


def test_the_protocol_is_met_by_both_kinds(make_slots: MakeSlots) -> None:
    assert isinstance(make_slots({"connections": 1}), ConcurrencySlots)
