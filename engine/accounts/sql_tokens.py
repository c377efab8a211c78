"""`SqlTokenStore`: the API tokens in the accounts database (`api_tokens`, schema version 3).

It runs its statements through an SQL account store's `transaction()`, so the tokens live in
whichever database holds the accounts (SQLite or PostgreSQL, `UNIMAP_DATABASE_URL`) and
`unimap db move` copies them along. Only a SHA-256 of each token's secret is stored.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from engine.accounts.database import default_store
from engine.accounts.migrations import timestamp
from engine.accounts.sql_store import SqlAccountStore
from engine.accounts.tokens import ApiToken, TokenNotFoundError

__all__ = ["SqlTokenStore", "default_token_store"]

_COLUMNS = "id, name, secret_hash, created_at, last_used_at, revoked_at"


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def _record(row: tuple[Any, ...]) -> ApiToken:
    return ApiToken(
        row[0], row[1], row[2], datetime.fromisoformat(row[3]), _time(row[4]), _time(row[5])
    )


class SqlTokenStore:
    """An `ApiTokenStore` in the database of an SQL account store."""

    def __init__(self, database: SqlAccountStore) -> None:
        """Keep the tokens in `database`'s database (it stays open and owned by the caller)."""
        self._database = database

    def __repr__(self) -> str:
        """Show which database holds the tokens."""
        return f"SqlTokenStore({self._database!r})"

    def add(self, token: ApiToken) -> ApiToken:
        """Store a new token record."""
        with self._database.transaction(write=True) as conn:
            conn.execute(
                f"INSERT INTO api_tokens ({_COLUMNS}) VALUES (?, ?, ?, ?, NULL, NULL)",
                (token.id, token.name, token.secret_hash, timestamp(token.created_at)),
            )
        return token

    def get(self, token_id: str) -> ApiToken:
        """Return the token record with this id (`TokenNotFoundError` if unknown)."""
        with self._database.transaction() as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM api_tokens WHERE id = ?", (token_id,)
            ).fetchone()
        if row is None:
            raise TokenNotFoundError(f"no API token with id {token_id!r}")
        return _record(tuple(row))

    def list(self) -> builtins.list[ApiToken]:
        """Every token, revoked ones too, oldest first."""
        with self._database.transaction() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM api_tokens ORDER BY created_at, id", ()
            ).fetchall()
        return [_record(tuple(row)) for row in rows]

    def revoke(self, token_id: str, when: datetime) -> ApiToken:
        """Mark the token revoked at `when` (an earlier revocation time is kept)."""
        with self._database.transaction(write=True) as conn:
            cursor = conn.execute(
                "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?",
                (timestamp(when), token_id),
            )
            if cursor.rowcount == 0:
                raise TokenNotFoundError(f"no API token with id {token_id!r}")
        return self.get(token_id)


@contextmanager
def default_token_store() -> Iterator[SqlTokenStore]:
    """The token store in the installation's database (`UNIMAP_DATABASE_URL`, else
    `$UNIMAP_HOME/unimap.db`), closed when the block exits."""
    with default_store() as accounts:
        yield SqlTokenStore(accounts)
