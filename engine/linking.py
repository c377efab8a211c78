"""Linking provider accounts and connecting to them from the account store.

    engine = Engine.load()
    with default_store() as store:
        account = link_account(engine, store, "acme", {"api_key": key}, label="Main")
        with connect_account(engine, store, account.id) as ml:
            ml.contacts.list(limit=10)

* `link_account` validates the credentials with the provider's declared `check` request
  **before** anything is saved: a refused key raises the unified error (a 401 is an
  `UnauthorizedError`) and the store is left untouched.
* `connect_account` / `aconnect_account` build a connection from a stored account: its
  credentials are injected, its id is the rate-limit key (two accounts never slow each other
  down), its `base_url` overrides the mapping's, a 401 marks it `needs_reauth`, and successful
  calls touch `last_used_at` (at most once per `TOUCH_INTERVAL` seconds per connection). A
  `disabled` account refuses to connect (`AccountDisabledError`).
* `relink_account` validates new credentials for an existing account and stores them, making
  the account `active` again (the way out of `needs_reauth`).

No function here ever puts a credential value in a message, a log line or a repr.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from engine.accounts.errors import AccountsError
from engine.accounts.model import Account, AccountStatus
from engine.accounts.store import AccountStore
from engine.accounts.tracker import TOUCH_INTERVAL, AccountTracker
from engine.api import AsyncConnection, Connection, Engine
from engine.errors import ForbiddenError
from engine.loader import ProviderMapping
from engine.plan.build import fixed_request
from engine.plan.messages import Plan, ProviderRequest
from engine.plan.responses import raise_for_response
from engine.run.credentials import checked_credentials
from engine.run.drivers import run_async, run_sync
from engine.run.retry import RetryPolicy
from engine.secrets import Secret

__all__ = [
    "TOUCH_INTERVAL",
    "AccountDisabledError",
    "acheck_credentials",
    "aconnect_account",
    "aconnect_stored",
    "alink_account",
    "check_credentials",
    "check_plan",
    "check_request",
    "connect_account",
    "link_account",
    "relink_account",
]


Credentials = Mapping[str, str | Secret]


def _sealed(values: Mapping[str, str | Secret] | None) -> dict[str, Secret] | None:
    """Wrap clear values in `Secret` at once, so no frame below keeps a clear credential
    (error reporters such as Sentry capture frame locals)."""
    if values is None:
        return None
    return {k: v if isinstance(v, Secret) else Secret(v) for k, v in values.items()}


class AccountDisabledError(AccountsError, ForbiddenError):
    """The account is `disabled`: it may not be used until it is enabled again."""

    default_message = "The account is disabled."

    def __init__(self, account_id: str) -> None:
        """Build the error for the disabled `account_id`."""
        super().__init__(
            f"account {account_id!r} is disabled; enable it (status 'active') before using it"
        )
        self.account_id = account_id


# --------------------------------------------------------------------------- the check


def check_request(mapping: ProviderMapping) -> ProviderRequest:
    """The provider's declared `check` request, as a plan request (no credentials in it)."""
    return fixed_request(mapping, mapping.provider.check, purpose=_what(mapping))


def _what(mapping: ProviderMapping) -> str:
    return f"{mapping.provider.label} credentials check"


def check_plan(mapping: ProviderMapping) -> Plan[None]:
    """The credentials check as a plan: the `check` request, then the unified error unless
    the provider's answer is a success."""
    response = yield check_request(mapping)
    raise_for_response(mapping, response, what=_what(mapping))


def check_credentials(connection: Connection) -> None:
    """Send the provider's `check` request; raise the unified error unless it succeeds."""
    run_sync(check_plan(connection.session.mapping), connection.sender.send)


async def acheck_credentials(connection: AsyncConnection) -> None:
    """`check_credentials` for an async connection."""
    await run_async(check_plan(connection.session.mapping), connection.sender.send)


# --------------------------------------------------------------------------- linking


def _before_save(hook: Callable[[], object] | None) -> None:
    if hook is not None:
        hook()


def _save(store: AccountStore, account: Account, hook: Callable[[], object] | None) -> Account:
    _before_save(hook)
    return store.add(account)


def link_account(
    engine: Engine,
    store: AccountStore,
    provider: str,
    credentials: Credentials,
    *,
    label: str = "",
    base_url: str | None = None,
    transport: httpx.BaseTransport | None = None,
    metadata: Mapping[str, Any] | None = None,
    secret_metadata: Mapping[str, str | Secret] | None = None,
    retry_policy: RetryPolicy | None = None,
    settings: Mapping[str, Any] | None = None,
    tenant_id: str | None = None,
    before_save: Callable[[], object] | None = None,
) -> Account:
    """Validate `credentials` with the provider's `check` request, then save a new account
    (with its connection `settings`, checked against the provider's declaration first, and
    the host app's `tenant_id` for the customer it belongs to).

    Raises the unified error of the check (`UnauthorizedError` for a 401, `ConfigurationError`
    for a missing or unknown credential, ...) and saves nothing in that case. `before_save` is
    called once the provider accepted the credentials, right before saving; whatever it
    raises propagates and nothing is saved (the link page consumes its token there).
    """
    credentials = checked_credentials(engine.mapping(provider), credentials)
    secret_metadata = _sealed(secret_metadata)
    account = Account.new(
        provider,
        credentials,
        label=label,
        base_url=base_url,
        metadata=metadata,
        secret_metadata=secret_metadata,
        settings=settings,
        tenant_id=tenant_id,
    )
    with engine.connect(
        provider,
        credentials=account.credentials,
        base_url=base_url,
        transport=transport,
        account_key=account.id,
        retry_policy=retry_policy,
        settings=account.settings,
    ) as connection:
        check_credentials(connection)
    _before_save(before_save)
    return store.add(account)


