"""Book-keeping of one connection to a stored account: `last_used_at` and status changes.

A connection made from the account store (`engine.linking.connect_account` and its async
twin) hands `AccountTracker.succeeded` and `AccountTracker.unauthorized` to its sender as
hooks. The store may block (SQLite, PostgreSQL): called on a thread running an event loop
(an async connection), the tracker runs its store work in a worker thread instead of stalling
the loop, without waiting for it; the async sender calls `unauthorized` from a worker thread
itself, so a 401's `needs_reauth` mark is in the store before the error reaches the caller.
Because a success's store work may then run after a later 401's, the tracker's store work is
serialised and a re-activation is dropped when a 401 came after the success that asked for it.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable

from engine.accounts.model import Account, AccountStatus
from engine.accounts.store import AccountStore
from engine.run.clock import Clock

__all__ = ["TOUCH_INTERVAL", "AccountTracker"]

logger = logging.getLogger("unimap.accounts")

TOUCH_INTERVAL = 60.0
"""Seconds between two `last_used_at` updates made by one connection."""


class AccountTracker:
    """Touches and status changes of one connection's account.

    Store failures are logged (account id and error type only) and never fail the call that
    triggered them: the provider's answer matters more than the book-keeping.
    """

    def __init__(self, store: AccountStore, account: Account, clock: Clock) -> None:
        self.store = store
        self.account_id = account.id
        self.clock = clock
        self._lock = threading.Lock()
        self._store_lock = threading.Lock()
        self._refusals = 0
        self._last_touch: float | None = None
        self._needs_reauth = account.status is AccountStatus.NEEDS_REAUTH

    def succeeded(self) -> None:
        """A provider call succeeded: touch `last_used_at` (throttled), clear `needs_reauth`."""
        now = self.clock.monotonic()
        with self._lock:
            due = self._last_touch is None or now - self._last_touch >= TOUCH_INTERVAL
            if due:
                self._last_touch = now
            reactivate, self._needs_reauth = self._needs_reauth, False
            refusals = self._refusals
        if due:
            self._safely("touch", lambda: self.store.touch(self.account_id))
        if reactivate:
            self._safely("reactivate", lambda: self._reactivate(refusals))

    def _reactivate(self, refusals: int) -> None:
        with self._store_lock:
            if self._refusals != refusals:
                return  # a 401 answered after this success: its mark stands
            # Only undo our own mark: never re-enable an account someone disabled meanwhile.
            if self.store.get(self.account_id).status is AccountStatus.NEEDS_REAUTH:
                self.store.update_status(self.account_id, AccountStatus.ACTIVE)

    def unauthorized(self) -> None:
        """The provider answered 401: mark the account `needs_reauth`."""
        with self._lock:
            self._needs_reauth = True
            self._refusals += 1
        self._safely("mark needs_reauth", self._mark_needs_reauth)

    def _mark_needs_reauth(self) -> None:
        with self._store_lock:
            if self.store.get(self.account_id).status is AccountStatus.ACTIVE:
                self.store.update_status(self.account_id, AccountStatus.NEEDS_REAUTH)

    def _safely(self, what: str, action: Callable[[], object]) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._run(what, action)
            return
        loop.run_in_executor(None, self._run, what, action)

    def _run(self, what: str, action: Callable[[], object]) -> None:
        try:
            action()
        except Exception as exc:
            logger.warning(
                "account %s: could not %s (%s)", self.account_id, what, type(exc).__name__
            )
