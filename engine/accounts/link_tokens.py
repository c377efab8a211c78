"""Link tokens: short-lived, single-use permissions to link one account on the hosted page.

A host app asks for a link token for one of its customers (`tenant_id`) and one provider, or
for an existing account to re-authorise; the customer opens the link page with it and enters
their credentials there, so the key never passes through the host app.

    token, record = issue_link_token(store, provider="acme", tenant_id="customer-42")
    record = open_link_token(store, token)           # on every page view: valid, or an error
    if store.consume(record.id, utc_now()):          # once, atomically, when linking succeeds
        ...

Only a SHA-256 hash of the token is stored (`LinkToken.id`); the token itself is returned
once by `issue_link_token` and never logged. A token expires after `ttl` (default
`DEFAULT_TTL`) and is consumed by the first successful link; after `MAX_FAILED_ATTEMPTS`
refused credentials it is burned (used up) so that keys cannot be guessed through it. A token
may ask for webhook events (`webhook_events`, unified event types of the contract): the link
page then subscribes the new account's provider to them. Stores implement the small
`LinkTokenStore` protocol: `MemoryLinkTokenStore` here, `SqlLinkTokenStore` (SQLite or
PostgreSQL, beside the accounts) in `engine.accounts.sql_link_tokens`.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from engine.accounts.errors import AccountsError
from engine.accounts.model import as_utc, utc_now
from engine.errors import FieldProblem, NotFoundError, ValidationError
from engine.unified import schemas as unified

__all__ = [
    "DEFAULT_TTL",
    "LINK_TOKEN_PREFIX",
    "MAX_FAILED_ATTEMPTS",
    "MAX_TTL",
    "LinkToken",
    "LinkTokenGoneError",
    "LinkTokenNotFoundError",
    "LinkTokenStore",
    "MemoryLinkTokenStore",
    "check_webhook_events",
    "hash_link_token",
    "issue_link_token",
    "open_link_token",
]

#: Every link token starts with this prefix (it tells a link token from an API token).
LINK_TOKEN_PREFIX = "lt_"
#: How long a link token stays usable unless the host app asks otherwise.
DEFAULT_TTL = timedelta(minutes=30)
#: The longest lifetime a host app may ask for.
MAX_TTL = timedelta(days=7)
#: Refused credential attempts after which a token is burned (then 410, like a used one).
MAX_FAILED_ATTEMPTS = 10
#: Expired tokens are deleted once they are this old (a trace for support questions till then).
_KEEP_EXPIRED = timedelta(days=1)


class LinkTokenNotFoundError(AccountsError, NotFoundError):
    """No link token matches (a typo, or it was never issued). Never names the token."""

    default_message = "This link is not valid. Ask the application that sent you for a new one."


class LinkTokenGoneError(AccountsError, NotFoundError):
    """The link token existed but has expired or was already used (HTTP 410)."""

    default_status = 410
    default_message = "This link has expired or was already used."


@dataclass(frozen=True)
class LinkToken:
    """A stored link token (its hash, never the token itself) and what it allows."""

    id: str
    """SHA-256 hex digest of the token (`hash_link_token`)."""
    provider: str
    tenant_id: str | None
    created_at: datetime
    expires_at: datetime
    redirect_uri: str | None = None
    integrated_account_id: str | None = None
    """Set when the token re-authorises this existing account instead of linking a new one."""
    used_at: datetime | None = None
    webhook_events: tuple[str, ...] = ()
    """Unified event types the provider is subscribed to once the account is linked."""
    failed_attempts: int = 0
    """Credentials the provider refused so far on this token's page."""

    def __post_init__(self) -> None:
        """Refuse naive datetimes and normalise them to UTC."""
        for name in ("created_at", "expires_at", "used_at"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, as_utc(value, name))

    def usable_at(self, when: datetime) -> bool:
        """Whether the token may still be used at `when`: not used, not expired."""
        return self.used_at is None and as_utc(when, "when") < self.expires_at


