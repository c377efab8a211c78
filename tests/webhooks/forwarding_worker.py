"""A webhook worker process for `test_shared_dedupe.py`: receive deliveries, forward new events.

It does what a host app's worker does with a delivery: verify and normalise it with
`engine.webhooks.handle`, drop the events another worker already took (the installation's
de-duplicator, `engine.backends.deduplicator()`: Redis when `UNIMAP_REDIS_URL` is set), and
forward the rest to the host's endpoint.

The processes are forked from a fork server (`test_shared_dedupe.worker_processes`), which
starts with the environment of the moment it started; each run is handed the test's whole
environment at submit time, as a spawned process would inherit it (`_take_environment`).
"""

from __future__ import annotations

import os
import time
from typing import Any

import httpx


def _take_environment(environment: dict[str, str]) -> None:
    """Make this process's environment exactly `environment`."""
    os.environ.clear()
    os.environ.update(environment)


def run_worker(
    environment: dict[str, str],
    deliveries: list[tuple[dict[str, str], bytes]],
    secret: str,
    forward_to: str,
    barrier: Any,
) -> int:
    """Handle every delivery, forwarding each new event to `forward_to`; return how many."""
    _take_environment(environment)
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


def run_outbox_worker(
    environment: dict[str, str],
    account_id: str,
    deliveries: list[tuple[dict[str, str], bytes]],
    forward_to: str,
    barrier: Any,
) -> int:
    """The server's path: receive every delivery through `WebhookIntake` into the shared
    outbox (PostgreSQL, de-duplicated in Redis), then forward from the outbox until it is
    empty. Returns how many messages this worker enqueued."""
    _take_environment(environment)
    import asyncio

    from engine.api import Engine
    from engine.backends import account_store
    from engine.forwarding import Forwarder, ForwardingSettings, WebhookIntake, open_outbox
    from engine.run.retry import RetryPolicy

    engine = Engine.load()
    with account_store() as store, open_outbox() as outbox:
        intake = WebhookIntake(engine.webhooks, store, outbox)
        barrier.wait(30)
        enqueued = sum(
            len(intake.receive("mailerlite", account_id, headers, raw))
            for headers, raw in deliveries
        )
        barrier.wait(30)  # both received everything: now both forward at once
        retry = RetryPolicy(max_attempts=10, base_delay=0.2, max_delay=1.0, max_total=60.0)
        settings = ForwardingSettings(default_url=forward_to, retry=retry, timeout_seconds=30)
        forwarder = Forwarder(outbox, environment["UNIMAP_FORWARD_SECRET"], settings)
        deadline = time.monotonic() + 60

        async def drain() -> None:
            # Until nothing is pending (a send that failed is due again shortly), not merely
            # until one claim comes back empty: the other worker may hold the rest.
            while outbox.counts()["pending"] and time.monotonic() < deadline:
                if not await forwarder.run_once():
                    await asyncio.sleep(0.1)

        asyncio.run(drain())
    return enqueued
