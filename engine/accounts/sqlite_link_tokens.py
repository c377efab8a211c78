"""`SqliteLinkTokenStore`: link tokens in the same SQLite file as the accounts.

The `link_tokens` table (see `engine.accounts.sqlite_db`) keeps the SHA-256 hash of each token,
never the token. `consume` is one `UPDATE ... WHERE used_at IS NULL AND expires_at > now`
inside a `BEGIN IMMEDIATE` transaction, so exactly one caller wins even across processes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.accounts.link_tokens import LinkToken
from engine.accounts.sqlite_db import SqliteDatabase, parse_time, timestamp

__all__ = ["SqliteLinkTokenStore"]

_COLUMNS = (
    "id, provider, tenant_id, created_at, expires_at, redirect_uri, integrated_account_id, used_at"
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
        used_at=parse_time(row[7]),
    )


class SqliteLinkTokenStore:
    """A `LinkTokenStore` on an open `SqliteDatabase` (the caller closes the database)."""

    def __init__(self, database: SqliteDatabase) -> None:
        """Use `database` (already migrated: it has the `link_tokens` table)."""
        self._db = database

    def __repr__(self) -> str:
        """Show the database path."""
        return f"SqliteLinkTokenStore({str(self._db.path)!r})"

    def add(self, token: LinkToken) -> None:
        """Store a new token."""
        with self._db.transaction(write=True) as conn:
            conn.execute(
                f"INSERT INTO link_tokens ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    token.id,
                    token.provider,
                    token.tenant_id,
                    timestamp(token.created_at),
                    timestamp(token.expires_at),
                    token.redirect_uri,
                    token.integrated_account_id,
                    timestamp(token.used_at) if token.used_at else None,
                ),
            )

    def get(self, token_id: str) -> LinkToken | None:
        """The token with this id (hash), or None."""
        with self._db.transaction() as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM link_tokens WHERE id = ?", (token_id,)
            ).fetchone()
        return _record(row) if row is not None else None

    def consume(self, token_id: str, when: datetime) -> bool:
        """Mark the token used at `when`, once (True only for the caller that did)."""
        moment = timestamp(when)
        with self._db.transaction(write=True) as conn:
            cursor = conn.execute(
                "UPDATE link_tokens SET used_at = ? "
                "WHERE id = ? AND used_at IS NULL AND expires_at > ?",
                (moment, token_id, moment),
            )
            return cursor.rowcount == 1

    def remove_expired(self, before: datetime) -> int:
        """Delete the tokens that expired before `before`; return how many."""
        with self._db.transaction(write=True) as conn:
            cursor = conn.execute(
                "DELETE FROM link_tokens WHERE expires_at < ?", (timestamp(before),)
            )
            return cursor.rowcount
