"""The deduplicator: seen ids, TTL, LRU bound, thread safety."""

from __future__ import annotations

import threading

import pytest

from engine.webhooks import Deduplicator


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_seen_records_and_answers() -> None:
    dedupe = Deduplicator()
    assert dedupe.seen("a") is False
    assert dedupe.seen("a") is True
    assert dedupe.seen("b") is False
    assert len(dedupe) == 2


def test_filter_keeps_only_new_events() -> None:
    dedupe = Deduplicator()
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


def test_forget() -> None:
    dedupe = Deduplicator()
    dedupe.seen("a")
    dedupe.forget("a")
    assert dedupe.seen("a") is False


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        Deduplicator(max_size=0)
    with pytest.raises(ValueError):
        Deduplicator(ttl_seconds=0)


def test_exactly_one_thread_sees_an_id_first() -> None:
    dedupe = Deduplicator()
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
