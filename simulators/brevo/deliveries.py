"""Webhook deliveries for marketing contact events, sent by one background thread.

Brevo does not sign webhook bodies: a receiver secures them with an IP allow-list, basic
credentials inside the URL (`https://user:pass@host/...`), a bearer token given as
`auth: {"type": "bearer", "token": "..."}` when the webhook is created, or custom `headers`.
The simulator sends exactly that: `Authorization: Bearer <token>` when `auth` is set, the
custom headers, and no signature.

Events: `contact_updated` (webhook event `contactUpdated`), `contact_deleted`
(`contactDeleted`) and `list_addition` (`listAddition`). Each payload carries `event`,
`email`, `id` (the webhook id), `date` (`YYYY-MM-DD HH:MM:SS`) and `ts_event` (epoch
seconds); `list_addition` adds `list_id`. As in Brevo's payloads, the contact is named by
its email only. A `batched` webhook gets one JSON array per
API request instead of one object per event.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from typing import Any

import httpx

from simulators.brevo.models import Event, Webhook
from simulators.brevo.state import State
from simulators.core.deliveries import BackgroundSender

WEBHOOK_EVENT = {
    "contact_updated": "contactUpdated",
    "contact_deleted": "contactDeleted",
    "list_addition": "listAddition",
}
"""Payload event name -> the event name a webhook subscribes with."""

log = logging.getLogger(__name__)


@dataclass(slots=True, frozen=True)
class Delivery:
    """One POST to make."""

    webhook_id: int
    url: str
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        """The body parsed."""
        return json.loads(self.body)


@dataclass(slots=True, frozen=True)
class DeliveryResult:
    """The receiver's status code, or the error text."""

    delivery: Delivery
    status_code: int | None
    error: str | None = None


def _headers(hook: Webhook) -> dict[str, str]:
    headers = {"content-type": "application/json", "user-agent": "Brevo-Simulator-Webhooks/1.0"}
    if hook.auth and hook.auth.get("type") == "bearer" and hook.auth.get("token"):
        headers["authorization"] = f"Bearer {hook.auth['token']}"
    for item in hook.headers or []:
        if isinstance(item, dict) and item.get("key"):
            headers[str(item["key"]).lower()] = str(item.get("value", ""))
    return headers


class Dispatcher(BackgroundSender[Delivery]):
    """Builds deliveries for the marketing webhooks and sends them in order."""

    def __init__(
        self, state: State, lock: threading.RLock, transport: httpx.BaseTransport | None = None
    ) -> None:
        super().__init__(transport=transport)
        self._state = state
        self._lock = lock
        self.results: list[DeliveryResult] = []
        """Every finished delivery, in sending order."""

    def build(self, events: list[Event]) -> list[Delivery]:
        """The deliveries `events` cause for the registered marketing webhooks."""
        moment = self._state.clock.utcnow()
        out: list[Delivery] = []
        for hook in list(self._state.webhooks.values()):
            if hook.type != "marketing":
                continue
            payloads = [
                {
                    "event": e.name,
                    "id": hook.id,
                    **e.fields,
                    "date": moment.strftime("%Y-%m-%d %H:%M:%S"),
                    "ts_event": int(moment.timestamp()),
                }
                for e in events
                if WEBHOOK_EVENT.get(e.name) in hook.events
            ]
            if not payloads:
                continue
            bodies: list[Any] = [payloads] if hook.batched else list(payloads)
            out.extend(
                Delivery(hook.id, hook.url, json.dumps(b).encode(), _headers(hook)) for b in bodies
            )
        return out

    def publish(self, events: list[Event]) -> int:
        """Queue the deliveries for `events`; returns how many were queued."""
        deliveries = self.build(events)
        self._enqueue(deliveries)
        return len(deliveries)

    def _send(self, client: httpx.Client, delivery: Delivery) -> None:
        try:
            response = client.post(delivery.url, content=delivery.body, headers=delivery.headers)
            result = DeliveryResult(delivery, response.status_code)
        except Exception as exc:  # a failing receiver must not kill the sender
            result = DeliveryResult(delivery, None, f"{type(exc).__name__}: {exc}")
        with self._lock:
            self.results.append(result)
