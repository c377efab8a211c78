"""`SqlOutbox`: the webhook outbox in the accounts database, SQLite or PostgreSQL.

Two tables (migration 5 of `engine.accounts.migrations`, so `unimap db upgrade` creates them
in PostgreSQL and `unimap db move` copies them):

* `webhook_outbox`: one row per message (body as sent, state, attempts, due time, lease);
* `webhook_endpoints(tenant_id, url)`: each tenant's forwarding URL;
* `webhook_disabled_endpoints(url, reason, disabled_at)` (migration 7): URLs that answered
  410 Gone.

Every operation is one transaction. A claim selects its messages with `FOR UPDATE SKIP
LOCKED` in PostgreSQL (workers on several machines pass over each other's rows) and inside a
`BEGIN IMMEDIATE` write in SQLite, so two claims never lease the same message. Event bodies
(contact emails and names) are stored in clear: they are the host app's data, not
credentials; delivered messages are pruned after the retention the forwarder is given.
"""

from __future__ import annotations

import builtins
import secrets
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any, Self

from engine.accounts.database import database_url, open_database
from engine.accounts.sql_store import SqlDatabase, Transaction
from engine.forwarding.outbox import NewMessage, StoredMessage

__all__ = ["SqlOutbox", "open_outbox"]

_STATES = ("pending", "delivered", "dead")


def _message(row: tuple[Any, ...]) -> StoredMessage:
    return StoredMessage(
        id=row[0],
        account_id=row[1],
        tenant_id=row[2],
        event_type=row[3],
        body=bytes(row[4]),
        state=row[5],
        attempts=int(row[6]),
        created_at=float(row[7]),
        due_at=float(row[8]),
        lease_id=row[9],
        last_error=row[10],
    )


