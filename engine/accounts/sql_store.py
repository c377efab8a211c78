"""The account store over SQL, shared by the SQLite and PostgreSQL stores.

`SqlAccountStore` holds everything both dialects share: the columns, encryption of every
secret before it is bound (AES-256-GCM, `engine.accounts.crypto`), and the queries, written
with `?` placeholders. It runs them on a `SqlDatabase` (`SqliteDatabase`, `PostgresDatabase`):
the connection, whose `transaction()` yields a `Transaction` (one atomic unit; the PostgreSQL
one turns `?` into `%s`), plus the few spellings that differ (`blob`, `lock_rows`,
`duplicate_errors`). Other stores in the same database (API tokens, link tokens, the webhook
outbox) run their statements on the same `SqlDatabase`.

Layout (see `engine.accounts.migrations` for the versioned schema):

* `accounts`: one row per account, non-secret columns only; `metadata` and the connection
  `settings` are JSON text, times fixed-width ISO-8601 UTC text; `tenant_id` (version 3) is
  the host app's id for the customer owning the account.
* `account_secrets(account_id, field, name, ciphertext)`: one row per credential
  (`field = 'credentials'`) or secret metadata entry (`field = 'secret_metadata'`).
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self

from engine.accounts.crypto import SecretCipher, associated_data
from engine.accounts.errors import AccountNotFoundError, AccountsError, DuplicateAccountError
from engine.accounts.migrations import Dialect, current_version, timestamp
from engine.accounts.model import Account, AccountStatus, UnreadableAccount, as_utc, utc_now
from engine.secrets import Secret

__all__ = ["SqlAccountStore", "Transaction"]

_CREDENTIALS = "credentials"
_SECRET_METADATA = "secret_metadata"

_ACCOUNT_COLUMNS = (
    "id, provider, label, status, created_at, last_used_at, base_url, metadata, settings, tenant_id"
)
_PLACEHOLDERS = ", ".join("?" * len(_ACCOUNT_COLUMNS.split(", ")))


def _json_checked(metadata: dict[str, Any]) -> dict[str, Any]:
    # Validated exactly as `Account` validates metadata, so every store accepts the same values.
    return Account(id="_", provider="_", label="", metadata=metadata).metadata


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


class Transaction(Protocol):
    """One open transaction: statements with `?` placeholders."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Any:
        """Run one statement; return its cursor."""
        ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]], /) -> Any:
        """Run one statement once per row of parameters."""
        ...


class SqlDatabase(Protocol):
    """One open database of either dialect, shared by the stores that keep tables in it."""

    dialect: Dialect
    duplicate_errors: tuple[type[BaseException], ...]
    """The driver's exceptions for a violated primary key or unique constraint."""

    def transaction(self, *, write: bool = False) -> AbstractContextManager[Transaction]:
        """One transaction (`write` for one that changes rows), rolled back on error."""
        ...

    def blob(self, column: str) -> str:
        """The select expression reading binary `column` as bytes."""
        ...

    def lock_rows(self, *, skip_locked: bool = False) -> str:
        """The clause ending a SELECT that locks its rows until commit ('' where a write
        transaction already excludes other writers, as in SQLite)."""
        ...

    def close(self) -> None:
        """Close the connection."""
        ...


