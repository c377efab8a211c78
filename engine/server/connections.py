"""Connections kept per linked account, so requests share HTTP clients, pacing and retries.

`ConnectionPool.connection(account)` returns the async connection of a stored account (as read
for this request): the same one while the account's provider, base URL, settings and
credentials are unchanged, a new one as soon as any of them changes (a re-link). At most
`size` accounts are kept (least recently used first out). A replaced or evicted connection is
closed after `grace` seconds, so requests still using it finish first.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections import OrderedDict

import httpx

from engine.accounts.model import Account, AccountStatus
from engine.accounts.store import AccountStore
from engine.api import AsyncConnection, Engine
from engine.linking import AccountDisabledError, aconnect_stored

__all__ = ["ConnectionPool"]


def _fingerprint(account: Account) -> str:
    """What a connection is built from (never shown: it covers the credentials)."""
    digest = hashlib.sha256()
    parts = [account.provider, account.base_url or "", json.dumps(account.settings, sort_keys=True)]
    for name in sorted(account.credentials):
        parts += [name, account.credentials[name].reveal()]
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()


class ConnectionPool:
    """Async connections by account id (see the module documentation)."""

    def __init__(
        self,
        engine: Engine,
        store: AccountStore,
        *,
        size: int = 1024,
        grace: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """Keep up to `size` connections; `transport` (tests, in-process simulators) is
        given to every connection."""
        self.engine = engine
        self.store = store
        self.size = size
        self.grace = grace
        self.transport = transport
        self._open: OrderedDict[str, tuple[str, AsyncConnection]] = OrderedDict()
        self._closing: set[asyncio.Task[None]] = set()

    def connection(self, account: Account) -> AsyncConnection:
        """The connection for `account` (`AccountDisabledError` when it is disabled)."""
        if account.status is AccountStatus.DISABLED:
            raise AccountDisabledError(account.id)
        fingerprint = _fingerprint(account)
        kept = self._open.get(account.id)
        if kept is not None and kept[0] == fingerprint:
            self._open.move_to_end(account.id)
            return kept[1]
        connection = aconnect_stored(self.engine, self.store, account, transport=self.transport)
        if kept is not None:
            self._retire(kept[1])
        self._open[account.id] = (fingerprint, connection)
        while len(self._open) > self.size:
            _, (_, evicted) = self._open.popitem(last=False)
            self._retire(evicted)
        return connection

    def forget(self, account_id: str) -> None:
        """Drop (and close after the grace period) the connection of a removed account."""
        kept = self._open.pop(account_id, None)
        if kept is not None:
            self._retire(kept[1])

    def _retire(self, connection: AsyncConnection) -> None:
        async def close_later() -> None:
            await asyncio.sleep(self.grace)
            await connection.aclose()

        task = asyncio.get_running_loop().create_task(close_later())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def aclose(self) -> None:
        """Close every connection now (server shutdown)."""
        for task in list(self._closing):
            task.cancel()
        kept = [connection for _, connection in self._open.values()]
        self._open.clear()
        for connection in kept:
            await connection.aclose()
