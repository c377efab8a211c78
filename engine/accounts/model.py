"""The linked-account record: who the account is and the credentials to call its provider."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from secrets import token_urlsafe
from typing import Any

from engine.secrets import Secret

__all__ = [
    "ACCOUNT_ID_PREFIX",
    "Account",
    "AccountStatus",
    "account_summary",
    "as_utc",
    "new_account_id",
    "utc_now",
]

#: Every generated account id starts with this prefix.
ACCOUNT_ID_PREFIX = "acc_"


class AccountStatus(StrEnum):
    """Whether an account can be used.

    `active`: usable. `needs_reauth`: the provider rejected the credentials (a 401); the user
    must link it again. `disabled`: switched off by the user or host application.
    """

    ACTIVE = "active"
    NEEDS_REAUTH = "needs_reauth"
    DISABLED = "disabled"


def new_account_id() -> str:
    """Return a fresh account id: `acc_` followed by 128 random bits, URL-safe base64."""
    return ACCOUNT_ID_PREFIX + token_urlsafe(16)


def utc_now() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def as_utc(value: datetime, name: str = "time") -> datetime:
    """Return `value` converted to UTC; refuse naive datetimes (`name` is used in errors)."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (UTC), got a naive datetime")
    return value.astimezone(UTC)


def _secrets(values: Mapping[str, str | Secret], name: str) -> dict[str, Secret]:
    result: dict[str, Secret] = {}
    for key, value in values.items():
        if not isinstance(key, str):
            raise TypeError(f"{name} keys must be str, not {type(key).__name__}")
        if not isinstance(value, str | Secret):
            # The value's type only, never the value itself: it may be a credential.
            raise TypeError(f"{name}[{key!r}] must be a str or Secret, not {type(value).__name__}")
        result[key] = Secret(value)
    return result


def _json_copy(values: Mapping[str, Any]) -> dict[str, Any]:
    if not all(isinstance(key, str) for key in values):
        raise TypeError("metadata keys must be str")
    try:
        copied = json.loads(json.dumps(dict(values), allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"metadata must be JSON-serialisable: {exc}") from None
    assert isinstance(copied, dict)
    return copied


@dataclass(frozen=True, eq=True, repr=False)
class Account:
    """A linked provider account.

    Instances are immutable; store operations return updated copies. Construction normalises
    the fields: credential and secret-metadata values become `Secret`, times become aware UTC
    (naive datetimes are refused), `metadata` is deep-copied and must be JSON-serialisable
    (tuples become lists, exactly as a stored account reads back), and `status` becomes an
    `AccountStatus`. The repr lists credential *names* only.

    Use `Account.new(...)` to create one with a fresh id and creation time.
    """

    id: str
    provider: str
    label: str
    status: AccountStatus = AccountStatus.ACTIVE
    created_at: datetime = field(default_factory=utc_now)
    last_used_at: datetime | None = None
    base_url: str | None = None
    credentials: dict[str, Secret] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    secret_metadata: dict[str, Secret] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    """The provider's connection settings for this account (non-secret, stored in clear)."""
    tenant_id: str | None = None
    """The host app's id for the customer owning this account (None: no tenant)."""

    def __post_init__(self) -> None:
        """Validate and normalise the fields (see the class documentation)."""
        for name in ("id", "provider", "label"):
            value = getattr(self, name)
            if not isinstance(value, str):
                raise TypeError(f"Account.{name} must be a str, not {type(value).__name__}")
        if not self.id:
            raise ValueError("Account.id must not be empty")
        if not self.provider:
            raise ValueError("Account.provider must not be empty")
        for name in ("base_url", "tenant_id"):
            if getattr(self, name) is not None and not isinstance(getattr(self, name), str):
                raise TypeError(f"Account.{name} must be a str or None")
        set_ = object.__setattr__
        set_(self, "status", AccountStatus(self.status))
        set_(self, "created_at", as_utc(self.created_at, "created_at"))
        if self.last_used_at is not None:
            set_(self, "last_used_at", as_utc(self.last_used_at, "last_used_at"))
        set_(self, "credentials", _secrets(self.credentials, "credentials"))
        set_(self, "secret_metadata", _secrets(self.secret_metadata, "secret_metadata"))
        set_(self, "metadata", _json_copy(self.metadata))
        set_(self, "settings", _json_copy(self.settings))

    @classmethod
    def new(
        cls,
        provider: str,
        credentials: Mapping[str, str | Secret],
        *,
        label: str = "",
        base_url: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        secret_metadata: Mapping[str, str | Secret] | None = None,
        status: AccountStatus | str = AccountStatus.ACTIVE,
        settings: Mapping[str, Any] | None = None,
        tenant_id: str | None = None,
    ) -> Account:
        """Create an account with a fresh id and `created_at` now; the label defaults to the
        provider name."""
        return cls(
            id=new_account_id(),
            provider=provider,
            label=label or provider,
            status=AccountStatus(status),
            created_at=utc_now(),
            base_url=base_url,
            credentials=_secrets(credentials, "credentials"),
            metadata=dict(metadata or {}),
            secret_metadata=_secrets(secret_metadata or {}, "secret_metadata"),
            settings=dict(settings or {}),
            tenant_id=tenant_id,
        )

    def evolve(self, **changes: Any) -> Account:
        """Return a copy with `changes` applied (validated like a new instance)."""
        return replace(self, **changes)

    @property
    def sort_key(self) -> tuple[datetime, str]:
        """The listing order of accounts: creation time, then id."""
        return (self.created_at, self.id)

    def __repr__(self) -> str:
        """Show the account without any secret value (credential names only)."""
        last_used = self.last_used_at.isoformat() if self.last_used_at else None
        return (
            f"Account(id={self.id!r}, provider={self.provider!r}, label={self.label!r}, "
            f"status={self.status.value!r}, created_at={self.created_at.isoformat()!r}, "
            f"last_used_at={last_used!r}, base_url={self.base_url!r}, "
            f"credentials=<{', '.join(sorted(self.credentials)) or 'none'}>, "
            f"metadata={self.metadata!r}, "
            f"secret_metadata=<{', '.join(sorted(self.secret_metadata)) or 'none'}>, "
            f"settings={self.settings!r}, tenant_id={self.tenant_id!r})"
        )

    __str__ = __repr__


def account_summary(account: Account) -> dict[str, Any]:
    """Plain, JSON-ready data about an account, without any secret value (credential and
    secret-metadata *names* only): what `unimap accounts` prints and the server answers."""
    return {
        "id": account.id,
        "provider": account.provider,
        "label": account.label,
        "status": str(account.status),
        "created_at": account.created_at.isoformat(),
        "last_used_at": account.last_used_at.isoformat() if account.last_used_at else None,
        "base_url": account.base_url,
        "credentials": sorted(account.credentials),
        "metadata": account.metadata,
        "secret_metadata": sorted(account.secret_metadata),
        "settings": account.settings,
        "tenant_id": account.tenant_id,
    }


@dataclass(frozen=True)
class UnreadableAccount:
    """An account the store holds but cannot read (`SqlAccountStore.scan`): its id, provider
    and status as stored, and why (never a secret's value)."""

    id: str
    provider: str
    status: str
    reason: str
