"""Webhook deliveries a simulator would send, captured instead of posted, for host handlers.

Each simulator builds and signs its deliveries itself (MailerLite: HMAC `Signature` header;
Brevo: JSON, unsigned; Kit: JSON, unsigned; Mailchimp: form-encoded, unsigned) and sends them
from a background thread through an httpx transport. The sandbox gives it a `WebhookCatcher`
as that transport, so the exact bytes and headers land in a list; `Sandbox.deliver_webhooks`
then hands each one to the host app's handler as `(headers, raw_body)`.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import httpx


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    """One webhook POST as the provider would make it: target URL, headers, raw body."""

    url: str
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        """The path of the target URL (e.g. `/hooks/mailerlite`), to route it in a test app."""
        return httpx.URL(self.url).path

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        """The body parsed as form fields (`data[merges][FNAME]` keys stay flat)."""
        return dict(parse_qsl(self.body.decode(), keep_blank_values=True))


class WebhookCatcher(httpx.BaseTransport):
    """A transport that keeps every POST it gets and answers 200, without any network."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._caught: list[WebhookDelivery] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Keep the delivery; answer 200 so the simulator records a success."""
        headers = {k.lower(): v for k, v in request.headers.items()}
        for hop in ("host", "content-length", "accept", "accept-encoding", "connection"):
            headers.pop(hop, None)
        delivery = WebhookDelivery(str(request.url), headers, request.read())
        with self._lock:
            self._caught.append(delivery)
        return httpx.Response(200, request=request)

    def take(self) -> list[WebhookDelivery]:
        """The deliveries caught since the last call, in sending order."""
        with self._lock:
            caught, self._caught = self._caught, []
        return caught
