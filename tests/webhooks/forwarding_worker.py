"""A webhook worker process for `test_shared_dedupe.py`: receive deliveries, forward new events.

It does what a host app's worker does with a delivery: verify and normalise it with
`engine.webhooks.handle`, drop the events another worker already took (the installation's
de-duplicator, `engine.backends.deduplicator()`: Redis when `UNIMAP_REDIS_URL` is set), and
forward the rest to the host's endpoint.
"""

from __future__ import annotations

import os
from typing import Any

import httpx


def run_worker(
    environment: dict[str, str],
    deliveries: list[tuple[dict[str, str], bytes]],
    secret: str,
    forward_to: str,
    barrier: Any,
) -> int:
    """Handle every delivery, forwarding each new event to `forward_to`; return how many."""
    os.environ.update(environment)
    from engine.api import Engine
    from engine.backends import deduplicator

    engine = Engine.load()
    seen = deduplicator(ttl_seconds=60)
    forwarded = 0
    barrier.wait(30)  # both workers get the same deliveries at the same moment
    with httpx.Client(timeout=10) as client:
        for headers, raw in deliveries:
            events = engine.webhooks.handle("mailerlite", headers, raw, secret=secret)
            for event in seen.filter(events):
                client.post(forward_to, json=event).raise_for_status()
                forwarded += 1
    return forwarded
