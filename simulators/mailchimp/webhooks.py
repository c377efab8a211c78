"""Webhook deliveries: unsigned, form-encoded POSTs sent by a background thread.

Each event becomes one `application/x-www-form-urlencoded` body per matching webhook:
`type=<event>&fired_at=YYYY-MM-DD HH:MM:SS&data[id]=...&data[merges][FNAME]=...` (nested
objects flatten into bracketed keys). There is no signature: receivers usually put a secret in
the callback URL. A webhook receives an event when its `events.<type>` and `sources.<source>`
flags are both true. No retries; `flush()` waits until the queue is empty.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx

from simulators.core.clock import REST_FORMAT
from simulators.core.deliveries import BackgroundSender
from simulators.mailchimp.models import Event
from simulators.mailchimp.state import State

log = logging.getLogger(__name__)


def flatten(prefix: str, value: Any) -> list[tuple[str, str]]:
    """`("data", {"merges": {"FNAME": "A"}})` → `[("data[merges][FNAME]", "A")]`."""
    if isinstance(value, dict):
        pairs: list[tuple[str, str]] = []
        for key, item in value.items():
            pairs.extend(flatten(f"{prefix}[{key}]", item))
        return pairs
    return [(prefix, "" if value is None else str(value))]


def encode(event: Event, fired_at: str) -> bytes:
    """The form body announcing one event."""
    pairs = [("type", event.type), ("fired_at", fired_at)]
    pairs.extend(flatten("data", event.data))
    return urlencode(pairs).encode()


def decode(body: bytes) -> dict[str, str]:
    """A form body back into flat `{"data[merges][FNAME]": "A", ...}` (for tests)."""
    return dict(parse_qsl(body.decode(), keep_blank_values=True))


@dataclass(slots=True, frozen=True)
class Delivery:
    """One POST to make."""

    webhook_id: str
    url: str
    body: bytes
    event: str


@dataclass(slots=True, frozen=True)
class DeliveryResult:
    """The receiver's status code, or the error text."""

    delivery: Delivery
    status_code: int | None
    error: str | None = None


class WebhookDispatcher(BackgroundSender[Delivery]):
    """Builds, queues and sends deliveries; `transport` replaces the network in tests."""

    def __init__(self, state: State, *, transport: httpx.BaseTransport | None = None) -> None:
        super().__init__(transport=transport, thread_name="mailchimp-webhooks")
        self._state = state
        self.results: list[DeliveryResult] = []
        """Every finished delivery, in sending order."""

    def build(self, events: list[Event]) -> list[Delivery]:
        """The deliveries `events` cause for the registered webhooks."""
        fired_at = self._state.clock.utcnow().strftime(REST_FORMAT)
        out: list[Delivery] = []
        for event in events:
            audience = self._state.audiences.get(event.list_id)
            if audience is None:
                continue
            for hook in audience.webhooks.values():
                if hook.events.get(event.type) and hook.sources.get(event.source):
                    out.append(Delivery(hook.id, hook.url, encode(event, fired_at), event.type))
        return out

    def publish(self, events: list[Event]) -> int:
        """Queue the deliveries for `events`; returns how many were queued."""
        deliveries = self.build(events)
        self._enqueue(deliveries)
        return len(deliveries)

    def _send(self, client: httpx.Client, delivery: Delivery) -> None:
        self.results.append(self._post(client, delivery))

    @staticmethod
    def _post(client: httpx.Client, delivery: Delivery) -> DeliveryResult:
        headers = {
            "content-type": "application/x-www-form-urlencoded",
            "user-agent": "MailChimp.com WebHook Simulator",
        }
        try:
            response = client.post(delivery.url, content=delivery.body, headers=headers)
            return DeliveryResult(delivery, response.status_code)
        except Exception as exc:  # a receiver failure must never kill the sender
            log.debug("webhook delivery failed: %s", exc)
            return DeliveryResult(delivery, None, f"{type(exc).__name__}: {exc}")
