"""`SqliteAccountStore`: encryption at rest, tamper resistance, schema and file handling."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.accounts import (
    AccountStatus,
    CredentialDecryptionError,
    SchemaVersionError,
    SqliteAccountStore,
    default_home,
    default_store,
)
from engine.accounts.crypto import FORMAT_VERSION
from engine.accounts.keys import decode_key, generate_key
from engine.accounts.sqlite_store import SCHEMA_VERSION

from .conftest import make_account

pytestmark = pytest.mark.usefixtures("embedded_database")  # about the file, whatever the URL


def _raw(path: Path) -> sqlite3.Connection:
    """A plain connection to the database, bypassing the store."""
    return sqlite3.connect(path, isolation_level=None)


def _files_beside(db: Path) -> Iterator[Path]:
    """The database file and any journal, WAL or shared-memory file next to it."""
    return (p for p in db.parent.iterdir() if p.name.startswith(db.name))


def test_default_store_lives_in_unimap_home(unimap_home: Path) -> None:
    with default_store() as store:
        assert store.path == unimap_home / "unimap.db"
    assert store.path.is_file()


def test_default_home_falls_back_to_dot_unimap(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("UNIMAP_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_home() == tmp_path / ".unimap"


def test_accounts_persist_across_reopen(unimap_home: Path) -> None:
    with default_store() as store:
        account = store.add(make_account())
        store.update_status(account.id, AccountStatus.NEEDS_REAUTH)
    with default_store() as reopened:
        assert reopened.get(account.id) == account.evolve(status=AccountStatus.NEEDS_REAUTH)


def test_database_files_never_hold_the_canary(unimap_home: Path, canary: str) -> None:
    with default_store() as store:
        account = store.add(make_account())
        store.set_credentials(account.id, {"api_key": canary + "-rotated"})
        store.set_secret_metadata(account.id, "webhook_secret", canary)
        store.add(make_account())
        store.remove(account.id)
        open_files = {p: p.read_bytes() for p in _files_beside(store.path)}
    closed_files = {p: p.read_bytes() for p in _files_beside(store.path)}
    for contents in [*open_files.values(), *closed_files.values()]:
        assert canary.encode() not in contents
        assert canary.encode("utf-16-le") not in contents
    assert closed_files  # the scan looked at something


def test_credentials_are_stored_as_versioned_ciphertext(sqlite_store: SqliteAccountStore) -> None:
    account = sqlite_store.add(make_account())
    with _raw(sqlite_store.path) as conn:
        rows = conn.execute(
            "SELECT field, name, ciphertext FROM account_secrets WHERE account_id = ?",
            (account.id,),
        ).fetchall()
    assert {(f, n) for f, n, _ in rows} == {
        ("credentials", "api_key"),
        ("secret_metadata", "webhook_secret"),
    }
    assert all(blob[0] == FORMAT_VERSION for _, _, blob in rows)


def test_same_value_encrypts_differently_each_time(sqlite_store: SqliteAccountStore) -> None:
    first, second = sqlite_store.add(make_account()), sqlite_store.add(make_account())
    with _raw(sqlite_store.path) as conn:
        blobs = [
            conn.execute(
                "SELECT ciphertext FROM account_secrets WHERE account_id = ? AND name = 'api_key'",
                (account.id,),
            ).fetchone()[0]
            for account in (first, second)
        ]
    assert blobs[0] != blobs[1]


def _swap(db: Path, source: tuple[str, str, str], target: tuple[str, str, str]) -> None:
    """Copy the ciphertext at `source` (account, field, name) over the one at `target`."""
    with _raw(db) as conn:
        (blob,) = conn.execute(
            "SELECT ciphertext FROM account_secrets WHERE account_id=? AND field=? AND name=?",
            source,
        ).fetchone()
        conn.execute(
            "UPDATE account_secrets SET ciphertext=? WHERE account_id=? AND field=? AND name=?",
            (blob, *target),
        )


def test_ciphertext_moved_to_another_account_is_rejected(
    sqlite_store: SqliteAccountStore,
) -> None:
    victim = sqlite_store.add(make_account(secret="victim-key"))
    attacker = sqlite_store.add(make_account(secret="attacker-key"))
    _swap(
        sqlite_store.path,
        (victim.id, "credentials", "api_key"),
        (attacker.id, "credentials", "api_key"),
    )
    with pytest.raises(CredentialDecryptionError, match="authentication failed"):
        sqlite_store.get(attacker.id)
    assert sqlite_store.get(victim.id) == victim


def test_ciphertext_moved_to_another_field_is_rejected(sqlite_store: SqliteAccountStore) -> None:
    account = sqlite_store.add(make_account())
    _swap(
        sqlite_store.path,
        (account.id, "credentials", "api_key"),
        (account.id, "secret_metadata", "webhook_secret"),
    )
    with pytest.raises(CredentialDecryptionError, match="webhook_secret"):
        sqlite_store.get(account.id)


def test_altered_ciphertext_is_rejected(sqlite_store: SqliteAccountStore) -> None:
    account = sqlite_store.add(make_account())
    with _raw(sqlite_store.path) as conn:
        (blob,) = conn.execute(
            "SELECT ciphertext FROM account_secrets WHERE name = 'api_key'"
        ).fetchone()
        tampered = blob[:-1] + bytes([blob[-1] ^ 1])
        conn.execute(
            "UPDATE account_secrets SET ciphertext = ? WHERE name = 'api_key'", (tampered,)
        )
    with pytest.raises(CredentialDecryptionError, match="authentication failed"):
        sqlite_store.get(account.id)


def test_unknown_ciphertext_version_is_rejected(sqlite_store: SqliteAccountStore) -> None:
    account = sqlite_store.add(make_account())
    with _raw(sqlite_store.path) as conn:
        conn.execute("UPDATE account_secrets SET ciphertext = X'09' || substr(ciphertext, 2)")
    with pytest.raises(CredentialDecryptionError, match="unknown ciphertext format"):
        sqlite_store.get(account.id)


def test_wrong_key_gives_a_clear_error(unimap_home: Path, canary: str) -> None:
    with default_store() as store:
        account = store.add(make_account())
    other_key = decode_key(generate_key(), source="test")
    with SqliteAccountStore(unimap_home / "unimap.db", key=other_key) as wrong:
        with pytest.raises(CredentialDecryptionError) as caught:
            wrong.get(account.id)
        with pytest.raises(CredentialDecryptionError):
            wrong.list()
    message = str(caught.value)
    assert "different key" in message and "UNIMAP_SECRET_KEY" in message
    assert account.id in message
    assert canary not in message


def test_database_file_is_owner_only(sqlite_store: SqliteAccountStore) -> None:
    sqlite_store.add(make_account())
    assert stat.S_IMODE(os.stat(sqlite_store.path).st_mode) == 0o600


def test_created_home_folder_is_owner_only(sqlite_store: SqliteAccountStore) -> None:
    assert stat.S_IMODE(os.stat(sqlite_store.path.parent).st_mode) == 0o700


def test_schema_version_is_recorded_once(unimap_home: Path) -> None:
    with default_store() as store:
        assert store.schema_version() == SCHEMA_VERSION
    with default_store() as store:
        assert store.schema_version() == SCHEMA_VERSION
    with _raw(unimap_home / "unimap.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0] == SCHEMA_VERSION


def test_newer_schema_is_refused(unimap_home: Path) -> None:
    with default_store() as store:
        path = store.path
    with _raw(path) as conn:
        conn.execute("INSERT INTO schema_version VALUES (?, 'later')", (SCHEMA_VERSION + 1,))
    with pytest.raises(SchemaVersionError, match="newer"):
        default_store()


def test_repr_shows_path_not_key(sqlite_store: SqliteAccountStore) -> None:
    assert repr(sqlite_store) == f"SqliteAccountStore({str(sqlite_store.path)!r})"


def test_two_connections_to_one_file_lose_no_account(unimap_home: Path) -> None:
    with default_store() as first, default_store() as second:
        errors: list[BaseException] = []

        def add_many(store: SqliteAccountStore) -> None:
            try:
                for _ in range(25):
                    store.add(make_account())
            except BaseException as exc:
                errors.append(exc)

        workers = [threading.Thread(target=add_many, args=(s,)) for s in (first, second) * 2]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
        assert errors == []
        assert len(first.list()) == len(second.list()) == 100
