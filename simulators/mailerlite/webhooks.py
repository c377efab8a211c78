"""Webhook delivery: payload shapes, MailerLite signatures, and a background sender.

After every request the simulator hands the subscriber events it produced to
`WebhookDispatcher.publish`, which builds one delivery per (webhook, event) - or one batched
delivery per webhook when `batchable` is set (every event of that API request, `{"events": [...],
"total": n}`) - and queues them. A single background thread POSTs them in order with httpx, so API
responses never wait for receivers. `flush()` (sync) / `await drain()` (async) wait until the queue
is empty.

Signing is exactly MailerLite's: header `Signature` = lower-case hex HMAC-SHA256 of the raw body
bytes keyed with the webhook's secret. There are no retries: a failed delivery is recorded in
`results` and in the webhook's `response_code`.

Payloads: flat subscriber events are the subscriber object (ISO timestamps) plus `event`,
`account_id` (int) and `api_version`; group events are `{"type", "subscriber", "group",
"account_id", "api_version"}`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
import httpx

from simulators.core.deliveries import BackgroundSender
from simulators.mailerlite.models import Event, Webhook
from simulators.mailerlite.state import State

API_VERSION = "2025-05"
"""`api_version` carried by webhook payloads."""

GROUP_EVENTS = frozenset({"subscriber.added_to_group", "subscriber.removed_from_group"})

log = logging.getLogger(__name__)


def sign(body: bytes, secret: str) -> str:
    """MailerLite's signature: lower-case hex HMAC-SHA256 of `body` keyed with `secret`."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def event_payload(event: Event, account_id: int) -> dict[str, Any]:
    """The JSON object announcing one event (flat or nested group shape)."""
    if event.name in GROUP_EVENTS:
        return {
            "type": event.name,
            "subscriber": event.subscriber,
            "group": event.group,
            "account_id": account_id,
            "api_version": API_VERSION,
        }
    return {
        **event.subscriber,
        "event": event.name,
        "account_id": account_id,
        "api_version": API_VERSION,
    }


@dataclass(slots=True, frozen=True)
class Delivery:
    """One signed POST to make."""

    webhook_id: str
    url: str
    body: bytes
    headers: dict[str, str]
    events: tuple[str, ...]

    def json(self) -> Any:
        """The body parsed."""
        return json.loads(self.body)


@dataclass(slots=True, frozen=True)
class DeliveryResult:
    """What happened to one delivery: the receiver's status code, or the error text."""

    delivery: Delivery
    status_code: int | None
    error: str | None = None


class WebhookDispatcher(BackgroundSender[Delivery]):
    """Builds, queues and sends webhook deliveries for one simulator.

    `transport` replaces the network (e.g. `httpx.MockTransport`) so tests can capture
    deliveries without sockets; `on_result` is called from the sender thread after each delivery.
    """

    def __init__(
        self,
        state: State,
        lock: threading.RLock,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 3.0,
        on_result: Callable[[DeliveryResult], None] | None = None,
    ) -> None:
        super().__init__(transport=transport, timeout=timeout, thread_name="simulator-webhooks")
        self._state = state
        self._lock = lock
        self._on_result = on_result
        self.results: list[DeliveryResult] = []
        """Every finished delivery, in sending order."""

    # ------------------------------------------------------------------ build
    def build(self, events: list[Event]) -> list[Delivery]:
        """The deliveries `events` cause for the currently registered enabled webhooks."""
        if not events:
            return []
        out: list[Delivery] = []
        account_id = self._state.account_id
        for hook in list(self._state.webhooks.values()):
            if not hook.enabled:
                continue
            matching = [e for e in events if e.name in hook.events]
            if not matching:
                continue
            if hook.batchable:
                payloads = [event_payload(e, account_id) for e in matching]
                out.append(
                    self._delivery(
                        hook,
                        {"events": payloads, "total": len(payloads)},
                        tuple(e.name for e in matching),
                    )
                )
            else:
                out.extend(
                    self._delivery(hook, event_payload(e, account_id), (e.name,)) for e in matching
                )
        return out

    @staticmethod
    def _delivery(hook: Webhook, payload: dict[str, Any], names: tuple[str, ...]) -> Delivery:
        body = json.dumps(payload, separators=(",", ":")).encode()
        headers = {
            "content-type": "application/json",
            "signature": sign(body, hook.secret),
            "user-agent": "MailerLite-Simulator-Webhooks/1.0",
        }
        return Delivery(str(hook.id), hook.url, body, headers, names)

    def publish(self, events: list[Event]) -> int:
        """Queue the deliveries for `events`; returns how many were queued."""
        deliveries = self.build(events)
        self._enqueue(deliveries)
        return len(deliveries)

    # ------------------------------------------------------------------- send
    def _send(self, client: httpx.Client, delivery: Delivery) -> None:
        try:
            response = client.post(delivery.url, content=delivery.body, headers=delivery.headers)
            result = DeliveryResult(delivery, response.status_code)
        except httpx.HTTPError as exc:
            result = DeliveryResult(delivery, None, f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # a broken custom transport must not kill the sender
            log.exception("webhook delivery failed")
            result = DeliveryResult(delivery, None, f"{type(exc).__name__}: {exc}")
        with self._lock:
            self.results.append(result)
            hook = self._state.webhooks.get(int(delivery.webhook_id))
            if hook is not None:
                hook.last_fired_at = self._state.now()
                hook.response_code = result.status_code
        if self._on_result is not None:
            self._on_result(result)

    def pending(self) -> int:
        """Deliveries queued or in flight."""
        return self._queue.unfinished_tasks

    async def drain(self, timeout: float = 10.0) -> bool:
        """Async `flush()`: wait (without blocking the event loop) until deliveries are sent."""
        return await anyio.to_thread.run_sync(self.flush, timeout)
