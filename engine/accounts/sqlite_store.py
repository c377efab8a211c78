"""The embedded default account store: one SQLite file, secrets encrypted with AES-256-GCM.

Layout (schema version 2):

* `schema_version(version, applied_at)`: one row per applied migration; the current version
  is the highest. Opening a database written by a newer schema raises `SchemaVersionError`.
* `accounts`: one row per account, non-secret columns only; `metadata` and the connection
  `settings` (added by migration 2) are JSON text.
* `account_secrets(account_id, field, name, ciphertext)`: one row per credential
  (`field = 'credentials'`) or secret metadata entry (`field = 'secret_metadata'`); the
  ciphertext format and associated data are described in `engine.accounts.crypto`.

Clear-text secrets never reach SQLite (they are encrypted before binding), so neither the
database file nor its rollback journal can hold one. `secure_delete` is on, so pages freed by
a removal or an overwrite are zeroed rather than left with old ciphertext. The file is created
with mode 0600 (its journal inherits it) in a folder created with mode 0700.

One connection is shared by every thread behind a lock (`check_same_thread=False`); every
operation is a single transaction (`BEGIN IMMEDIATE` for writes), so separate processes
sharing the file also see consistent accounts.
"""

from __future__ import annotations

import builtins
import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from engine.accounts.crypto import SecretCipher, associated_data
from engine.accounts.errors import AccountNotFoundError, DuplicateAccountError, SchemaVersionError
from engine.accounts.home import default_home, ensure_private_dir
from engine.accounts.keys import load_key
from engine.accounts.model import Account, AccountStatus, as_utc, utc_now
from engine.secrets import Secret

__all__ = ["DB_FILE_NAME", "SCHEMA_VERSION", "SqliteAccountStore", "default_home", "default_store"]

#: The database file's name inside `$UNIMAP_HOME`.
DB_FILE_NAME = "unimap.db"

_CREDENTIALS = "credentials"
_SECRET_METADATA = "secret_metadata"

# Migration N brings a database from version N-1 to N. Append new ones; never edit old ones.
_MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        """CREATE TABLE accounts (
            id TEXT PRIMARY KEY,
            provider TEXT NOT NULL,
            label TEXT NOT NULL,
            status TEXT NOT NULL,
            created_at TEXT NOT NULL,
            last_used_at TEXT,
            base_url TEXT,
            metadata TEXT NOT NULL DEFAULT '{}'
        )""",
        "CREATE INDEX accounts_by_creation ON accounts (created_at, id)",
        """CREATE TABLE account_secrets (
            account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
            field TEXT NOT NULL,
            name TEXT NOT NULL,
            ciphertext BLOB NOT NULL,
            PRIMARY KEY (account_id, field, name)
        ) WITHOUT ROWID""",
    ),
    2: ("ALTER TABLE accounts ADD COLUMN settings TEXT NOT NULL DEFAULT '{}'",),
}
#: The schema version this code writes.
SCHEMA_VERSION = max(_MIGRATIONS)

_ACCOUNT_COLUMNS = (
    "id, provider, label, status, created_at, last_used_at, base_url, metadata, settings"
)


def _timestamp(value: datetime) -> str:
    # Fixed width (always microseconds, always +00:00), so text order is time order.
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _json_checked(metadata: dict[str, Any]) -> dict[str, Any]:
    # Validated exactly as `Account` validates metadata, so both stores accept the same values.
    return Account(id="_", provider="_", label="", metadata=metadata).metadata


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


