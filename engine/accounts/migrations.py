"""The versioned schema of the accounts database, for SQLite and PostgreSQL alike.

Migration N brings a database from version N-1 to N; each carries the statements of both
dialects, so a SQLite file and a PostgreSQL database at the same version have the same tables
and columns. Append new migrations; never edit old ones.

The table `schema_version(version, applied_at)` records one row per applied migration; the
database's version is the highest. `upgrade` applies the missing migrations in one
transaction; `check` raises `SchemaVersionError` when a database is behind (telling to run
`unimap db upgrade`) or ahead (written by a newer Unimap).

Times are stored as fixed-width ISO-8601 UTC text (always microseconds, always `+00:00`) in
both dialects, so text order is time order and rows copy between the two unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from engine.accounts.errors import SchemaVersionError

__all__ = [
    "COPIED_TABLES",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Dialect",
    "Migration",
    "check",
    "current_version",
    "timestamp",
    "upgrade",
]

Dialect = Literal["sqlite", "postgresql"]
#: Runs one statement (with `?` placeholders) and returns a DB-API cursor.
Execute = Callable[[str, Sequence[Any]], Any]


@dataclass(frozen=True)
class Migration:
    """One schema step: its version, what it does, and its statements per dialect."""

    version: int
    description: str
    sqlite: tuple[str, ...]
    postgresql: tuple[str, ...]

    def statements(self, dialect: Dialect) -> tuple[str, ...]:
        """The statements of this step in `dialect`."""
        return self.sqlite if dialect == "sqlite" else self.postgresql


_ACCOUNTS_TABLE = """CREATE TABLE accounts (
            id TEXT PRIMARY KEY,
            provider TEXT NOT NULL,
            label TEXT NOT NULL,
            status TEXT NOT NULL,
            created_at TEXT NOT NULL,
            last_used_at TEXT,
            base_url TEXT,
            metadata TEXT NOT NULL DEFAULT '{}'
        )"""
_ACCOUNTS_INDEX = "CREATE INDEX accounts_by_creation ON accounts (created_at, id)"
_SECRETS_TABLE = """CREATE TABLE account_secrets (
            account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
            field TEXT NOT NULL,
            name TEXT NOT NULL,
            ciphertext {blob} NOT NULL,
            PRIMARY KEY (account_id, field, name)
        ){suffix}"""
_SETTINGS_COLUMN = "ALTER TABLE accounts ADD COLUMN settings TEXT NOT NULL DEFAULT '{}'"
_TENANTS_AND_TOKENS = (
    "ALTER TABLE accounts ADD COLUMN tenant_id TEXT",
    "CREATE INDEX accounts_by_tenant ON accounts (tenant_id, created_at, id)",
    """CREATE TABLE api_tokens (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            secret_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            last_used_at TEXT,
            revoked_at TEXT
        )""",
)
_LINK_TOKENS = (
    """CREATE TABLE link_tokens (
            id TEXT PRIMARY KEY,
            provider TEXT NOT NULL,
            tenant_id TEXT,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            redirect_uri TEXT,
            integrated_account_id TEXT,
            used_at TEXT
        )""",
    "CREATE INDEX link_tokens_by_expiry ON link_tokens (expires_at)",
)
# `IF NOT EXISTS`: the outbox created these tables itself in SQLite files before migration 5.
_OUTBOX = """CREATE TABLE IF NOT EXISTS webhook_outbox (
            id TEXT PRIMARY KEY,
            account_id TEXT NOT NULL,
            tenant_id TEXT,
            event_type TEXT NOT NULL,
            body {blob} NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            created_at {real} NOT NULL,
            due_at {real} NOT NULL,
            lease_id TEXT,
            lease_until {real},
            finished_at {real},
            last_error TEXT
        )"""
_OUTBOX_INDEX = "CREATE INDEX IF NOT EXISTS webhook_outbox_due ON webhook_outbox (state, due_at)"
_ENDPOINTS = """CREATE TABLE IF NOT EXISTS webhook_endpoints (
            tenant_id TEXT PRIMARY KEY,
            url TEXT NOT NULL,
            updated_at {real} NOT NULL
        )"""

# The events a link token asks to subscribe to (a JSON list, or NULL) and its refused attempts.
_LINK_TOKEN_WEBHOOKS = (
    "ALTER TABLE link_tokens ADD COLUMN webhook_events TEXT",
    "ALTER TABLE link_tokens ADD COLUMN failed_attempts INTEGER NOT NULL DEFAULT 0",
)

# Forwarding URLs that answered 410 Gone: nothing is sent to them until they are enabled again.
_DISABLED_ENDPOINTS = """CREATE TABLE webhook_disabled_endpoints (
            url TEXT PRIMARY KEY,
            reason TEXT NOT NULL,
            disabled_at {real} NOT NULL
        )"""


def _outbox(blob: str, real: str) -> tuple[str, ...]:
    return (
        _OUTBOX.format(blob=blob, real=real),
        _OUTBOX_INDEX,
        _ENDPOINTS.format(real=real),
    )


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "accounts and their encrypted secrets",
        sqlite=(
            _ACCOUNTS_TABLE,
            _ACCOUNTS_INDEX,
            _SECRETS_TABLE.format(blob="BLOB", suffix=" WITHOUT ROWID"),
        ),
        postgresql=(
            _ACCOUNTS_TABLE,
            _ACCOUNTS_INDEX,
            _SECRETS_TABLE.format(blob="BYTEA", suffix=""),
        ),
    ),
    Migration(2, "connection settings", sqlite=(_SETTINGS_COLUMN,), postgresql=(_SETTINGS_COLUMN,)),
    Migration(
        3,
        "tenants of accounts; API tokens of `unimap serve`",
        sqlite=_TENANTS_AND_TOKENS,
        postgresql=_TENANTS_AND_TOKENS,
    ),
    Migration(
        4, "link tokens of the hosted link page", sqlite=_LINK_TOKENS, postgresql=_LINK_TOKENS
    ),
    Migration(
        5,
        "the webhook outbox and tenants' forwarding endpoints (times in Unix seconds)",
        sqlite=_outbox("BLOB", "REAL"),
        postgresql=_outbox("BYTEA", "DOUBLE PRECISION"),
    ),
    Migration(
        6,
        "link tokens: webhook events to subscribe to, refused credential attempts",
        sqlite=_LINK_TOKEN_WEBHOOKS,
        postgresql=_LINK_TOKEN_WEBHOOKS,
    ),
    Migration(
        7,
        "forwarding URLs disabled after answering 410 Gone",
        sqlite=(_DISABLED_ENDPOINTS.format(real="REAL"),),
        postgresql=(_DISABLED_ENDPOINTS.format(real="DOUBLE PRECISION"),),
    ),
)
#: The schema version this code reads and writes.
SCHEMA_VERSION = MIGRATIONS[-1].version

#: The tables `unimap db move` copies, parents first, each with its primary-key columns.
COPIED_TABLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("accounts", ("id",)),
    ("account_secrets", ("account_id", "field", "name")),
    ("api_tokens", ("id",)),
    ("link_tokens", ("id",)),
    ("webhook_outbox", ("id",)),
    ("webhook_endpoints", ("tenant_id",)),
    ("webhook_disabled_endpoints", ("url",)),
)

_VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_version "
    "(version INTEGER NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL)"
)


def timestamp(value: datetime) -> str:
    """The stored form of a time: fixed-width ISO-8601 in UTC, so text order is time order."""
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def current_version(execute: Execute, dialect: Dialect) -> int:
    """The database's schema version (0 when it has no `schema_version` table yet)."""
    if dialect == "sqlite":
        exists = execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'", ()
        ).fetchone()
    else:
        exists = execute("SELECT to_regclass('schema_version')", ()).fetchone()
        exists = exists if exists is not None and exists[0] is not None else None
    if exists is None:
        return 0
    row = execute("SELECT COALESCE(MAX(version), 0) FROM schema_version", ()).fetchone()
    return int(row[0])


