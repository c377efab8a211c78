"""`before_save`: a hook between the provider's check and the save (the link page's token)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from engine.accounts import Account, MemoryAccountStore
from engine.api import Engine
from engine.errors import UnauthorizedError
from engine.linking import link_account, relink_account
from engine.loader import ProviderMapping
from simulators.mailerlite import IN_PROCESS_BASE_URL, Simulator

TOKEN = "before-save-token"


class Refused(Exception):
    """Raised by a hook that refuses the save."""


@pytest.fixture
def sim() -> Iterator[Simulator]:
    simulator = Simulator(seed=3, token=TOKEN, rate_limit=None).seed_data(subscribers=1)
    yield simulator
    simulator.close()


@pytest.fixture
def engine(bundled_providers: dict[str, ProviderMapping]) -> Engine:
    return Engine(bundled_providers)


def link(
    engine: Engine,
    sim: Simulator,
    store: MemoryAccountStore,
    key: str,
    hook: Callable[[], object],
) -> Account:
    return link_account(
        engine,
        store,
        "mailerlite",
        {"api_key": key},
        base_url=IN_PROCESS_BASE_URL,
        transport=sim.transport(),
        before_save=hook,
    )


def test_the_hook_runs_once_after_an_accepted_check(engine: Engine, sim: Simulator) -> None:
    calls: list[int] = []
    store = MemoryAccountStore()
    link(engine, sim, store, TOKEN, lambda: calls.append(len(store.list())))
    assert calls == [0]  # called once, before the account was saved
    assert len(store.list()) == 1


def test_the_hook_is_not_called_when_the_provider_refuses_the_key(
    engine: Engine, sim: Simulator
) -> None:
    calls: list[str] = []
    with pytest.raises(UnauthorizedError):
        link(engine, sim, MemoryAccountStore(), "wrong", lambda: calls.append("called"))
    assert calls == []


def test_a_hook_that_raises_saves_nothing(engine: Engine, sim: Simulator) -> None:
    store = MemoryAccountStore()

    def refuse() -> None:
        raise Refused

    with pytest.raises(Refused):
        link(engine, sim, store, TOKEN, refuse)
    assert store.list() == []


def test_relinking_calls_the_hook_and_a_raising_hook_keeps_the_old_key(
    engine: Engine, sim: Simulator
) -> None:
    store = MemoryAccountStore()
    account = link(engine, sim, store, TOKEN, lambda: None)
    sim.token = "rotated"

    def refuse() -> None:
        raise Refused

    with pytest.raises(Refused):
        relink_account(
            engine,
            store,
            account.id,
            {"api_key": "rotated"},
            transport=sim.transport(),
            before_save=refuse,
        )
    assert store.get(account.id).credentials["api_key"].reveal() == TOKEN
