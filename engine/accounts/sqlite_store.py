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
from engine.accounts.sql_store import SqlAccountStore

__all__ = ["DB_FILE_NAME", "SCHEMA_VERSION", "SqliteAccountStore", "default_path"]

#: The database file's name inside `$UNIMAP_HOME`.
DB_FILE_NAME = "unimap.db"
#: The schema version this code writes.
SCHEMA_VERSION = migrations.SCHEMA_VERSION


def default_path() -> Path:
    """The embedded database: `$UNIMAP_HOME/unimap.db` (`~/.unimap/unimap.db` when unset)."""
    return default_home() / DB_FILE_NAME


class SqliteAccountStore(SqlAccountStore):
    """An `AccountStore` in a SQLite file, with credentials encrypted (AES-256-GCM).

    `key` is the 32-byte encryption key; by default it is loaded with
    `engine.accounts.keys.load_key()` (`UNIMAP_SECRET_KEY`, else `$UNIMAP_HOME/secret.key`).
    The schema is created or migrated on open. Use `close()` or a `with` block when done.
    """

    _duplicate_errors = (sqlite3.IntegrityError,)

    def __init__(self, path: str | os.PathLike[str], *, key: bytes | None = None) -> None:
        """Open (creating if needed) the database at `path`."""
        self.path = Path(path)
        super().__init__(SecretCipher(key if key is not None else load_key()))
        self._lock = threading.RLock()
        self._conn = open_sqlite(self.path)
        try:
            with self._transaction(write=True) as conn:
                migrations.upgrade(conn.execute, "sqlite", str(self.path))
        except BaseException:
            self._conn.close()
            raise

    def __repr__(self) -> str:
        """Show the database path (never the key)."""
        return f"SqliteAccountStore({str(self.path)!r})"

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()

    @staticmethod
    def _blob(column: str) -> str:
        return f"CAST({column} AS BLOB)"

    @contextmanager
    def _transaction(self, *, write: bool = False) -> Iterator[sqlite3.Connection]:
        with self._lock, sqlite_transaction(self._conn, write=write) as conn:
            yield conn

    def schema_version(self) -> int:
        """Return the database's schema version."""
        with self._transaction() as conn:
            return migrations.current_version(conn.execute, "sqlite")


def open_sqlite(path: Path) -> sqlite3.Connection:
    """Open (creating owner-only if needed) the SQLite file at `path` in autocommit mode,
    with foreign keys and `secure_delete` on."""
    ensure_private_dir(path.parent)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600))
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30.0)
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