class SqlAccountStore:
    """An `AccountStore` over a `SqlDatabase` with credentials encrypted."""

    def __init__(self, database: SqlDatabase, cipher: SecretCipher) -> None:
        """Keep the accounts in `database`, encrypting and decrypting with `cipher`."""
        self.database = database
        self._cipher = cipher
        self._for_update = database.lock_rows()

    def _transaction(self, *, write: bool = False) -> AbstractContextManager[Transaction]:
        return self.database.transaction(write=write)

    def transaction(self, *, write: bool = False) -> AbstractContextManager[Transaction]:
        """One transaction on this store's database (other stores sharing the database, such
        as the API tokens', run their statements through it)."""
        return self._transaction(write=write)

    def _blob(self, column: str) -> str:
        return self.database.blob(column)

    def close(self) -> None:
        """Close the database connection."""
        self.database.close()

    def schema_version(self) -> int:
        """Return the database's schema version."""
        with self._transaction() as conn:
            return current_version(conn.execute, self.database.dialect)

    def __enter__(self) -> Self:
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
        self, conn: Transaction, account_id: str, field: str, values: Mapping[str, Secret]
    ) -> None:
        conn.executemany(
            "INSERT INTO account_secrets (account_id, field, name, ciphertext) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (account_id, field, name) "
            "DO UPDATE SET ciphertext = excluded.ciphertext",
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
            tenant_id=row[9],
            credentials=found[_CREDENTIALS],
            secret_metadata=found[_SECRET_METADATA],
        )

    @staticmethod
    def _require(conn: Transaction, account_id: str) -> None:
        if conn.execute("SELECT 1 FROM accounts WHERE id = ?", (account_id,)).fetchone() is None:
            raise AccountNotFoundError(account_id)

    def _load(self, conn: Transaction, account_id: str) -> Account:
        row = conn.execute(
            f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE id = ?", (account_id,)
        ).fetchone()
        if row is None:
            raise AccountNotFoundError(account_id)
        secret_rows = conn.execute(
            f"SELECT field, name, {self._blob('ciphertext')} FROM account_secrets "
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
        self,
        *,
        provider: str | None = None,
        status: AccountStatus | str | None = None,
        tenant_id: str | None = None,
    ) -> builtins.list[Account]:
        """Return the accounts in `(created_at, id)` order, optionally filtered.

        Raises `CredentialDecryptionError` when any stored secret cannot be decrypted; `scan`
        lists the readable accounts and reports the others instead.
        """
        rows, secrets = self._select(provider, status, tenant_id)
        return [self._build(row, secrets.get(row[0], [])) for row in rows]

    def scan(
        self,
        *,
        provider: str | None = None,
        status: AccountStatus | str | None = None,
        tenant_id: str | None = None,
    ) -> tuple[builtins.list[Account], builtins.list[UnreadableAccount]]:
        """Like `list`, but an account that cannot be read (a secret that does not decrypt
        with the current key, damaged metadata) is reported by id with the reason instead of
        failing the whole listing: `(readable accounts, unreadable ones)`."""
        rows, secrets = self._select(provider, status, tenant_id)
        readable: builtins.list[Account] = []
        unreadable: builtins.list[UnreadableAccount] = []
        for row in rows:
            try:
                readable.append(self._build(row, secrets.get(row[0], [])))
            except (AccountsError, ValueError, TypeError, KeyError) as exc:
                reason = exc.message if isinstance(exc, AccountsError) else type(exc).__name__
                unreadable.append(UnreadableAccount(str(row[0]), str(row[1]), str(row[3]), reason))
        return readable, unreadable

    def _select(
        self, provider: str | None, status: AccountStatus | str | None, tenant_id: str | None
    ) -> tuple[builtins.list[Any], dict[str, builtins.list[tuple[str, str, bytes]]]]:
        """The account rows in order and their secret rows by account id."""
        conditions: builtins.list[str] = []
        parameters: builtins.list[str] = []
        if tenant_id is not None:
            conditions.append("a.tenant_id = ?")
            parameters.append(tenant_id)
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
                f"SELECT s.account_id, s.field, s.name, {self._blob('s.ciphertext')} "
                "FROM account_secrets s "
                f"JOIN accounts a ON a.id = s.account_id {where} ORDER BY s.field, s.name",
                parameters,
            ).fetchall()
        by_account: dict[str, builtins.list[tuple[str, str, bytes]]] = {}
        for account_id, field, name, blob in secret_rows:
            by_account.setdefault(account_id, []).append((field, name, blob))
        return rows, by_account

    # -- writing ---------------------------------------------------------------------------

    def add(self, account: Account) -> Account:
        """Store a new account and return it (`DuplicateAccountError` if the id exists)."""
        with self._transaction(write=True) as conn:
            try:
                conn.execute(
                    f"INSERT INTO accounts ({_ACCOUNT_COLUMNS}) VALUES ({_PLACEHOLDERS})",
                    (
                        account.id,
                        account.provider,
                        account.label,
                        account.status.value,
                        timestamp(account.created_at),
                        timestamp(account.last_used_at) if account.last_used_at else None,
                        account.base_url,
                        json.dumps(account.metadata, sort_keys=True),
                        json.dumps(account.settings, sort_keys=True),
                        account.tenant_id,
                    ),
                )
            except self.database.duplicate_errors:
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
        return self._update_column(account_id, "last_used_at", timestamp(moment))

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
                "SELECT metadata FROM accounts WHERE id = ?" + self._for_update, (account_id,)
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