def hash_link_token(token: str) -> str:
    """The stored id of a token: the hex SHA-256 of its text (the token has 256 random bits,
    so a plain hash is enough; a leaked table gives nobody a usable link)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@runtime_checkable
class LinkTokenStore(Protocol):
    """Where link tokens live. `consume` must be atomic across threads and processes."""

    def add(self, token: LinkToken) -> None:
        """Store a new token."""
        ...

    def get(self, token_id: str) -> LinkToken | None:
        """The token with this id (hash), or None."""
        ...

    def consume(self, token_id: str, when: datetime) -> bool:
        """Mark the token used at `when` if it is still usable then; True only for the one
        caller that did (a used, expired or unknown token gives False)."""
        ...

    def record_failure(self, token_id: str, when: datetime, limit: int) -> bool:
        """Count one refused credential attempt on the token if it is usable at `when`; the
        `limit`-th burns it (marks it used at `when`). True when the token is no longer
        usable (burned now, or already used, expired or unknown)."""
        ...

    def remove_expired(self, before: datetime) -> int:
        """Delete the tokens that expired before `before`; return how many."""
        ...


class MemoryLinkTokenStore:
    """A `LinkTokenStore` in process memory (tests, and hosts that keep nothing)."""

    def __init__(self) -> None:
        """Create an empty store."""
        self._lock = threading.Lock()
        self._tokens: dict[str, LinkToken] = {}

    def add(self, token: LinkToken) -> None:
        """Store a new token."""
        with self._lock:
            self._tokens[token.id] = token

    def get(self, token_id: str) -> LinkToken | None:
        """The token with this id, or None."""
        with self._lock:
            return self._tokens.get(token_id)

    def consume(self, token_id: str, when: datetime) -> bool:
        """Mark the token used, once (see `LinkTokenStore.consume`)."""
        with self._lock:
            token = self._tokens.get(token_id)
            if token is None or not token.usable_at(when):
                return False
            self._tokens[token_id] = replace(token, used_at=when)
            return True

    def record_failure(self, token_id: str, when: datetime, limit: int) -> bool:
        """Count a refused attempt, burning the token at `limit` (see `LinkTokenStore`)."""
        with self._lock:
            token = self._tokens.get(token_id)
            if token is None or not token.usable_at(when):
                return True
            failed = token.failed_attempts + 1
            burned = failed >= limit
            used_at = when if burned else None
            self._tokens[token_id] = replace(token, failed_attempts=failed, used_at=used_at)
            return burned

    def remove_expired(self, before: datetime) -> int:
        """Delete the tokens that expired before `before`."""
        with self._lock:
            old = [key for key, token in self._tokens.items() if token.expires_at < before]
            for key in old:
                del self._tokens[key]
            return len(old)


def issue_link_token(
    store: LinkTokenStore,
    *,
    provider: str,
    tenant_id: str | None = None,
    redirect_uri: str | None = None,
    integrated_account_id: str | None = None,
    ttl: timedelta = DEFAULT_TTL,
    now: datetime | None = None,
    webhook_events: Sequence[str] | None = None,
) -> tuple[str, LinkToken]:
    """Create and store a link token; return the token (shown once) and its stored record.

    `webhook_events` (unified event types, `check_webhook_events`) asks the link page to
    subscribe the provider to them once the account is linked; whether the provider can is
    the caller's check (`engine.forwarding.subscribe.check_subscribable`). Tokens that
    expired more than a day ago are deleted on the way.
    """
    if not timedelta(0) < ttl <= MAX_TTL:
        raise ValueError(f"a link token's lifetime must be between 0 and {MAX_TTL}")
    events = check_webhook_events(webhook_events) if webhook_events is not None else ()
    moment = as_utc(now, "now") if now is not None else utc_now()
    token = LINK_TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = LinkToken(
        id=hash_link_token(token),
        provider=provider,
        tenant_id=tenant_id,
        created_at=moment,
        expires_at=moment + ttl,
        redirect_uri=redirect_uri,
        integrated_account_id=integrated_account_id,
        webhook_events=events,
    )
    store.remove_expired(moment - _KEEP_EXPIRED)
    store.add(record)
    return token, record


def check_webhook_events(events: object, field: str = "webhook_events") -> tuple[str, ...]:
    """`events` as a tuple of unified event types (each once, in order), or a
    `ValidationError` naming `field` (or `field.N`): a non-empty list of the types the
    unified contract defines (`event.json`; `provider.<name>` pass-throughs are not taken)."""
    if isinstance(events, str) or not isinstance(events, Sequence) or not events:
        problem = FieldProblem(field, "must be a non-empty list of unified event types")
        raise ValidationError(f"{field}: {problem.message}", details=[problem])
    known = unified.event_types()
    problems = [
        FieldProblem(f"{field}.{index}", f"unknown event type {kind!r}; known: {', '.join(known)}")
        for index, kind in enumerate(events)
        if kind not in known
    ]
    if problems:
        raise ValidationError(f"{field}: unknown webhook event types", details=problems)
    return tuple(dict.fromkeys(events))


def open_link_token(store: LinkTokenStore, token: str, now: datetime | None = None) -> LinkToken:
    """The record of a usable token; `LinkTokenNotFoundError` for an unknown one,
    `LinkTokenGoneError` for an expired or used one."""
    record = store.get(hash_link_token(token)) if token.startswith(LINK_TOKEN_PREFIX) else None
    if record is None:
        raise LinkTokenNotFoundError()
    if not record.usable_at(now if now is not None else utc_now()):
        raise LinkTokenGoneError()
    return record
