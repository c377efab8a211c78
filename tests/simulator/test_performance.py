"""Start-up and page-serving budgets (20,000 subscribers), measured in process."""

from __future__ import annotations

import statistics
import time

from simulators.mailerlite import Simulator


def test_twenty_thousand_subscribers_seed_fast_and_pages_of_1000_stay_quick() -> None:
    started = time.perf_counter()
    sim = Simulator(seed=0, rate_limit=None).seed_data(subscribers=20_000, groups=10, segments=5)
    assert time.perf_counter() - started < 5.0
    timings: list[float] = []
    seen = 0
    cursor = None
    with sim.client() as client:
        for _ in range(25):
            params: dict[str, object] = {"limit": 1000}
            if cursor:
                params["cursor"] = cursor
            began = time.perf_counter()
            body = client.get("/subscribers", params=params).json()
            timings.append(time.perf_counter() - began)
            seen += len(body["data"])
            cursor = body["meta"]["next_cursor"]
            if cursor is None:
                break
    assert seen == 20_000
    assert statistics.median(timings) < 0.05
