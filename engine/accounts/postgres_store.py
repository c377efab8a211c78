"""The account store in PostgreSQL (psycopg 3), for several workers on several machines.

Same tables, columns and ciphertext as the SQLite store (`engine.accounts.migrations`), so
accounts move between the two unchanged (`unimap db move`). Unlike the embedded default, opening
a PostgreSQL store never migrates it: a database behind this code's schema raises
`SchemaVersionError` telling to run `unimap db upgrade`, so one deliberate step changes a
shared database, not whichever worker happens to start first.

One connection per store, shared by its threads behind a lock; every operation is one
transaction, and read-modify-write updates lock their row (`SELECT ... FOR UPDATE`), so
workers in other processes never lose each other's writes. A broken connection (a database
restart) is reopened by the next operation.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from engine.accounts import migrations
from engine.accounts.crypto import SecretCipher
from engine.accounts.keys import load_key
from engine.accounts.migrations import Dialect
from engine.accounts.sql_store import SqlAccountStore
from engine.errors import BackendUnavailableError

__all__ = [
    "PostgresAccountStore",
    "PostgresDatabase",
    "connect_postgres",
    "postgres_transaction",
    "safe_url",
]


def safe_url(url: str) -> str:
    """`url` with any password replaced by `***`, for messages and reprs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def connect_postgres(url: str) -> Any:
    """Open an autocommit psycopg connection to `url`, or raise `BackendUnavailableError`
    naming the URL (password hidden)."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover - depends on the install
        raise BackendUnavailableError(
            "a postgresql:// database URL needs psycopg: pip install 'unimap[postgres]'"
        ) from None
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as error:
        raise BackendUnavailableError(
            f"cannot connect to PostgreSQL at {safe_url(url)}: {str(error).strip()}"
        ) from None


class _Qmark:
    """A psycopg connection seen through `?` placeholders (the statements' common spelling)."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Any:
        """Run one statement with `?` placeholders."""
        return self._conn.execute(sql.replace("?", "%s"), parameters)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]], /) -> Any:
        """Run one statement per row of parameters."""
        cursor = self._conn.cursor()
        cursor.executemany(sql.replace("?", "%s"), rows)
        return cursor


@contextmanager
def postgres_transaction(conn: Any) -> Iterator[_Qmark]:
    """One transaction on a psycopg connection, seen through `?` placeholders."""
    with conn.transaction():
        yield _Qmark(conn)


class PostgresDatabase:
    """A PostgreSQL database as a `SqlDatabase`: one connection shared by its threads behind a
    lock, reopened after it was lost. Opening checks the schema version (`upgrade=True`
    applies the missing migrations instead, under an advisory lock)."""

    dialect: Dialect = "postgresql"

    def __init__(self, url: str, *, upgrade: bool = False) -> None:
        """Connect to `url` and check (or, with `upgrade`, bring up to date) its schema."""
        import psycopg.errors

        self.url = url
        self.duplicate_errors: tuple[type[BaseException], ...] = (
            psycopg.errors.UniqueViolation,
        )
        self._lock = threading.RLock()
        self._conn = connect_postgres(url)
        try:
            with self.transaction(write=True) as conn:
                if upgrade:
                    conn.execute("SELECT pg_advisory_xact_lock(hashtext('unimap-migrations'))")
                    migrations.upgrade(conn.execute, "postgresql", safe_url(url))
                else:
                    migrations.check(conn.execute, "postgresql", safe_url(url))
        except BaseException:
            self._conn.close()
            raise

    def __repr__(self) -> str:
        """Show the URL without its password."""
        return f"PostgresDatabase({safe_url(self.url)!r})"

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[_Qmark]:
        """One transaction, rolled back on error; a lost connection fails it with
        `BackendUnavailableError` and is reopened by the next one."""
        import psycopg

        with self._lock:
            if self._conn.closed:
                self._conn = connect_postgres(self.url)
            try:
                with postgres_transaction(self._conn) as conn:
                    yield conn
            except psycopg.OperationalError as error:
                if not self._conn.closed:
                    raise
                raise BackendUnavailableError(
                    f"the connection to PostgreSQL at {safe_url(self.url)} was lost "
                    f"({str(error).strip()}); the next operation reconnects"
                ) from None

    @staticmethod
    def blob(column: str) -> str:
        """The column itself (`BYTEA` reads as bytes)."""
        return column

    @staticmethod
    def lock_rows(*, skip_locked: bool = False) -> str:
        """`FOR UPDATE` (with `SKIP LOCKED`, rows another transaction holds are passed over)."""
        return " FOR UPDATE SKIP LOCKED" if skip_locked else " FOR UPDATE"

    def backend_pid(self) -> int:
        """The process id of this connection's PostgreSQL session (for diagnostics)."""
        with self._lock:
            return int(self._conn.info.backend_pid)

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()


class PostgresAccountStore(SqlAccountStore):
    """An `AccountStore` in PostgreSQL, credentials encrypted exactly as in SQLite.

    `url` is a libpq URL (`postgresql://user@host:5432/db`; a schema can be chosen with
    `?options=-csearch_path%3Dname`). `key` as for `SqliteAccountStore`. `upgrade=True` applies
    missing migrations on open (what `unimap db upgrade` does); otherwise a database behind
    the code raises `SchemaVersionError`.
    """

    def __init__(self, url: str, *, key: bytes | None = None, upgrade: bool = False) -> None:
        """Connect to `url` and check (or, with `upgrade`, bring up to date) its schema."""
        self.url = url
        cipher = SecretCipher(key if key is not None else load_key())
        self._postgres = PostgresDatabase(url, upgrade=upgrade)
        super().__init__(self._postgres, cipher)

    def __repr__(self) -> str:
        """Show the URL without its password (never the key)."""
        return f"PostgresAccountStore({safe_url(self.url)!r})"

    def backend_pid(self) -> int:
        """The process id of this store's PostgreSQL session (for diagnostics)."""
        return self._postgres.backend_pid()