class SqliteAccountStore:
    """An `AccountStore` in a SQLite file, with credentials encrypted (AES-256-GCM).

    `key` is the 32-byte encryption key; by default it is loaded with
    `engine.accounts.keys.load_key()` (`UNIMAP_SECRET_KEY`, else `$UNIMAP_HOME/secret.key`).
    The schema is created or migrated on open. Use `close()` or a `with` block when done.
    """

    def __init__(self, path: str | os.PathLike[str], *, key: bytes | None = None) -> None:
        """Open (creating if needed) the database at `path`."""
        self.path = Path(path)
        self._cipher = SecretCipher(key if key is not None else load_key())
        self._lock = threading.RLock()
        ensure_private_dir(self.path.parent)
        os.close(os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600))
        self._conn = sqlite3.connect(
            self.path, check_same_thread=False, isolation_level=None, timeout=30.0
        )
        try:
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._conn.execute("PRAGMA secure_delete = ON")
            self._migrate()
        except BaseException:
            self._conn.close()
            raise

    def __repr__(self) -> str:
        """Show the database path (never the key)."""
        return f"SqliteAccountStore({str(self.path)!r})"

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> SqliteAccountStore:
        """Return the store itself."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the store."""
        self.close()

    @contextmanager
    def _transaction(self, *, write: bool = False) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _migrate(self) -> None:
        with self._transaction(write=True) as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version "
                "(version INTEGER NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            row = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()
            version = int(row[0])
            if version > SCHEMA_VERSION:
                raise SchemaVersionError(
                    f"{self.path} has schema version {version}, newer than the {SCHEMA_VERSION} "
                    "this version of Unimap understands; upgrade Unimap"
                )
            for target in range(version + 1, SCHEMA_VERSION + 1):
                for statement in _MIGRATIONS[target]:
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                    (target, _timestamp(utc_now())),
                )

    def schema_version(self) -> int:
        """Return the database's schema version."""
        with self._transaction() as conn:
            return int(conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0])

    # -- encryption ------------------------------------------------------------------------

    def _encrypt_rows(
        self, account_id: str, field: str, values: Mapping[str, Secret]
    ) -> builtins.list[tuple[str, str, str, bytes]]:
        return [
            (
                account_id,
                field,
                name,
                self._cipher.encrypt(secret.reveal(), associated_data(account_id, field, name)),
            )
            for name, secret in values.items()
        ]

    def _decrypt(self, account_id: str, field: str, name: str, blob: bytes) -> Secret:
        label = "credential" if field == _CREDENTIALS else "secret metadata"
        return Secret(
            self._cipher.decrypt(
                blob,
                associated_data(account_id, field, name),
                what=f"{label} {name!r} of account {account_id!r}",
            )
        )

    def _insert_secrets(
        self, conn: sqlite3.Connection, account_id: str, field: str, values: Mapping[str, Secret]
    ) -> None:
        conn.executemany(
            "INSERT OR REPLACE INTO account_secrets (account_id, field, name, ciphertext) "
            "VALUES (?, ?, ?, ?)",
            self._encrypt_rows(account_id, field, values),
        )

    # -- reading ---------------------------------------------------------------------------

    def _build(
        self, row: tuple[Any, ...], secret_rows: builtins.list[tuple[str, str, bytes]]
    ) -> Account:
        account_id = row[0]
        found: dict[str, dict[str, Secret]] = {_CREDENTIALS: {}, _SECRET_METADATA: {}}
        for field, name, blob in secret_rows:
            found.setdefault(field, {})[name] = self._decrypt(account_id, field, name, blob)
        return Account(
            id=account_id,
            provider=row[1],
            label=row[2],
            status=AccountStatus(row[3]),
            created_at=datetime.fromisoformat(row[4]),
            last_used_at=_parse_time(row[5]),
            base_url=row[6],
            metadata=json.loads(row[7]),
            settings=json.loads(row[8]),
            credentials=found[_CREDENTIALS],
            secret_metadata=found[_SECRET_METADATA],
        )

    @staticmethod
    def _require(conn: sqlite3.Connection, account_id: str) -> None:
        if conn.execute("SELECT 1 FROM accounts WHERE id = ?", (account_id,)).fetchone() is None:
            raise AccountNotFoundError(account_id)

    def _load(self, conn: sqlite3.Connection, account_id: str) -> Account:
        row = conn.execute(
            f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE id = ?", (account_id,)
        ).fetchone()
        if row is None:
            raise AccountNotFoundError(account_id)
        secret_rows = conn.execute(
            "SELECT field, name, CAST(ciphertext AS BLOB) FROM account_secrets "
            "WHERE account_id = ? ORDER BY field, name",
            (account_id,),
        ).fetchall()
        return self._build(row, secret_rows)

    def get(self, account_id: str) -> Account:
        """Return the account with this id, credentials decrypted.

        Raises `AccountNotFoundError`, or `CredentialDecryptionError` when a stored secret
        cannot be decrypted with the current key.
        """
        with self._transaction() as conn:
            return self._load(conn, account_id)

    def list(
        self, *, provider: str | None = None, status: AccountStatus | str | None = None
    ) -> builtins.list[Account]:
        """Return the accounts in `(created_at, id)` order, optionally filtered."""
        conditions: builtins.list[str] = []
        parameters: builtins.list[str] = []
        if provider is not None:
            conditions.append("a.provider = ?")
            parameters.append(provider)
        if status is not None:
            conditions.append("a.status = ?")
            parameters.append(AccountStatus(status).value)
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        columns = ", ".join(f"a.{column}" for column in _ACCOUNT_COLUMNS.split(", "))
        with self._transaction() as conn:
            rows = conn.execute(
                f"SELECT {columns} FROM accounts a {where} ORDER BY a.created_at, a.id",
                parameters,
            ).fetchall()
            secret_rows = conn.execute(
                "SELECT s.account_id, s.field, s.name, CAST(s.ciphertext AS BLOB) "
                "FROM account_secrets s "
                f"JOIN accounts a ON a.id = s.account_id {where} ORDER BY s.field, s.name",
                parameters,
            ).fetchall()
        by_account: dict[str, builtins.list[tuple[str, str, bytes]]] = {}
        for account_id, field, name, blob in secret_rows:
            by_account.setdefault(account_id, []).append((field, name, blob))
        return [self._build(row, by_account.get(row[0], [])) for row in rows]

    # -- writing ---------------------------------------------------------------------------

    def add(self, account: Account) -> Account:
        """Store a new account and return it (`DuplicateAccountError` if the id exists)."""
        with self._transaction(write=True) as conn:
            try:
                conn.execute(
                    f"INSERT INTO accounts ({_ACCOUNT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        account.id,
                        account.provider,
                        account.label,
                        account.status.value,
                        _timestamp(account.created_at),
                        _timestamp(account.last_used_at) if account.last_used_at else None,
                        account.base_url,
                        json.dumps(account.metadata, sort_keys=True),
                        json.dumps(account.settings, sort_keys=True),
                    ),
                )
            except sqlite3.IntegrityError:
                raise DuplicateAccountError(account.id) from None
            self._insert_secrets(conn, account.id, _CREDENTIALS, account.credentials)
            self._insert_secrets(conn, account.id, _SECRET_METADATA, account.secret_metadata)
            return self._load(conn, account.id)

    def remove(self, account_id: str) -> None:
        """Delete the account and its encrypted secrets (`AccountNotFoundError` if unknown)."""
        with self._transaction(write=True) as conn:
            if conn.execute("DELETE FROM accounts WHERE id = ?", (account_id,)).rowcount == 0:
                raise AccountNotFoundError(account_id)

    def _update_column(self, account_id: str, column: str, value: str | None) -> Account:
        with self._transaction(write=True) as conn:
            cursor = conn.execute(
                f"UPDATE accounts SET {column} = ? WHERE id = ?", (value, account_id)
            )
            if cursor.rowcount == 0:
                raise AccountNotFoundError(account_id)
            return self._load(conn, account_id)

    def update_status(self, account_id: str, status: AccountStatus | str) -> Account:
        """Set the account's status and return the updated account."""
        return self._update_column(account_id, "status", AccountStatus(status).value)

    def touch(self, account_id: str, when: datetime | None = None) -> Account:
        """Set `last_used_at` to `when` (default now, UTC) and return the updated account."""
        moment = as_utc(when, "when") if when is not None else utc_now()
        return self._update_column(account_id, "last_used_at", _timestamp(moment))

    def set_credentials(self, account_id: str, credentials: Mapping[str, str | Secret]) -> Account:
        """Replace all credentials (re-encrypted with fresh nonces) and return the account."""
        values = {name: Secret(value) for name, value in credentials.items()}
        with self._transaction(write=True) as conn:
            self._require(conn, account_id)
            conn.execute(
                "DELETE FROM account_secrets WHERE account_id = ? AND field = ?",
                (account_id, _CREDENTIALS),
            )
            self._insert_secrets(conn, account_id, _CREDENTIALS, values)
            return self._load(conn, account_id)

    def set_metadata(self, account_id: str, key: str, value: Any) -> Account:
        """Set one metadata entry (a JSON-serialisable value) and return the account."""
        with self._transaction(write=True) as conn:
            row = conn.execute(
                "SELECT metadata FROM accounts WHERE id = ?", (account_id,)
            ).fetchone()
            if row is None:
                raise AccountNotFoundError(account_id)
            metadata = {**json.loads(row[0]), key: value}
            conn.execute(
                "UPDATE accounts SET metadata = ? WHERE id = ?",
                (json.dumps(_json_checked(metadata), sort_keys=True), account_id),
            )
            return self._load(conn, account_id)

    def set_secret_metadata(self, account_id: str, key: str, value: str | Secret) -> Account:
        """Encrypt and set one secret metadata entry and return the account."""
        with self._transaction(write=True) as conn:
            self._require(conn, account_id)
            self._insert_secrets(conn, account_id, _SECRET_METADATA, {key: Secret(value)})
            return self._load(conn, account_id)


def default_store(*, key: bytes | None = None) -> SqliteAccountStore:
    """Open the default store, `$UNIMAP_HOME/unimap.db` (`~/.unimap/unimap.db` when unset)."""
    return SqliteAccountStore(default_home() / DB_FILE_NAME, key=key)
