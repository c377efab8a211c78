"""Webhooks: verify deliveries, split batches, normalise events, deduplicate, manage subscriptions.

    engine = Engine.load()
    events = engine.webhooks.handle("acme", request.headers, raw_body, account=account)
    for event in dedupe.filter(events):
        ...

See `docs/webhooks.md`.
"""

from __future__ import annotations

from engine.webhooks.dedupe import Deduplicator
from engine.webhooks.events import event_id, normalise, normalise_all, split, unified_type
from engine.webhooks.handler import WebhookHandler
from engine.webhooks.signature import sign, verify
from engine.webhooks.subscriptions import AsyncSubscriptions, Subscriptions

__all__ = [
    "AsyncSubscriptions",
    "Deduplicator",
    "Subscriptions",
    "WebhookHandler",
    "event_id",
    "normalise",
    "normalise_all",
    "sign",
    "split",
    "unified_type",
    "verify",
]
