"""The durable outbox of forwarded webhooks: what a store must do, and the message values.

A message is one unified event on its way to the host app. Its life:

    enqueue ──► pending ──claim (lease)──► delivered
                  ▲   │
                  └───┘ reschedule (backoff)       ──► dead (after the last attempt)
                                                         │ requeue
                                                         ▼ pending again

* `enqueue` ignores a message whose id is already stored (in any state), so a provider's
  redelivery of the same event is forwarded once, even across restarts.
* `claim` hands out due, unleased pending messages with a lease (`lease_id`, valid for
  `lease_seconds`) and counts the attempt. Two workers never hold the same message at once; a
  lease that expired (its worker crashed) makes the message claimable again.
* `mark_delivered`, `reschedule` and `mark_dead` only act while the caller still holds the
  lease (they answer False otherwise, e.g. when the lease expired and another worker took it).
* A forwarding URL that answered 410 Gone is disabled (`disable_endpoint`): the forwarder
  sends nothing more to it until it is enabled again (`enable_endpoint`, or `set_endpoint`
  naming it).

`SqliteOutbox` (`engine.forwarding.sqlite_outbox`) is the embedded implementation, in the same
database file as the accounts; another store (PostgreSQL, ...) implements `Outbox`.
"""

from __future__ import annotations

import builtins
import json
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable
from urllib.parse import urlsplit

from engine.errors import FieldProblem, ValidationError

__all__ = ["MessageState", "NewMessage", "Outbox", "StoredMessage", "checked_endpoint"]

MessageState = Literal["pending", "delivered", "dead"]


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A message to enqueue: its id (the `webhook-id` the host sees), routing and exact body."""

    id: str
    account_id: str
    tenant_id: str | None
    event_type: str
    body: bytes


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """A message as stored. `attempts` counts claims; `lease_id` is set while one is held."""

    id: str
    account_id: str
    tenant_id: str | None
    event_type: str
    body: bytes
    state: MessageState
    attempts: int
    created_at: float
    due_at: float
    lease_id: str | None = None
    last_error: str | None = None

    def summary(self) -> dict[str, Any]:
        """JSON-ready data about the message (its body parsed), for listings."""
        return {
            "id": self.id,
            "state": self.state,
            "tenant_id": self.tenant_id,
            "integrated_account_id": self.account_id,
            "type": self.event_type,
            "attempts": self.attempts,
            "last_error": self.last_error,
            "created_at": self.created_at,
            "due_at": self.due_at,
            "body": json.loads(self.body),
        }


def checked_endpoint(url: str, field: str = "url") -> str:
    """A forwarding URL as given, or a `ValidationError` naming `field`: it must be an
    absolute http(s) URL with a host and no user info."""
    parts = urlsplit(url.strip()) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        problem = "must be an absolute http:// or https:// URL"
    elif parts.username or parts.password:
        problem = "must not carry a user name or password"
    else:
        return url.strip()
    raise ValidationError(
        f"invalid forwarding endpoint: {field} {problem}", details=[FieldProblem(field, problem)]
    )


@runtime_checkable
class Outbox(Protocol):
    """Where forwarded webhooks wait until the host app acknowledged them (thread-safe).

    Times are Unix seconds from the store's clock. The contract is checked for the built-in
    store by `tests/forwarding/test_outbox_contract.py`.
    """

    def enqueue(self, messages: builtins.list[NewMessage]) -> builtins.list[str]:
        """Store new pending messages, due now; returns the ids that were not already stored."""
        ...

    def claim(self, limit: int, lease_seconds: float) -> builtins.list[StoredMessage]:
        """Lease up to `limit` due pending messages (oldest due first), counting an attempt."""
        ...

    def mark_delivered(self, message_id: str, lease_id: str) -> bool:
        """The host app acknowledged the message."""
        ...

    def reschedule(self, message_id: str, lease_id: str, delay: float, error: str) -> bool:
        """Release the lease; the message is due again after `delay` seconds."""
        ...

    def mark_dead(self, message_id: str, lease_id: str, error: str) -> bool:
        """Give up on the message (kept, listed by `dead`, revived by `requeue`)."""
        ...

    def get(self, message_id: str) -> StoredMessage | None:
        """One message in whatever state, or None when unknown (or pruned)."""
        ...

    def dead(self, tenant_id: str | None = None, limit: int = 100) -> builtins.list[StoredMessage]:
        """Dead messages, newest first, optionally of one tenant."""
        ...

    def requeue(self, message_id: str) -> bool:
        """Make a dead message pending and due now, with its attempts reset."""
        ...

    def counts(self) -> dict[str, int]:
        """How many messages are in each state (every state present, zero included)."""
        ...

    def prune(self, older_than: float) -> int:
        """Delete delivered messages finished more than `older_than` seconds ago."""
        ...

    def set_endpoint(self, tenant_id: str, url: str | None) -> None:
        """Set (or with None remove) the URL a tenant's events are forwarded to."""
        ...

    def endpoint(self, tenant_id: str) -> str | None:
        """The tenant's own forwarding URL, if one was set."""
        ...

    def endpoints(self) -> dict[str, str]:
        """Every tenant's forwarding URL."""
        ...

    def disable_endpoint(self, url: str, reason: str) -> None:
        """Send nothing more to `url` (it answered 410 Gone) until it is enabled again; a URL
        already disabled keeps its first reason and time."""
        ...

    def enable_endpoint(self, url: str) -> bool:
        """Send to `url` again; False when it was not disabled. `set_endpoint` enables its URL."""
        ...

    def disabled_endpoints(self) -> dict[str, dict[str, Any]]:
        """Every disabled URL with its `reason` and `disabled_at` (Unix seconds)."""
        ...
