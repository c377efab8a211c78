"""Every simulator counts the requests it refused for exceeding its own limit
(`simulator.stats()["rate_limited"]`), and a served sandbox reports them at
`GET /_sandbox/stats`, so load tests can show the provider's limit was never exceeded."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest

from simulators.brevo import Simulator as Brevo
from simulators.core.server import serve_in_thread
from simulators.kit import Simulator as Kit
from simulators.mailchimp import Simulator as Mailchimp
from simulators.mailerlite import Simulator as MailerLite


@pytest.mark.parametrize(
    ("simulator", "path"),
    [
        (MailerLite(rate_limit=(2, 60.0)), "/subscribers"),
        (Kit(rate_limit=(2, 60.0)), "/subscribers"),
        (Brevo(rate_limit=(2, 60.0)), "/contacts"),
    ],
    ids=["mailerlite", "kit", "brevo"],
)
def test_requests_over_the_rate_limit_are_counted(simulator: Any, path: str) -> None:
    with simulator.client() as client:
        statuses = [client.get(path).status_code for _ in range(5)]
    assert statuses.count(429) == 3
    assert simulator.stats()["rate_limited"] == 3


def test_connections_over_the_cap_are_counted() -> None:
    simulator = Mailchimp(max_connections=1, latency=1.0)
    statuses: list[int] = []
    with simulator.client() as client:
        threads = [
            threading.Thread(target=lambda: statuses.append(client.get("/lists").status_code))
            for _ in range(3)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
    assert sorted(statuses) == [200, 429, 429]
    assert simulator.stats() == {"rate_limited": 2, "peak_in_flight": 1, "max_connections": 1}


def test_a_served_sandbox_reports_its_counts() -> None:
    simulator = MailerLite(rate_limit=(1, 60.0))
    with serve_in_thread(simulator) as base_url:
        headers = simulator.auth_headers()
        codes = [httpx.get(f"{base_url}/subscribers", headers=headers).status_code for _ in "ab"]
        stats = httpx.get(base_url.removesuffix("/api") + "/_sandbox/stats", timeout=5)
    simulator.close()
    assert codes == [200, 429]
    assert stats.json() == {"rate_limited": 1, "faults": {}}
