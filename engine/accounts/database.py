"""Which database holds the accounts: `UNIMAP_DATABASE_URL`, the embedded file by default.

* `sqlite:///<path>` (the default, `sqlite:///` + `$UNIMAP_HOME/unimap.db`): the embedded
  `SqliteAccountStore`; a newcomer needs nothing running. It migrates itself on open.
* `postgresql://user[:password]@host[:port]/database` (also `postgres://`): the
  `PostgresAccountStore` (install `unimap[postgres]`). It is migrated only by
  `unimap db upgrade` (`upgrade_database`); opening it when behind is an error saying so.

`open_store` is the one place a URL becomes a store: the Python API's `default_store`, the
command line and the server all call it. `move_accounts` copies the accounts (ciphertext as
stored, so the same key keeps working) from one database to another, idempotently.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.accounts import migrations
from engine.accounts.migrations import Dialect
from engine.accounts.postgres_store import (
    PostgresAccountStore,
    PostgresDatabase,
    connect_postgres,
    postgres_transaction,
    safe_url,
)
from engine.accounts.sql_store import Transaction
from engine.accounts.sqlite_store import (
    SqliteAccountStore,
    SqliteDatabase,
    default_path,
    open_sqlite,
    sqlite_transaction,
)
from engine.errors import ConfigurationError

__all__ = [
    "DATABASE_URL_ENV",
    "MoveReport",
    "database_url",
    "default_store",
    "move_accounts",
    "open_database",
    "open_store",
    "schema_status",
    "upgrade_database",
]

#: The environment variable naming the accounts database.
DATABASE_URL_ENV = "UNIMAP_DATABASE_URL"
_SQLITE = "sqlite:///"


def database_url(environ: Mapping[str, str] | None = None) -> str:
    """`UNIMAP_DATABASE_URL`, or `sqlite:///` + the embedded file when it is unset or empty."""
    env = os.environ if environ is None else environ
    return env.get(DATABASE_URL_ENV, "").strip() or _SQLITE + str(default_path())


def _dialect(url: str) -> tuple[Dialect, str]:
    """The dialect of `url` and what to open: a file path (SQLite) or the libpq URL."""
    if url.startswith(_SQLITE) and len(url) > len(_SQLITE):
        return "sqlite", url[len(_SQLITE) :]
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql", url
    raise ConfigurationError(
        f"{DATABASE_URL_ENV}: unsupported database URL {safe_url(url)!r}; use "
        "sqlite:///<path> or postgresql://user@host:5432/database"
    )


def open_store(
    url: str | None = None, *, key: bytes | None = None
) -> SqliteAccountStore | PostgresAccountStore:
    """Open the account store at `url` (default: `database_url()`); see the module docs."""
    dialect, target = _dialect(url or database_url())
    if dialect == "sqlite":
        return SqliteAccountStore(target, key=key)
    return PostgresAccountStore(target, key=key)


def open_database(url: str | None = None) -> SqliteDatabase | PostgresDatabase:
    """Open the database at `url` (default: `database_url()`) without any key, for the stores
    that share it (outbox); PostgreSQL must be at the current schema."""
    dialect, target = _dialect(url or database_url())
    return SqliteDatabase(target) if dialect == "sqlite" else PostgresDatabase(target)


def default_store(*, key: bytes | None = None) -> SqliteAccountStore | PostgresAccountStore:
    """Open the installation's store: `UNIMAP_DATABASE_URL`, else `$UNIMAP_HOME/unimap.db`."""
    return open_store(key=key)


@contextmanager
def _session(url: str, *, write: bool) -> Iterator[tuple[Transaction, Dialect]]:
    """One transaction on the database at `url`, without any key (schema work, copying)."""
    dialect, target = _dialect(url)
    if dialect == "sqlite":
        sqlite = open_sqlite(Path(target))
        try:
            with sqlite_transaction(sqlite, write=write) as tx:
                yield tx, dialect
        finally:
            sqlite.close()
        return
    conn = connect_postgres(target)
    try:
        with postgres_transaction(conn) as pg:
            if write:
                pg.execute("SELECT pg_advisory_xact_lock(hashtext('unimap-migrations'))")
            yield pg, dialect
    finally:
        conn.close()


def schema_status(url: str | None = None) -> tuple[int, int]:
    """`(version of the database at url, version this code needs)`."""
    with _session(url or database_url(), write=False) as (tx, dialect):
        return migrations.current_version(tx.execute, dialect), migrations.SCHEMA_VERSION


def upgrade_database(url: str | None = None) -> tuple[int, list[int]]:
    """Apply the missing migrations to the database at `url`; return
    `(version before, versions applied)`. Concurrent upgrades wait for each other."""
    chosen = url or database_url()
    with _session(chosen, write=True) as (tx, dialect):
        before = migrations.current_version(tx.execute, dialect)
        return before, migrations.upgrade(tx.execute, dialect, safe_url(chosen))


@dataclass
class MoveReport:
    """What `move_accounts` did, per table: rows copied, updated and already identical."""

    copied: dict[str, int]
    updated: dict[str, int]
    unchanged: dict[str, int]


def _rows(tx: Transaction, table: str, key: tuple[str, ...]) -> tuple[list[str], dict[Any, Any]]:
    cursor = tx.execute(f"SELECT * FROM {table}", ())
    columns = [d[0] for d in cursor.description]
    positions = [columns.index(k) for k in key]
    found: dict[Any, Any] = {}
    for row in cursor.fetchall():
        values = tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
        found[tuple(values[p] for p in positions)] = values
    return columns, found


def move_accounts(source: str, target: str) -> MoveReport:
    """Copy every account and its encrypted secrets from `source` to `target` (URLs).

    The target is brought to the current schema first; the source must already be there.
    Rows are copied as stored (ciphertext included: no key is needed, and the same key
    decrypts them afterwards); a row already identical in the target is left alone and a
    different one is overwritten, so running it twice changes nothing the second time.
    """
    upgrade_database(target)
    report = MoveReport({}, {}, {})
    with _session(source, write=False) as (src, src_dialect):
        migrations.check(src.execute, src_dialect, safe_url(source))
        with _session(target, write=True) as (dst, _):
            for table, key in migrations.COPIED_TABLES:
                columns, rows = _rows(src, table, key)
                _, existing = _rows(dst, table, key)
                new = [r for k, r in rows.items() if k not in existing]
                changed = [r for k, r in rows.items() if k in existing and existing[k] != r]
                _upsert(dst, table, key, columns, new + changed)
                report.copied[table] = len(new)
                report.updated[table] = len(changed)
                report.unchanged[table] = len(rows) - len(new) - len(changed)
    return report


def _upsert(
    tx: Transaction, table: str, key: tuple[str, ...], columns: list[str], rows: list[Any]
) -> None:
    if not rows:
        return
    others = [c for c in columns if c not in key]
    assignments = ", ".join(f"{c} = excluded.{c}" for c in others)
    conflict = f"DO UPDATE SET {assignments}" if others else "DO NOTHING"
    tx.executemany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
        f"ON CONFLICT ({', '.join(key)}) {conflict}",
        rows,
    )