def _refuse_newer(version: int, where: str) -> None:
    if version > SCHEMA_VERSION:
        raise SchemaVersionError(
            f"{where} has schema version {version}, newer than the {SCHEMA_VERSION} this "
            "version of Unimap understands; upgrade Unimap"
        )


def upgrade(execute: Execute, dialect: Dialect, where: str) -> list[int]:
    """Apply the missing migrations (call inside one write transaction); return their
    versions. A database newer than this code raises `SchemaVersionError`."""
    execute(_VERSION_TABLE, ())
    version = current_version(execute, dialect)
    _refuse_newer(version, where)
    applied: list[int] = []
    for migration in MIGRATIONS:
        if migration.version <= version:
            continue
        for statement in migration.statements(dialect):
            execute(statement, ())
        execute(
            "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
            (migration.version, timestamp(datetime.now(UTC))),
        )
        applied.append(migration.version)
    return applied


def check(execute: Execute, dialect: Dialect, where: str) -> int:
    """Return the database's version if it is exactly the one this code expects; otherwise
    raise `SchemaVersionError` saying what to do."""
    version = current_version(execute, dialect)
    _refuse_newer(version, where)
    if version < SCHEMA_VERSION:
        raise SchemaVersionError(
            f"{where} has schema version {version}, older than the {SCHEMA_VERSION} this "
            "version of Unimap needs; run `unimap db upgrade` (with the same "
            "UNIMAP_DATABASE_URL) to migrate it"
        )
    return version
