"""Short-lived tokens scoped to one linked account, for a host app's front end.

A scoped token reads `unimap_s.<claims>.<signature>`: `claims` is URL-safe base64 of
`{"acc": account id, "exp": expiry, unix seconds}`, `signature` the HMAC-SHA256 of `claims`
under the installation's scoped-token key (derived from the credential key, see
`scoped_token_key`), so every process of one installation accepts them and nobody else can
forge one. Nothing is stored: a scoped token lives until it expires.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from engine.accounts.keys import load_key

__all__ = [
    "SCOPED_PREFIX",
    "ScopedClaims",
    "read_scoped_token",
    "scoped_token_key",
    "sign_scoped_token",
]

#: Every scoped token starts with this prefix.
SCOPED_PREFIX = "unimap_s."


@dataclass(frozen=True)
class ScopedClaims:
    """What a valid scoped token grants: one account, until `expires_at`."""

    account_id: str
    expires_at: datetime


def scoped_token_key(home: Path | None = None) -> bytes:
    """The installation's key for scoped tokens: HMAC of the credential key (`load_key`)."""
    return hmac.new(load_key(home), b"unimap-scoped-token", hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(key: bytes, claims: str) -> str:
    return _b64(hmac.new(key, claims.encode("ascii"), hashlib.sha256).digest())


def sign_scoped_token(key: bytes, account_id: str, expires_at: datetime) -> str:
    """A token granting access to `account_id` until `expires_at` (aware datetime)."""
    payload = {"acc": account_id, "exp": int(expires_at.timestamp())}
    claims = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    return f"{SCOPED_PREFIX}{claims}.{_signature(key, claims)}"


def read_scoped_token(key: bytes, text: str, now: datetime) -> ScopedClaims | None:
    """The claims of a well-signed, unexpired token; None for anything else."""
    if not text.startswith(SCOPED_PREFIX):
        return None
    claims, dot, signature = text[len(SCOPED_PREFIX) :].partition(".")
    if not dot or not hmac.compare_digest(signature, _signature(key, claims)):
        return None
    try:
        payload = json.loads(_unb64(claims))
        account_id, expiry = payload["acc"], payload["exp"]
    except (binascii.Error, ValueError, TypeError, KeyError):
        return None
    if not isinstance(account_id, str) or not isinstance(expiry, int):
        return None
    expires_at = datetime.fromtimestamp(expiry, UTC)
    return ScopedClaims(account_id, expires_at) if expires_at > now else None