async def alink_account(
    engine: Engine,
    store: AccountStore,
    provider: str,
    credentials: Credentials,
    *,
    label: str = "",
    base_url: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    metadata: Mapping[str, Any] | None = None,
    secret_metadata: Mapping[str, str | Secret] | None = None,
    retry_policy: RetryPolicy | None = None,
    settings: Mapping[str, Any] | None = None,
    tenant_id: str | None = None,
    before_save: Callable[[], object] | None = None,
) -> Account:
    """`link_account` with an async check request; `before_save` and the store call run in a
    worker thread, so a blocking store never stalls the event loop."""
    credentials = checked_credentials(engine.mapping(provider), credentials)
    secret_metadata = _sealed(secret_metadata)
    account = Account.new(
        provider,
        credentials,
        label=label,
        base_url=base_url,
        metadata=metadata,
        secret_metadata=secret_metadata,
        settings=settings,
        tenant_id=tenant_id,
    )
    async with engine.aconnect(
        provider,
        credentials=account.credentials,
        base_url=base_url,
        transport=transport,
        account_key=account.id,
        retry_policy=retry_policy,
        settings=account.settings,
    ) as connection:
        await acheck_credentials(connection)
    return await asyncio.to_thread(_save, store, account, before_save)


def relink_account(
    engine: Engine,
    store: AccountStore,
    account_id: str,
    credentials: Credentials,
    *,
    transport: httpx.BaseTransport | None = None,
    retry_policy: RetryPolicy | None = None,
    before_save: Callable[[], object] | None = None,
) -> Account:
    """Validate new credentials for a stored account, store them and make it `active`.

    The way out of `needs_reauth`. A disabled account stays refused
    (`AccountDisabledError`); a failed check changes nothing. `before_save` as in
    `link_account`.
    """
    account = store.get(account_id)
    credentials = checked_credentials(engine.mapping(account.provider), credentials)
    if account.status is AccountStatus.DISABLED:
        raise AccountDisabledError(account.id)
    with engine.connect(
        account.provider,
        credentials=credentials,
        base_url=account.base_url,
        transport=transport,
        account_key=account.id,
        retry_policy=retry_policy,
        settings=account.settings,
    ) as connection:
        check_credentials(connection)
    _before_save(before_save)
    store.set_credentials(account.id, credentials)
    return store.update_status(account.id, AccountStatus.ACTIVE)


# --------------------------------------------------------------------------- connecting


def _usable(store: AccountStore, account_id: str) -> Account:
    account = store.get(account_id)
    if account.status is AccountStatus.DISABLED:
        raise AccountDisabledError(account.id)
    return account


def connect_account(
    engine: Engine,
    store: AccountStore,
    account_id: str,
    *,
    transport: httpx.BaseTransport | None = None,
    retry_policy: RetryPolicy | None = None,
    settings: Mapping[str, Any] | None = None,
) -> Connection:
    """A blocking connection to a stored account (see the module documentation).

    Raises `AccountNotFoundError` for an unknown id and `AccountDisabledError` for a disabled
    account. An account in `needs_reauth` may connect (its key may have been re-enabled); a
    successful call makes it `active` again. `settings` override the account's stored
    connection settings for this connection only.
    """
    account = _usable(store, account_id)
    tracker = AccountTracker(store, account, engine.clock)
    return engine.connect(
        account.provider,
        credentials=account.credentials,
        base_url=account.base_url,
        transport=transport,
        account_key=account.id,
        on_unauthorized=tracker.unauthorized,
        retry_policy=retry_policy,
        settings={**account.settings, **(settings or {})},
        on_success=tracker.succeeded,
    )


def aconnect_account(
    engine: Engine,
    store: AccountStore,
    account_id: str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    retry_policy: RetryPolicy | None = None,
    settings: Mapping[str, Any] | None = None,
) -> AsyncConnection:
    """An async connection to a stored account (same rules as `connect_account`)."""
    return aconnect_stored(
        engine,
        store,
        store.get(account_id),
        transport=transport,
        retry_policy=retry_policy,
        settings=settings,
    )


def aconnect_stored(
    engine: Engine,
    store: AccountStore,
    account: Account,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    retry_policy: RetryPolicy | None = None,
    settings: Mapping[str, Any] | None = None,
) -> AsyncConnection:
    """`aconnect_account` for an account already read from `store` (a server reads it once
    per request and may keep the connection while the stored account is unchanged)."""
    if account.status is AccountStatus.DISABLED:
        raise AccountDisabledError(account.id)
    tracker = AccountTracker(store, account, engine.clock)
    return engine.aconnect(
        account.provider,
        credentials=account.credentials,
        base_url=account.base_url,
        transport=transport,
        account_key=account.id,
        on_unauthorized=tracker.unauthorized,
        retry_policy=retry_policy,
        settings={**account.settings, **(settings or {})},
        on_success=tracker.succeeded,
    )
