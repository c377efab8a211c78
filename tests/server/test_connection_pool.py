"""The server keeps one connection per linked account, and a new one once the account changes."""

from __future__ import annotations

import asyncio
import secrets

import pytest

from engine.accounts.model import Account, AccountStatus
from engine.accounts.store import MemoryAccountStore
from engine.api import Engine
from engine.linking import AccountDisabledError
from engine.loader import ProviderMapping
from engine.server.connections import ConnectionPool


@pytest.fixture
def pool(bundled_providers: dict[str, ProviderMapping]) -> ConnectionPool:
    engine = Engine(bundled_providers, cursor_key=secrets.token_bytes(32))
    return ConnectionPool(engine, MemoryAccountStore(), size=2, grace=0.0)


async def _an_unchanged_account_reuses_its_connection(pool: ConnectionPool) -> None:
    account = pool.store.add(Account.new("mailerlite", {"api_key": "k"}))
    assert pool.connection(account) is pool.connection(pool.store.get(account.id))
    await pool.aclose()


async def _new_credentials_give_a_new_connection(pool: ConnectionPool) -> None:
    account = pool.store.add(Account.new("mailerlite", {"api_key": "old"}))
    first = pool.connection(account)
    relinked = pool.store.set_credentials(account.id, {"api_key": "new"})
    assert pool.connection(relinked) is not first
    await pool.aclose()


async def _a_disabled_account_gets_no_connection(pool: ConnectionPool) -> None:
    account = pool.store.add(Account.new("mailerlite", {"api_key": "k"}))
    pool.connection(account)
    disabled = pool.store.update_status(account.id, AccountStatus.DISABLED)
    with pytest.raises(AccountDisabledError):
        pool.connection(disabled)
    await pool.aclose()


async def _the_least_recently_used_account_is_evicted(pool: ConnectionPool) -> None:
    a, b, c = (pool.store.add(Account.new("mailerlite", {"api_key": k})) for k in "abc")
    first_a = pool.connection(a)
    pool.connection(b)
    pool.connection(c)  # size 2: `a` goes
    assert pool.connection(a) is not first_a
    await pool.aclose()


def test_an_unchanged_account_reuses_its_connection(pool: ConnectionPool) -> None:
    asyncio.run(_an_unchanged_account_reuses_its_connection(pool))


def test_new_credentials_give_a_new_connection(pool: ConnectionPool) -> None:
    asyncio.run(_new_credentials_give_a_new_connection(pool))


def test_a_disabled_account_gets_no_connection(pool: ConnectionPool) -> None:
    asyncio.run(_a_disabled_account_gets_no_connection(pool))


def test_the_least_recently_used_account_is_evicted(pool: ConnectionPool) -> None:
    asyncio.run(_the_least_recently_used_account_is_evicted(pool))
