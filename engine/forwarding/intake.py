"""Receiving a provider's delivery for a linked account and queueing its events for the host.

`WebhookIntake.receive(provider, account_id, headers, body, url=...)` does, in order:

1. look the account up (unknown, or linked to another provider: `AccountNotFoundError`, 404);
2. verify and normalise with the engine's `WebhookHandler` (the account's `webhook_secret`
   secret metadata; a bad signature raises `SignatureError`, 401, and nothing is queued);
3. turn each unified event into a message (`message_id`: stable per account and event, so a
   redelivery has the same id), skip the ones the de-duplicator has seen (by default the
   installation's, `engine.backends.deduplicator()`: in Redis with `UNIMAP_REDIS_URL`, so a
   delivery reaching two workers at once is queued by one);
4. enqueue the rest in the durable outbox (which ignores ids it already holds, across
   restarts) and return the ids added. Only then may the caller answer 2xx.

The forwarded body follows the Standard Webhooks payload shape:
`{"type", "timestamp", "provider", "integrated_account_id", "tenant_id", "data": <event>}`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from engine.accounts.errors import AccountNotFoundError
from engine.accounts.model import Account
from engine.accounts.store import AccountStore
from engine.backends import deduplicator
from engine.forwarding.outbox import NewMessage, Outbox
from engine.webhooks.dedupe import SeenEvents
from engine.webhooks.handler import WebhookHandler

__all__ = ["WebhookIntake", "forward_body", "message_id"]


def message_id(account_id: str, event_id: str) -> str:
    """The forwarded message's id (`webhook-id`): the same for the same event of one account."""
    digest = hashlib.sha256(f"{account_id}\x00{event_id}".encode()).hexdigest()
    return "msg_" + digest[:32]


def forward_body(account: Account, event: Mapping[str, Any]) -> bytes:
    """The JSON body the host app receives for one unified event."""
    payload = {
        "type": event.get("type"),
        "timestamp": event.get("occurred_at"),
        "provider": account.provider,
        "integrated_account_id": account.id,
        "tenant_id": account.tenant_id,
        "data": dict(event),
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class WebhookIntake:
    """Verified deliveries in, durable outbox messages out (thread-safe; one per process)."""

    def __init__(
        self,
        handler: WebhookHandler,
        store: AccountStore,
        outbox: Outbox,
        dedupe: SeenEvents | None = None,
    ) -> None:
        """`handler` is `engine.webhooks`; `dedupe` defaults to the installation's
        (`engine.backends.deduplicator()`)."""
        self.handler = handler
        self.store = store
        self.outbox = outbox
        self.dedupe = dedupe if dedupe is not None else deduplicator()

    def __repr__(self) -> str:
        """Show the outbox."""
        return f"WebhookIntake(outbox={self.outbox!r})"

    def account(self, provider: str, account_id: str) -> Account:
        """The linked account a delivery URL names (`AccountNotFoundError` when it is not one
        of `provider`'s, so the URL reveals nothing about other providers' accounts)."""
        account = self.store.get(account_id)
        if account.provider != provider:
            raise AccountNotFoundError(account_id)
        return account

    def receive(
        self,
        provider: str,
        account_id: str,
        headers: Mapping[str, str],
        body: bytes,
        *,
        url: str | None = None,
    ) -> list[str]:
        """Verify, split, normalise, de-duplicate and enqueue; returns the ids enqueued."""
        account = self.account(provider, account_id)
        events = self.handler.handle(provider, headers, body, account=account, url=url)
        messages = [
            NewMessage(
                id=message_id(account.id, str(event["id"])),
                account_id=account.id,
                tenant_id=account.tenant_id,
                event_type=str(event.get("type")),
                body=forward_body(account, event),
            )
            for event in events
        ]
        fresh = [message for message in messages if not self.dedupe.seen(message.id)]
        try:
            return self.outbox.enqueue(fresh) if fresh else []
        except BaseException:
            for message in fresh:  # not stored: a redelivery must be accepted again
                self.dedupe.forget(message.id)
            raise
