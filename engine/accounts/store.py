"""The account-store interface and the in-memory store.

`AccountStore` is the small interface a host application implements to keep accounts in its
own database; the engine only ever talks to this protocol. Every method takes and returns
immutable `Account` values; the update methods return the account as stored afterwards.
A store must be safe to call from several threads.
"""

from __future__ import annotations

import builtins
import inspect
import threading
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from engine.accounts.errors import AccountNotFoundError, DuplicateAccountError
from engine.accounts.model import Account, AccountStatus, utc_now
from engine.secrets import Secret

__all__ = ["AccountStore", "MemoryAccountStore", "list_accounts"]


@runtime_checkable
class AccountStore(Protocol):
    """Where linked accounts live. Implement it to plug in a custom store.

    Contract (checked for the built-in stores by `tests/accounts/test_store_contract.py`):

    * `add` refuses an id already present (`DuplicateAccountError`).
    * Every method given an unknown id raises `AccountNotFoundError`.
    * `list` orders by `created_at`, then `id`, and may filter by provider and status. A
      store may also accept a `tenant_id` filter (the built-in ones do); callers go through
      `list_accounts`, which filters by tenant for stores that do not.
    * Credentials and secret metadata must be kept encrypted or otherwise protected at rest.
    """

    def add(self, account: Account) -> Account:
        """Store a new account and return it."""
        ...

    def get(self, account_id: str) -> Account:
        """Return the account with this id."""
        ...

    def list(
        self, *, provider: str | None = None, status: AccountStatus | str | None = None
    ) -> builtins.list[Account]:
        """Return the accounts, optionally only one provider's or one status', in
        `(created_at, id)` order."""
        ...

    def remove(self, account_id: str) -> None:
        """Delete the account and its credentials."""
        ...

    def update_status(self, account_id: str, status: AccountStatus | str) -> Account:
        """Set the account's status (for example `needs_reauth` after a 401)."""
        ...

    def touch(self, account_id: str, when: datetime | None = None) -> Account:
        """Record that the account was just used (`when` defaults to now, UTC)."""
        ...

    def set_credentials(self, account_id: str, credentials: Mapping[str, str | Secret]) -> Account:
        """Replace all the account's credentials (re-linking after `needs_reauth`)."""
        ...

    def set_metadata(self, account_id: str, key: str, value: Any) -> Account:
        """Set one non-secret metadata entry (a JSON-serialisable value)."""
        ...

    def set_secret_metadata(self, account_id: str, key: str, value: str | Secret) -> Account:
        """Set one secret metadata entry (for example a webhook signing secret)."""
        ...


def list_accounts(
    store: AccountStore,
    *,
    provider: str | None = None,
    status: AccountStatus | str | None = None,
    tenant_id: str | None = None,
) -> builtins.list[Account]:
    """`store.list(...)` filtered by tenant too, whatever the store.

    The built-in stores filter by `tenant_id` themselves; a host's own store written before
    tenants existed (whose `list` takes no `tenant_id`) is filtered here instead, so the
    `AccountStore` protocol stays as it was.
    """
    if tenant_id is None:
        return store.list(provider=provider, status=status)
    if "tenant_id" in inspect.signature(store.list).parameters:
        lister: Any = store.list
        return list(lister(provider=provider, status=status, tenant_id=tenant_id))
    return [a for a in store.list(provider=provider, status=status) if a.tenant_id == tenant_id]


class MemoryAccountStore:
    """An `AccountStore` held in process memory: for tests, and for hosts that keep nothing."""

    def __init__(self, accounts: builtins.list[Account] | None = None) -> None:
        """Create the store, optionally pre-filled with `accounts`."""
        self._lock = threading.Lock()
        self._accounts: dict[str, Account] = {}
        for account in accounts or []:
            self.add(account)

    def add(self, account: Account) -> Account:
        """Store a new account and return it (`DuplicateAccountError` if the id exists)."""
        with self._lock:
            if account.id in self._accounts:
                raise DuplicateAccountError(account.id)
            self._accounts[account.id] = account.evolve()  # a private copy of the dicts
        return self.get(account.id)

    def get(self, account_id: str) -> Account:
        """Return the account with this id (`AccountNotFoundError` if unknown)."""
        with self._lock:
            return self._find(account_id).evolve()

    def list(
        self,
        *,
        provider: str | None = None,
        status: AccountStatus | str | None = None,
        tenant_id: str | None = None,
    ) -> builtins.list[Account]:
        """Return the accounts in `(created_at, id)` order, optionally filtered."""
        wanted = AccountStatus(status) if status is not None else None
        with self._lock:
            selected = [
                account.evolve()
                for account in self._accounts.values()
                if (provider is None or account.provider == provider)
                and (wanted is None or account.status == wanted)
                and (tenant_id is None or account.tenant_id == tenant_id)
            ]
        return sorted(selected, key=lambda account: account.sort_key)

    def remove(self, account_id: str) -> None:
        """Delete the account (`AccountNotFoundError` if unknown)."""
        with self._lock:
            self._find(account_id)
            del self._accounts[account_id]

    def update_status(self, account_id: str, status: AccountStatus | str) -> Account:
        """Set the account's status and return the updated account."""
        return self._update(account_id, status=AccountStatus(status))

    def touch(self, account_id: str, when: datetime | None = None) -> Account:
        """Set `last_used_at` to `when` (default now, UTC) and return the updated account."""
        return self._update(account_id, last_used_at=when or utc_now())

    def set_credentials(self, account_id: str, credentials: Mapping[str, str | Secret]) -> Account:
        """Replace all credentials and return the updated account."""
        return self._update(account_id, credentials=dict(credentials))

    def set_metadata(self, account_id: str, key: str, value: Any) -> Account:
        """Set one metadata entry and return the updated account."""
        with self._lock:
            current = self._find(account_id)
            return self._put(current.evolve(metadata={**current.metadata, key: value}))

    def set_secret_metadata(self, account_id: str, key: str, value: str | Secret) -> Account:
        """Set one secret metadata entry and return the updated account."""
        with self._lock:
            current = self._find(account_id)
            merged = {**current.secret_metadata, key: value}
            return self._put(current.evolve(secret_metadata=merged))

    def _find(self, account_id: str) -> Account:
        try:
            return self._accounts[account_id]
        except KeyError:
            raise AccountNotFoundError(account_id) from None

    def _put(self, account: Account) -> Account:
        self._accounts[account.id] = account
        return account.evolve()

    def _update(self, account_id: str, **changes: Any) -> Account:
        with self._lock:
            return self._put(self._find(account_id).evolve(**changes))
