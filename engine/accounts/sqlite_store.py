"""The embedded default account store: one SQLite file, secrets encrypted with AES-256-GCM.

The schema is `engine.accounts.migrations` (the `schema_version` table records each applied
migration). Opening the file applies any missing migration at once, so a newcomer never has to
run `unimap db upgrade` for the embedded default; opening a file written by a newer schema
raises `SchemaVersionError`.

Clear-text secrets never reach SQLite (they are encrypted before binding), so neither the
database file nor its rollback journal can hold one. `secure_delete` is on, so pages freed by
a removal or an overwrite are zeroed rather than left with old ciphertext. The file is created
with mode 0600 (its journal inherits it) in a folder created with mode 0700.

One connection is shared by every thread behind a lock (`check_same_thread=False`); every
operation is a single transaction (`BEGIN IMMEDIATE` for writes), so separate processes
sharing the file also see consistent accounts.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from engine.accounts import migrations
from engine.accounts.crypto import SecretCipher
from engine.accounts.home import default_home, ensure_private_dir
from engine.accounts.keys import load_key
from engine.accounts.migrations import Dialect
from engine.accounts.sql_store import SqlAccountStore
from engine.accounts.store_errors import translated_errors

__all__ = [
    "DB_FILE_NAME",
    "SCHEMA_VERSION",
    "SqliteAccountStore",
    "SqliteDatabase",
    "default_path",
    "open_sqlite",
    "sqlite_transaction",
]

#: The database file's name inside `$UNIMAP_HOME`.
DB_FILE_NAME = "unimap.db"
#: Seconds to wait for a lock another process holds before giving up with `AccountStoreError`.
BUSY_TIMEOUT_SECONDS = 30.0
#: The schema version this code writes.
SCHEMA_VERSION = migrations.SCHEMA_VERSION


def default_path() -> Path:
    """The embedded database: `$UNIMAP_HOME/unimap.db` (`~/.unimap/unimap.db` when unset)."""
    return default_home() / DB_FILE_NAME


class SqliteDatabase:
    """A SQLite file as a `SqlDatabase`: one connection shared by every thread behind a lock;
    the schema is brought up to date on open (the embedded default needs no command)."""

    dialect: Dialect = "sqlite"
    duplicate_errors: tuple[type[BaseException], ...] = (sqlite3.IntegrityError,)

    def __init__(self, path: str | os.PathLike[str]) -> None:
        """Open (creating owner-only if needed) and migrate the file at `path`."""
        self.path = Path(path)
        self._lock = threading.RLock()
        with translated_errors(str(self.path)):
            self._conn = open_sqlite(self.path)
        try:
            with self.transaction(write=True) as conn:
                migrations.upgrade(conn.execute, "sqlite", str(self.path))
        except BaseException:
            self._conn.close()
            raise

    def __repr__(self) -> str:
        """Show the file's path."""
        return f"SqliteDatabase({str(self.path)!r})"

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[sqlite3.Connection]:
        """One transaction (`BEGIN IMMEDIATE` for writes), rolled back on error."""
        with (
            self._lock,
            translated_errors(str(self.path)),
            sqlite_transaction(self._conn, write=write) as conn,
        ):
            yield conn

    @staticmethod
    def blob(column: str) -> str:
        """`CAST(column AS BLOB)`: bytes even when a value was stored as text."""
        return f"CAST({column} AS BLOB)"

    @staticmethod
    def lock_rows(*, skip_locked: bool = False) -> str:
        """Nothing: a SQLite write transaction already excludes every other writer."""
        return ""

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()


class SqliteAccountStore(SqlAccountStore):
    """An `AccountStore` in a SQLite file, with credentials encrypted (AES-256-GCM).

    `key` is the 32-byte encryption key; by default it is loaded with
    `engine.accounts.keys.load_key()` (`UNIMAP_SECRET_KEY`, else `$UNIMAP_HOME/secret.key`).
    The schema is created or migrated on open. Use `close()` or a `with` block when done.
    """

    def __init__(self, path: str | os.PathLike[str], *, key: bytes | None = None) -> None:
        """Open (creating if needed) the database at `path`."""
        cipher = SecretCipher(key if key is not None else load_key())
        self._file = SqliteDatabase(path)
        super().__init__(self._file, cipher)

    @property
    def path(self) -> Path:
        """The database file."""
        return self._file.path

    def __repr__(self) -> str:
        """Show the database path (never the key)."""
        return f"SqliteAccountStore({str(self.path)!r})"


def open_sqlite(path: Path) -> sqlite3.Connection:
    """Open (creating owner-only if needed) the SQLite file at `path` in autocommit mode,
    with foreign keys and `secure_delete` on."""
    ensure_private_dir(path.parent)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600))
    conn = sqlite3.connect(
        path, check_same_thread=False, isolation_level=None, timeout=BUSY_TIMEOUT_SECONDS
    )
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA secure_delete = ON")
    except BaseException:
        conn.close()
        raise
    return conn


@contextmanager
def sqlite_transaction(
    conn: sqlite3.Connection, *, write: bool = False
) -> Iterator[sqlite3.Connection]:
    """One transaction on `conn` (`BEGIN IMMEDIATE` for writes), rolled back on error."""
    conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
