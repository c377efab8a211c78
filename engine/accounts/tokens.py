"""API tokens: how a host app authenticates to `unimap serve`.

A token reads `unimap_<id>.<secret>`: `id` is 16 hex characters (the token's public id, shown
by `unimap tokens list`), `secret` is 256 random bits, URL-safe base64. It is shown once, when
created; stores keep only the SHA-256 of the secret, and `verify_token` compares hashes in
constant time. `ApiTokenStore` is the small interface a store implements (in the accounts
database, SQLite or PostgreSQL: `engine.accounts.sql_tokens`; in memory: `MemoryTokenStore`).
"""

from __future__ import annotations

import builtins
import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol, runtime_checkable

from engine.accounts.model import utc_now
from engine.errors import NotFoundError, ValidationError

__all__ = [
    "TOKEN_PREFIX",
    "ApiToken",
    "ApiTokenStore",
    "MemoryTokenStore",
    "TokenNotFoundError",
    "create_token",
    "find_token",
    "hash_secret",
    "verify_token",
]

#: Every API token starts with this prefix.
TOKEN_PREFIX = "unimap_"


class TokenNotFoundError(NotFoundError):
    """No API token has this id (or name)."""

    default_message = "The API token was not found."


@dataclass(frozen=True)
class ApiToken:
    """A stored API token: never the secret itself, only its SHA-256 (`secret_hash`, hex)."""

    id: str
    name: str
    secret_hash: str
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        """True until revoked."""
        return self.revoked_at is None

    def summary(self) -> dict[str, str | bool | None]:
        """Plain, JSON-ready data about the token (no hash, no secret)."""
        return {
            "id": self.id,
            "name": self.name,
            "created_at": self.created_at.isoformat(),
            "last_used_at": self.last_used_at.isoformat() if self.last_used_at else None,
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
            "active": self.active,
        }


@runtime_checkable
class ApiTokenStore(Protocol):
    """Where API tokens live. `get`/`revoke` of an unknown id raise `TokenNotFoundError`."""

    def add(self, token: ApiToken) -> ApiToken:
        """Store a new token record."""
        ...

    def get(self, token_id: str) -> ApiToken:
        """Return the token record with this id."""
        ...

    def list(self) -> builtins.list[ApiToken]:
        """Every token, revoked ones too, oldest first."""
        ...

    def revoke(self, token_id: str, when: datetime) -> ApiToken:
        """Mark the token revoked at `when` (a revoked token stays revoked)."""
        ...


def hash_secret(secret: str) -> str:
    """The stored form of a token's secret: SHA-256, hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(store: ApiTokenStore, name: str) -> tuple[ApiToken, str]:
    """Create and store a token named `name`; return its record and the token text (the only
    time the text exists outside the caller)."""
    if not name.strip():
        problem = {"field": "name", "message": "must not be empty"}
        raise ValidationError("name: must not be empty", details=[problem])
    token_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    record = ApiToken(token_id, name.strip(), hash_secret(secret), utc_now())
    return store.add(record), f"{TOKEN_PREFIX}{token_id}.{secret}"


def verify_token(store: ApiTokenStore, text: str) -> ApiToken | None:
    """The active token whose text this is, or None (malformed, unknown, revoked, wrong)."""
    if not text.startswith(TOKEN_PREFIX):
        return None
    token_id, dot, secret = text[len(TOKEN_PREFIX) :].partition(".")
    if not dot or not token_id or not secret:
        return None
    try:
        record = store.get(token_id)
    except TokenNotFoundError:
        return None
    if not hmac.compare_digest(record.secret_hash, hash_secret(secret)):
        return None
    return record if record.active else None


def find_token(store: ApiTokenStore, id_or_name: str) -> ApiToken:
    """The token with this id, else the one active token with this name."""
    try:
        return store.get(id_or_name)
    except TokenNotFoundError:
        named = [t for t in store.list() if t.name == id_or_name and t.active]
        if len(named) == 1:
            return named[0]
        if named:
            raise ValidationError(
                f"{len(named)} active tokens are named {id_or_name!r}; give the id instead"
            ) from None
        raise TokenNotFoundError(f"no API token with id or name {id_or_name!r}") from None


class MemoryTokenStore:
    """An `ApiTokenStore` in process memory (tests, throw-away servers)."""

    def __init__(self) -> None:
        """Start empty."""
        self._lock = threading.Lock()
        self._tokens: dict[str, ApiToken] = {}

    def add(self, token: ApiToken) -> ApiToken:
        """Store a new token record."""
        with self._lock:
            self._tokens[token.id] = token
        return token

    def get(self, token_id: str) -> ApiToken:
        """Return the token record with this id."""
        with self._lock:
            found = self._tokens.get(token_id)
        if found is None:
            raise TokenNotFoundError(f"no API token with id {token_id!r}")
        return found

    def list(self) -> builtins.list[ApiToken]:
        """Every token, oldest first."""
        with self._lock:
            return sorted(self._tokens.values(), key=lambda t: (t.created_at, t.id))

    def revoke(self, token_id: str, when: datetime) -> ApiToken:
        """Mark the token revoked (the first revocation time is kept)."""
        with self._lock:
            found = self._tokens.get(token_id)
            if found is None:
                raise TokenNotFoundError(f"no API token with id {token_id!r}")
            if found.revoked_at is None:
                found = self._tokens[token_id] = replace(found, revoked_at=when)
            return found