class SqlOutbox:
    """An `Outbox` in a `SqlDatabase` (see the module doc). `clock` (Unix seconds) is
    injectable for tests. Closing the outbox closes the database when `owns_database`."""

    def __init__(
        self,
        database: SqlDatabase,
        *,
        clock: Callable[[], float] = time.time,
        owns_database: bool = True,
    ) -> None:
        """Keep the messages in `database`."""
        self.database = database
        self._clock = clock
        self._owns = owns_database
        self._skip_locked = database.lock_rows(skip_locked=True)
        self._columns = (
            f"id, account_id, tenant_id, event_type, {database.blob('body')}, state, attempts, "
            "created_at, due_at, lease_id, last_error"
        )

    def __repr__(self) -> str:
        """Show which database holds the outbox."""
        return f"{type(self).__name__}({self.database!r})"

    def close(self) -> None:
        """Close the database connection (when this outbox opened it)."""
        if self._owns:
            self.database.close()

    def __enter__(self) -> Self:
        """Return the outbox itself."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the outbox."""
        self.close()

    def _transaction(self, *, write: bool = False) -> AbstractContextManager[Transaction]:
        return self.database.transaction(write=write)

    # -- messages --------------------------------------------------------------------------

    def enqueue(self, messages: builtins.list[NewMessage]) -> builtins.list[str]:
        """Store new pending messages, due now; returns the ids that were not already stored."""
        now = self._clock()
        added: builtins.list[str] = []
        with self._transaction(write=True) as conn:
            for message in messages:
                cursor = conn.execute(
                    "INSERT INTO webhook_outbox (id, account_id, tenant_id, "
                    "event_type, body, state, created_at, due_at) "
                    "VALUES (?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (id) DO NOTHING",
                    (
                        message.id,
                        message.account_id,
                        message.tenant_id,
                        message.event_type,
                        message.body,
                        now,
                        now,
                    ),
                )
                if cursor.rowcount:
                    added.append(message.id)
        return added

    def claim(self, limit: int, lease_seconds: float) -> builtins.list[StoredMessage]:
        """Lease up to `limit` due pending messages (oldest due first), counting an attempt."""
        now = self._clock()
        lease_id = secrets.token_hex(12)
        with self._transaction(write=True) as conn:
            ids = [
                row[0]
                for row in conn.execute(
                    "SELECT id FROM webhook_outbox WHERE state = 'pending' AND due_at <= ? "
                    "AND (lease_until IS NULL OR lease_until <= ?) ORDER BY due_at, id LIMIT ?"
                    + self._skip_locked,
                    (now, now, max(0, limit)),
                )
            ]
            conn.executemany(
                "UPDATE webhook_outbox SET lease_id = ?, lease_until = ?, attempts = attempts + 1 "
                "WHERE id = ?",
                [(lease_id, now + lease_seconds, message_id) for message_id in ids],
            )
            rows = [
                conn.execute(
                    f"SELECT {self._columns} FROM webhook_outbox WHERE id = ?", (message_id,)
                ).fetchone()
                for message_id in ids
            ]
        return [_message(row) for row in rows]

    def _finish(
        self, message_id: str, lease_id: str, assignments: str, values: tuple[Any, ...]
    ) -> bool:
        with self._transaction(write=True) as conn:
            cursor = conn.execute(
                f"UPDATE webhook_outbox SET {assignments}, lease_id = NULL, lease_until = NULL "
                "WHERE id = ? AND lease_id = ? AND state = 'pending'",
                (*values, message_id, lease_id),
            )
            return bool(cursor.rowcount == 1)

    def mark_delivered(self, message_id: str, lease_id: str) -> bool:
        """The host app acknowledged the message."""
        return self._finish(
            message_id,
            lease_id,
            "state = 'delivered', finished_at = ?, last_error = NULL",
            (self._clock(),),
        )

    def reschedule(self, message_id: str, lease_id: str, delay: float, error: str) -> bool:
        """Release the lease; the message is due again after `delay` seconds."""
        return self._finish(
            message_id, lease_id, "due_at = ?, last_error = ?", (self._clock() + delay, error)
        )

    def mark_dead(self, message_id: str, lease_id: str, error: str) -> bool:
        """Give up on the message (kept, listed by `dead`, revived by `requeue`)."""
        return self._finish(
            message_id,
            lease_id,
            "state = 'dead', finished_at = ?, last_error = ?",
            (self._clock(), error),
        )

    def get(self, message_id: str) -> StoredMessage | None:
        """One message in whatever state, or None when unknown (or pruned)."""
        with self._transaction() as conn:
            row = conn.execute(
                f"SELECT {self._columns} FROM webhook_outbox WHERE id = ?", (message_id,)
            ).fetchone()
        return None if row is None else _message(row)

    def dead(self, tenant_id: str | None = None, limit: int = 100) -> builtins.list[StoredMessage]:
        """Dead messages, newest first, optionally of one tenant."""
        where = "state = 'dead'" + (" AND tenant_id = ?" if tenant_id is not None else "")
        parameters: tuple[Any, ...] = (tenant_id,) if tenant_id is not None else ()
        with self._transaction() as conn:
            rows = conn.execute(
                f"SELECT {self._columns} FROM webhook_outbox WHERE {where} "
                "ORDER BY finished_at DESC, id LIMIT ?",
                (*parameters, max(0, limit)),
            ).fetchall()
        return [_message(row) for row in rows]

    def requeue(self, message_id: str) -> bool:
        """Make a dead message pending and due now, with its attempts reset."""
        with self._transaction(write=True) as conn:
            cursor = conn.execute(
                "UPDATE webhook_outbox SET state = 'pending', attempts = 0, due_at = ?, "
                "finished_at = NULL WHERE id = ? AND state = 'dead'",
                (self._clock(), message_id),
            )
            return bool(cursor.rowcount == 1)

    def counts(self) -> dict[str, int]:
        """How many messages are in each state (every state present, zero included)."""
        with self._transaction() as conn:
            rows = conn.execute(
                "SELECT state, COUNT(*) FROM webhook_outbox GROUP BY state"
            ).fetchall()
        found = {state: 0 for state in _STATES}
        found.update({state: int(count) for state, count in rows})
        return found

    def prune(self, older_than: float) -> int:
        """Delete delivered messages finished more than `older_than` seconds ago."""
        with self._transaction(write=True) as conn:
            return int(
                conn.execute(
                    "DELETE FROM webhook_outbox WHERE state = 'delivered' AND finished_at < ?",
                    (self._clock() - older_than,),
                ).rowcount
            )

    # -- endpoints -------------------------------------------------------------------------

    def set_endpoint(self, tenant_id: str, url: str | None) -> None:
        """Set (or with None remove) the URL a tenant's events are forwarded to."""
        with self._transaction(write=True) as conn:
            if url is None:
                conn.execute("DELETE FROM webhook_endpoints WHERE tenant_id = ?", (tenant_id,))
                return
            conn.execute(
                "INSERT INTO webhook_endpoints (tenant_id, url, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (tenant_id) DO UPDATE SET url = excluded.url, "
                "updated_at = excluded.updated_at",
                (tenant_id, url, self._clock()),
            )
            conn.execute("DELETE FROM webhook_disabled_endpoints WHERE url = ?", (url,))

    def endpoint(self, tenant_id: str) -> str | None:
        """The tenant's own forwarding URL, if one was set."""
        with self._transaction() as conn:
            row = conn.execute(
                "SELECT url FROM webhook_endpoints WHERE tenant_id = ?", (tenant_id,)
            ).fetchone()
        return str(row[0]) if row else None

    def endpoints(self) -> dict[str, str]:
        """Every tenant's forwarding URL."""
        with self._transaction() as conn:
            rows = conn.execute(
                "SELECT tenant_id, url FROM webhook_endpoints ORDER BY tenant_id"
            ).fetchall()
        return {str(tenant): str(url) for tenant, url in rows}

    def disable_endpoint(self, url: str, reason: str) -> None:
        """Send nothing more to `url` until it is enabled again (the first reason stays)."""
        with self._transaction(write=True) as conn:
            conn.execute(
                "INSERT INTO webhook_disabled_endpoints (url, reason, disabled_at) "
                "VALUES (?, ?, ?) ON CONFLICT (url) DO NOTHING",
                (url, reason, self._clock()),
            )

    def enable_endpoint(self, url: str) -> bool:
        """Send to `url` again; False when it was not disabled."""
        with self._transaction(write=True) as conn:
            cursor = conn.execute("DELETE FROM webhook_disabled_endpoints WHERE url = ?", (url,))
            return bool(cursor.rowcount == 1)

    def disabled_endpoints(self) -> dict[str, dict[str, Any]]:
        """Every disabled URL with its `reason` and `disabled_at`."""
        with self._transaction() as conn:
            rows = conn.execute(
                "SELECT url, reason, disabled_at FROM webhook_disabled_endpoints ORDER BY url"
            ).fetchall()
        return {
            str(url): {"reason": str(reason), "disabled_at": float(at)} for url, reason, at in rows
        }


def open_outbox(url: str | None = None, *, clock: Callable[[], float] = time.time) -> SqlOutbox:
    """The outbox in the database at `url` (default: `UNIMAP_DATABASE_URL`, else the embedded
    file). A PostgreSQL database must be at the current schema (`unimap db upgrade`)."""
    return SqlOutbox(open_database(url or database_url()), clock=clock)
