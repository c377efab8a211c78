"""Webhook deliveries: which webhooks an event reaches, and a background sender.

Kit's webhooks are not signed: a delivery is a plain JSON POST to the target URL. Subscriber
events carry `{"subscriber": {...}}`; custom field events `{"custom_field": {...}}`. A
`subscriber.tag_add`/`tag_remove` webhook only fires for its own `tag_id`. There are no retries:
each outcome is recorded in `results`. `flush()` waits (bounded) until the queue is sent.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from dataclasses import dataclass

import httpx

from simulators.kit.state import Event, State

log = logging.getLogger(__name__)


@dataclass(slots=True, frozen=True)
class Delivery:
    """One POST to make."""

    webhook_id: int
    url: str
    event: str
    body: bytes


@dataclass(slots=True, frozen=True)
class DeliveryResult:
    """What happened to one delivery: the receiver's status, or the error text."""

    delivery: Delivery
    status: int | None
    error: str | None = None


def deliveries_for(state: State, events: list[Event]) -> list[Delivery]:
    """One delivery per (matching webhook, event), in order."""
    out: list[Delivery] = []
    for event in events:
        body = json.dumps(event.payload, separators=(",", ":")).encode()
        for hook in sorted(state.webhooks.values(), key=lambda h: h.id):
            if hook.event.get("name") != event.name:
                continue
            if event.tag_id is not None and str(hook.event.get("tag_id")) != str(event.tag_id):
                continue
            out.append(Delivery(hook.id, hook.target_url, event.name, body))
    return out


class WebhookSender:
    """Sends deliveries from one background thread (started on first use)."""

    def __init__(self, transport: httpx.BaseTransport | None = None, timeout: float = 5.0):
        self._transport = transport
        self._timeout = timeout
        self._queue: queue.Queue[Delivery | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.results: list[DeliveryResult] = []
        """Every delivery attempted so far, in order."""

    def publish(self, deliveries: list[Delivery]) -> None:
        """Queue deliveries (never blocks on the network)."""
        if not deliveries:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="kit-webhooks", daemon=True)
                self._thread.start()
        for delivery in deliveries:
            self._queue.put(delivery)

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until every queued delivery was attempted (at most `timeout` seconds)."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.005)

    def close(self) -> None:
        """Send what is queued, then stop the thread."""
        if self._thread is not None:
            self.flush()
            self._queue.put(None)
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        with httpx.Client(transport=self._transport, timeout=self._timeout) as client:
            while True:
                delivery = self._queue.get()
                try:
                    if delivery is None:
                        return
                    self.results.append(self._send(client, delivery))
                finally:
                    self._queue.task_done()

    @staticmethod
    def _send(client: httpx.Client, delivery: Delivery) -> DeliveryResult:
        try:
            response = client.post(
                delivery.url,
                content=delivery.body,
                headers={"content-type": "application/json"},
            )
        except httpx.HTTPError as exc:
            log.info("webhook delivery to %s failed: %s", delivery.url, exc)
            return DeliveryResult(delivery, None, str(exc))
        return DeliveryResult(delivery, response.status_code)
