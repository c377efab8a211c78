"""Tests for engine.run.clock."""

from __future__ import annotations

import asyncio
import threading
import time

from engine.run.clock import Clock, FakeClock, SystemClock


def test_fake_clock_sleep_advances_time_instantly_and_records_it() -> None:
    clock = FakeClock(start=10.0)
    started = time.monotonic()
    clock.sleep(3600)
    clock.sleep(-1)
    assert time.monotonic() - started < 0.5
    assert clock.monotonic() == 3610.0
    assert clock.sleeps == [3600.0, 0.0]
    assert clock.total_slept == 3600.0


def test_fake_clock_asleep_advances_time() -> None:
    clock = FakeClock()
    asyncio.run(clock.asleep(2.5))
    assert clock.monotonic() == 2.5
    assert clock.sleeps == [2.5]


def test_fake_clock_is_thread_safe() -> None:
    clock = FakeClock()

    def work() -> None:
        for _ in range(500):
            clock.sleep(1.0)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert clock.monotonic() == 4000.0
    assert len(clock.sleeps) == 4000


def test_manual_fake_clock_blocks_sleepers_until_advanced() -> None:
    clock = FakeClock(auto_advance=False)
    woke: list[float] = []

    def sleeper() -> None:
        clock.sleep(5.0)
        woke.append(clock.monotonic())

    thread = threading.Thread(target=sleeper)
    thread.start()
    clock.wait_for_sleepers(1)
    clock.advance(4.0)
    time.sleep(0.01)
    assert woke == []
    clock.advance(1.0)
    thread.join(timeout=5)
    assert woke == [5.0]
    assert clock.sleepers == 0


def test_system_clock_is_monotonic_and_sleeps() -> None:
    clock = SystemClock()
    assert isinstance(clock, Clock)
    a = clock.monotonic()
    clock.sleep(0.002)
    asyncio.run(clock.asleep(0.001))
    assert clock.monotonic() - a >= 0.003
