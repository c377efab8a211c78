"""`SqlLinkTokenStore`: the link page's tokens in the accounts database (`link_tokens`,
schema versions 4 and 6).

It runs its statements through an SQL account store's `transaction()`, so the tokens live in
whichever database holds the accounts (SQLite or PostgreSQL, `UNIMAP_DATABASE_URL`). Only the
SHA-256 of each token is stored. `consume` is one `UPDATE ... WHERE used_at IS NULL AND
expires_at > now` in a write transaction, so exactly one caller wins, across threads and
across processes sharing the database; `record_failure` counts and burns the same way.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from engine.accounts.link_tokens import LinkToken
from engine.accounts.migrations import timestamp
from engine.accounts.sql_store import SqlAccountStore

__all__ = ["SqlLinkTokenStore"]

_COLUMNS = (
    "id, provider, tenant_id, created_at, expires_at, redirect_uri, integrated_account_id, "
    "used_at, webhook_events, failed_attempts"
)


def _record(row: tuple[Any, ...]) -> LinkToken:
    return LinkToken(
        id=row[0],
        provider=row[1],
        tenant_id=row[2],
        created_at=datetime.fromisoformat(row[3]),
        expires_at=datetime.fromisoformat(row[4]),
        redirect_uri=row[5],
        integrated_account_id=row[6],
        used_at=datetime.fromisoformat(row[7]) if row[7] is not None else None,
        webhook_events=tuple(json.loads(row[8])) if row[8] else (),
        failed_attempts=int(row[9]),
    )


class SqlLinkTokenStore:
    """A `LinkTokenStore` in the database of an SQL account store (hashes only)."""

    def __init__(self, database: SqlAccountStore) -> None:
        """Keep the tokens in `database`'s database (it stays open and owned by the caller)."""
        self._database = database

    def __repr__(self) -> str:
        """Show which database holds the tokens."""
        return f"SqlLinkTokenStore({self._database!r})"

    def add(self, token: LinkToken) -> None:
        """Store a new token."""
        with self._database.transaction(write=True) as conn:
            conn.execute(
                f"INSERT INTO link_tokens ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    token.id,
                    token.provider,
                    token.tenant_id,
                    timestamp(token.created_at),
                    timestamp(token.expires_at),
                    token.redirect_uri,
                    token.integrated_account_id,
                    timestamp(token.used_at) if token.used_at else None,
                    json.dumps(list(token.webhook_events)) if token.webhook_events else None,
                    token.failed_attempts,
                ),
            )

    def get(self, token_id: str) -> LinkToken | None:
        """The token with this id (hash), or None."""
        with self._database.transaction() as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM link_tokens WHERE id = ?", (token_id,)
            ).fetchone()
        return _record(tuple(row)) if row is not None else None

    def consume(self, token_id: str, when: datetime) -> bool:
        """Mark the token used at `when`, once (True only for the caller that did)."""
        moment = timestamp(when)
        with self._database.transaction(write=True) as conn:
            cursor = conn.execute(
                "UPDATE link_tokens SET used_at = ? "
                "WHERE id = ? AND used_at IS NULL AND expires_at > ?",
                (moment, token_id, moment),
            )
            return bool(cursor.rowcount == 1)

    def record_failure(self, token_id: str, when: datetime, limit: int) -> bool:
        """Count a refused attempt, burning the token at `limit` (True: no longer usable)."""
        moment = timestamp(when)
        with self._database.transaction(write=True) as conn:
            cursor = conn.execute(
                "UPDATE link_tokens SET failed_attempts = failed_attempts + 1, "
                "used_at = CASE WHEN failed_attempts + 1 >= ? THEN ? ELSE used_at END "
                "WHERE id = ? AND used_at IS NULL AND expires_at > ?",
                (limit, moment, token_id, moment),
            )
            if cursor.rowcount != 1:
                return True
            row = conn.execute(
                "SELECT used_at FROM link_tokens WHERE id = ?", (token_id,)
            ).fetchone()
            return row is None or row[0] is not None

    def remove_expired(self, before: datetime) -> int:
        """Delete the tokens that expired before `before`; return how many."""
        with self._database.transaction(write=True) as conn:
            cursor = conn.execute(
                "DELETE FROM link_tokens WHERE expires_at < ?", (timestamp(before),)
            )
            return int(cursor.rowcount)
