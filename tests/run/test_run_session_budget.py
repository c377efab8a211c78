"""The retry time budget counts time spent failing, not time spent waiting for the pacer."""

from __future__ import annotations

import httpx

from engine.api import Engine
from engine.run.clock import FakeClock
from engine.run.retry import RetryPolicy


def test_a_long_rate_limit_wait_does_not_use_up_the_retry_budget() -> None:
    clock = FakeClock()
    engine = Engine.load(clock=clock, retry_policy=RetryPolicy(max_total=5.0, base_delay=0.01))
    answers = iter([httpx.Response(503), httpx.Response(200, json={"total": 0})])
    transport = httpx.MockTransport(lambda request: next(answers))
    connection = engine.connect(
        "mailerlite", credentials={"api_key": "k"}, transport=transport, account_key="acc"
    )
    engine.limiter("mailerlite").observe("acc", "general", 0, None, None)  # budget used up

    response = connection.proxy("GET", "/subscribers", query={"limit": "0"})

    assert response["status"] == 200
    assert clock.total_slept >= 60  # it waited a whole window for the pacer, then retried
    assert connection.stats.snapshot()["retries_total"] == 1
