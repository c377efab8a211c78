"""`engine.accounts.tracker`: the order of a connection's status changes in the store."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from engine.accounts import Account, AccountStatus, MemoryAccountStore
from engine.accounts.tracker import AccountTracker
from engine.run.clock import FakeClock


class HeldExecutor(ThreadPoolExecutor):
    """An event loop's default executor that runs nothing until `release` is called."""

    def __init__(self) -> None:
        super().__init__(max_workers=1)
        self.held: list[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        self.held.append((future, fn, args))
        return future

    def release(self) -> None:
        for future, fn, args in self.held:
            future.set_result(fn(*args))


def needs_reauth_account(store: MemoryAccountStore) -> Account:
    account = store.add(Account.new("mailerlite", {"api_key": "k"}, label="shop"))
    return store.update_status(account.id, AccountStatus.NEEDS_REAUTH)


def test_a_success_whose_book_keeping_runs_after_a_later_401_leaves_the_account_needs_reauth() -> (
    None
):
    store = MemoryAccountStore()
    tracker = AccountTracker(store, needs_reauth_account(store), FakeClock())
    executor = HeldExecutor()

    async def success_then_refusal() -> None:
        asyncio.get_running_loop().set_default_executor(executor)
        tracker.succeeded()  # on the loop: its re-activation waits in the executor
        refusal = threading.Thread(target=tracker.unauthorized)  # as the async sender does
        refusal.start()
        refusal.join()
        executor.release()

    asyncio.run(success_then_refusal())
    assert store.get(tracker.account_id).status is AccountStatus.NEEDS_REAUTH


def test_a_success_after_a_401_reactivates_the_account() -> None:
    store = MemoryAccountStore()
    account = store.add(Account.new("mailerlite", {"api_key": "k"}, label="shop"))
    tracker = AccountTracker(store, account, FakeClock())
    tracker.unauthorized()
    assert store.get(account.id).status is AccountStatus.NEEDS_REAUTH
    tracker.succeeded()
    assert store.get(account.id).status is AccountStatus.ACTIVE
