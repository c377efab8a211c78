"""Webhook forwarding: provider deliveries in, signed Standard Webhooks out to the host app.

* `intake`: `WebhookIntake` verifies a delivery for a linked account, normalises and
  de-duplicates its events and enqueues one message per event.
* `outbox` / `sql_outbox` / `sqlite_outbox`: the durable outbox (`Outbox` protocol; `SqlOutbox`
  in the accounts' database, SQLite or PostgreSQL; `open_outbox()` / `default_outbox()` follow
  `UNIMAP_DATABASE_URL`) with leases, backoff, dead messages and per-tenant endpoints.
* `forwarder`: `Forwarder`, the bounded asyncio loop that POSTs messages, signed.
* `standard`: Standard Webhooks signing, `verify_standard_webhook` for receivers, and the
  installation's forwarding secret.
* `subscribe`: pointing a provider at `{public_base_url}/webhooks/{provider}/{account_id}`.

See `docs/webhooks.md` ("Forwarding to the host app") and `docs/server.md`.
"""

from engine.forwarding.forwarder import (
    DEFAULT_FORWARD_RETRY,
    Forwarder,
    ForwardingSettings,
    default_forwarder,
)
from engine.forwarding.intake import WebhookIntake, forward_body, message_id
from engine.forwarding.outbox import NewMessage, Outbox, StoredMessage
from engine.forwarding.sql_outbox import SqlOutbox, open_outbox
from engine.forwarding.sqlite_outbox import SqliteOutbox, default_outbox
from engine.forwarding.standard import (
    FORWARD_SECRET_ENV,
    forwarding_secret,
    forwarding_secrets,
    rotate_forwarding_secret,
    sign_standard_webhook,
    standard_webhook_headers,
    verify_standard_webhook,
)
from engine.forwarding.subscribe import asubscribe_account, delivery_url

__all__ = [
    "DEFAULT_FORWARD_RETRY",
    "FORWARD_SECRET_ENV",
    "Forwarder",
    "ForwardingSettings",
    "NewMessage",
    "Outbox",
    "SqlOutbox",
    "SqliteOutbox",
    "StoredMessage",
    "WebhookIntake",
    "asubscribe_account",
    "default_forwarder",
    "default_outbox",
    "delivery_url",
    "forward_body",
    "forwarding_secret",
    "forwarding_secrets",
    "message_id",
    "open_outbox",
    "rotate_forwarding_secret",
    "sign_standard_webhook",
    "standard_webhook_headers",
    "verify_standard_webhook",
]
