"""The deduplicators: seen ids, TTL, LRU bound, thread safety; the `SeenEvents` contract
checked against the in-process one and the Redis one (on the test server)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

from engine.webhooks import Deduplicator
from engine.webhooks.dedupe import SeenEvents
from engine.webhooks.redis_dedupe import RedisDeduplicator
from tests.services import redis_client, redis_prefix

MakeDedupe = Callable[[], SeenEvents]


@pytest.fixture(params=["memory", "redis"])
def make_dedupe(request: pytest.FixtureRequest) -> Iterator[MakeDedupe]:
    """Builds a fresh de-duplicator of each kind (Redis: a key prefix of this test alone)."""
    if request.param == "memory":
        yield Deduplicator
        return
    client = redis_client()
    with redis_prefix() as prefix:
        yield lambda: RedisDeduplicator(client, namespace=prefix, ttl_seconds=60)
    client.close()


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_seen_records_and_answers(make_dedupe: MakeDedupe) -> None:
    dedupe = make_dedupe()
    assert isinstance(dedupe, SeenEvents)
    assert dedupe.seen("a") is False
    assert dedupe.seen("a") is True
    assert dedupe.seen("b") is False


def test_the_in_process_one_counts_what_it_holds() -> None:
    dedupe = Deduplicator()
    dedupe.seen("a")
    dedupe.seen("b")
    assert len(dedupe) == 2


def test_filter_keeps_only_new_events(make_dedupe: MakeDedupe) -> None:
    dedupe = make_dedupe()
    events = [{"id": "1"}, {"id": "2"}, {"id": "1"}]
    assert dedupe.filter(events) == [{"id": "1"}, {"id": "2"}]
    assert dedupe.filter(events) == []


def test_ids_expire_after_the_ttl() -> None:
    clock = Clock()
    dedupe = Deduplicator(ttl_seconds=10, clock=clock)
    dedupe.seen("a")
    clock.now = 9.9
    assert dedupe.seen("a") is True  # refreshed at 9.9
    clock.now = 19.8
    assert dedupe.seen("a") is True
    clock.now = 40
    assert dedupe.seen("a") is False
    clock.now = 100
    dedupe.seen("b")
    assert len(dedupe) == 1  # "a" expired and was dropped


def test_the_oldest_ids_are_evicted_beyond_max_size() -> None:
    dedupe = Deduplicator(max_size=3)
    for name in "abcd":
        dedupe.seen(name)
    assert len(dedupe) == 3
    assert dedupe.seen("a") is False  # evicted
    assert dedupe.seen("d") is True


def test_forget(make_dedupe: MakeDedupe) -> None:
    dedupe = make_dedupe()
    dedupe.seen("a")
    dedupe.forget("a")
    assert dedupe.seen("a") is False


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        Deduplicator(max_size=0)
    with pytest.raises(ValueError):
        Deduplicator(ttl_seconds=0)
    with pytest.raises(ValueError):
        RedisDeduplicator(None, ttl_seconds=0)  # type: ignore[arg-type]


def test_exactly_one_thread_sees_an_id_first(make_dedupe: MakeDedupe) -> None:
    dedupe = make_dedupe()
    results: list[bool] = []
    lock = threading.Lock()
    barrier = threading.Barrier(16)

    def worker() -> None:
        barrier.wait(5)
        for index in range(200):
            seen = dedupe.seen(f"id-{index}")
            with lock:
                results.append(seen)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert results.count(False) == 200 and len(results) == 16 * 200


def test_redis_ids_expire_after_the_ttl(redis_namespace: str) -> None:
    dedupe = RedisDeduplicator(redis_client(), namespace=redis_namespace, ttl_seconds=0.2)
    assert dedupe.seen("a") is False
    assert dedupe.seen("a") is True
    time.sleep(0.35)
    assert dedupe.seen("a") is False
