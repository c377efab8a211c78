"""`engine.linking`: check before saving, connections from stored accounts, status changes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from engine.accounts import (
    Account,
    AccountNotFoundError,
    AccountStatus,
    AccountStore,
    MemoryAccountStore,
)
from engine.api import Engine
from engine.errors import ConfigurationError, ForbiddenError, UnauthorizedError
from engine.linking import (
    TOUCH_INTERVAL,
    AccountDisabledError,
    aconnect_account,
    alink_account,
    check_request,
    connect_account,
    link_account,
    relink_account,
)
from engine.loader import ProviderMapping
from engine.run.clock import FakeClock
from engine.run.retry import RetryPolicy
from simulators.core.faults import FaultInjector, FaultPlan
from simulators.mailerlite import IN_PROCESS_BASE_URL, Simulator

TOKEN = "linking-test-token"


@pytest.fixture
def sim() -> Iterator[Simulator]:
    simulator = Simulator(seed=2, token=TOKEN, rate_limit=None).seed_data(subscribers=5)
    yield simulator
    simulator.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def engine(clock: FakeClock, bundled_providers: dict[str, ProviderMapping]) -> Engine:
    return Engine(
        bundled_providers,
        retry_policy=RetryPolicy(base_delay=0.001, max_attempts=4),
        clock=clock,
    )


class CountingStore(MemoryAccountStore):
    """A memory store that counts touches and status updates."""

    def __init__(self) -> None:
        super().__init__()
        self.touches = 0
        self.status_updates: list[str] = []

    def touch(self, account_id: str, when: datetime | None = None) -> Account:
        self.touches += 1
        return super().touch(account_id, when)

    def update_status(self, account_id: str, status: AccountStatus | str) -> Account:
        self.status_updates.append(str(status))
        return super().update_status(account_id, status)


def link(engine: Engine, store: AccountStore, sim: Simulator, key: str = TOKEN) -> Account:
    return link_account(
        engine,
        store,
        "mailerlite",
        {"api_key": key},
        label="Main",
        base_url=IN_PROCESS_BASE_URL,
        transport=sim.transport(),
    )


def test_check_request_follows_the_mapping(engine: Engine) -> None:
    request = check_request(engine.mapping("mailerlite"))
    assert (request.method, request.path) == ("GET", "/subscribers")
    assert request.query == (("limit", "0"),)
    assert request.idempotent
    assert request.buckets == ("general",)


def test_link_saves_after_a_successful_check(
    engine: Engine, store: AccountStore, sim: Simulator
) -> None:
    account = link(engine, store, sim)
    stored = store.get(account.id)
    assert stored.status is AccountStatus.ACTIVE
    assert stored.label == "Main"
    assert stored.base_url == IN_PROCESS_BASE_URL
    assert stored.credentials["api_key"].reveal() == TOKEN


def test_link_with_a_refused_key_saves_nothing(
    engine: Engine, store: AccountStore, sim: Simulator
) -> None:
    with pytest.raises(UnauthorizedError) as caught:
        link(engine, store, sim, key="wrong-key")
    assert caught.value.to_dict()["remote_status"] == 401
    assert "credentials check" in caught.value.message
    assert store.list() == []


def test_link_with_missing_or_unknown_credentials_saves_nothing(
    engine: Engine, sim: Simulator
) -> None:
    store = MemoryAccountStore()
    with pytest.raises(ConfigurationError, match="missing credential 'api_key'"):
        link_account(engine, store, "mailerlite", {}, transport=sim.transport())
    with pytest.raises(ConfigurationError, match="unknown credential 'token'"):
        link_account(
            engine, store, "mailerlite", {"api_key": TOKEN, "token": "x"}, transport=sim.transport()
        )
    with pytest.raises(ConfigurationError, match="unknown provider"):
        link_account(engine, store, "mailchimpp", {"api_key": TOKEN})
    assert store.list() == []


def test_the_check_is_retried_through_transient_faults(engine: Engine, sim: Simulator) -> None:
    sim.faults = FaultInjector(FaultPlan.parse("503:0.5"), seed=1)
    store = MemoryAccountStore()
    for _ in range(5):
        link(engine, store, sim)
    assert len(store.list()) == 5
    assert sim.fault_counts.get("503", 0) > 0


def test_connection_uses_the_account(engine: Engine, sim: Simulator) -> None:
    store = CountingStore()
    account = link(engine, store, sim)
    with connect_account(engine, store, account.id, transport=sim.transport()) as conn:
        assert conn.session.options.limiter_key == account.id
        assert conn.session.base_url == IN_PROCESS_BASE_URL
        assert len(conn.contacts.list(limit=3)["result"]) == 3
    assert store.get(account.id).last_used_at is not None


def test_last_used_is_touched_at_most_once_a_minute(
    engine: Engine, clock: FakeClock, sim: Simulator
) -> None:
    store = CountingStore()
    account = link(engine, store, sim)
    assert store.touches == 0  # linking is not a use
    with connect_account(engine, store, account.id, transport=sim.transport()) as conn:
        for _ in range(5):
            conn.contacts.list(limit=1)
        assert store.touches == 1
        clock.advance(TOUCH_INTERVAL + 1)
        conn.contacts.list(limit=1)
        conn.contacts.list(limit=1)
        assert store.touches == 2
        with pytest.raises(Exception):  # noqa: B017 - a failed call does not touch
            conn.contacts.get("0")
        clock.advance(TOUCH_INTERVAL + 1)
        with pytest.raises(Exception):  # noqa: B017
            conn.contacts.get("0")
        assert store.touches == 2


def test_a_401_marks_needs_reauth_and_a_later_success_reactivates(
    engine: Engine, sim: Simulator
) -> None:
    store = CountingStore()
    account = link(engine, store, sim)
    with connect_account(engine, store, account.id, transport=sim.transport()) as conn:
        sim.token = "rotated"
        with pytest.raises(UnauthorizedError):
            conn.contacts.list(limit=1)
        assert store.get(account.id).status is AccountStatus.NEEDS_REAUTH
    # A needs_reauth account may still connect; once the key works again it is active.
    sim.token = TOKEN
    with connect_account(engine, store, account.id, transport=sim.transport()) as conn:
        conn.contacts.list(limit=1)
    assert store.get(account.id).status is AccountStatus.ACTIVE
    assert store.status_updates == ["needs_reauth", "active"]


def test_a_401_never_overrides_disabled(engine: Engine, sim: Simulator) -> None:
    store = CountingStore()
    account = link(engine, store, sim)
    conn = connect_account(engine, store, account.id, transport=sim.transport())
    store.update_status(account.id, AccountStatus.DISABLED)
    sim.token = "rotated"
    with pytest.raises(UnauthorizedError):
        conn.contacts.list(limit=1)
    conn.close()
    assert store.get(account.id).status is AccountStatus.DISABLED


def test_a_disabled_account_refuses_to_connect(engine: Engine, sim: Simulator) -> None:
    store = MemoryAccountStore()
    account = link(engine, store, sim)
    store.update_status(account.id, AccountStatus.DISABLED)
    with pytest.raises(AccountDisabledError) as caught:
        connect_account(engine, store, account.id, transport=sim.transport())
    assert isinstance(caught.value, ForbiddenError)
    assert caught.value.to_dict() == {
        "status_code": 403,
        "error": "forbidden",
        "message": f"account {account.id!r} is disabled; enable it (status 'active') "
        "before using it",
        "remote": False,
    }
    with pytest.raises(AccountDisabledError):
        aconnect_account(engine, store, account.id, transport=sim.transport())
    with pytest.raises(AccountDisabledError):
        relink_account(engine, store, account.id, {"api_key": TOKEN}, transport=sim.transport())


def test_unknown_account(engine: Engine) -> None:
    with pytest.raises(AccountNotFoundError):
        connect_account(engine, MemoryAccountStore(), "acc_missing")


def test_store_failures_never_fail_the_call(
    engine: Engine, sim: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    store = MemoryAccountStore()
    account = link(engine, store, sim)
    with connect_account(engine, store, account.id, transport=sim.transport()) as conn:
        store.remove(account.id)
        assert conn.contacts.list(limit=1)["result"]
    assert "could not touch (AccountNotFoundError)" in caplog.text


def test_relink_stores_new_credentials_and_reactivates(engine: Engine, sim: Simulator) -> None:
    store = MemoryAccountStore()
    account = link(engine, store, sim)
    store.update_status(account.id, AccountStatus.NEEDS_REAUTH)
    sim.token = "new-token"
    with pytest.raises(UnauthorizedError):
        relink_account(engine, store, account.id, {"api_key": "bad"}, transport=sim.transport())
    assert store.get(account.id).credentials["api_key"].reveal() == TOKEN
    relinked = relink_account(
        engine, store, account.id, {"api_key": "new-token"}, transport=sim.transport()
    )
    assert relinked.status is AccountStatus.ACTIVE
    assert relinked.credentials["api_key"].reveal() == "new-token"


def test_async_link_and_connect(engine: Engine, sim: Simulator) -> None:
    store = CountingStore()

    async def scenario() -> tuple[Account, list[Any]]:
        account = await alink_account(
            engine,
            store,
            "mailerlite",
            {"api_key": TOKEN},
            base_url=IN_PROCESS_BASE_URL,
            transport=sim.transport(),
        )
        async with aconnect_account(engine, store, account.id, transport=sim.transport()) as conn:
            records = [r async for r in conn.iterate("contacts", {"limit": 2})]
            sim.token = "rotated"
            with pytest.raises(UnauthorizedError):
                await conn.contacts.list(limit=1)
        return account, records

    account, records = asyncio.run(scenario())
    assert len(records) == 5
    assert store.touches == 1
    assert store.get(account.id).status is AccountStatus.NEEDS_REAUTH

    async def refused() -> None:
        await alink_account(
            engine, store, "mailerlite", {"api_key": "nope"}, transport=sim.transport()
        )

    with pytest.raises(UnauthorizedError):
        asyncio.run(refused())
    assert len(store.list()) == 1
