"""The PostgreSQL account store: schema checks, encryption at rest, concurrent workers."""

from __future__ import annotations

import threading

import pytest

from engine.accounts import (
    PostgresAccountStore,
    SchemaVersionError,
    default_store,
    open_store,
)
from engine.accounts.database import upgrade_database
from engine.accounts.migrations import SCHEMA_VERSION
from engine.errors import BackendUnavailableError, ConfigurationError
from tests.services import postgres_query as _sql

from .conftest import make_account


def test_a_database_behind_the_code_is_refused_with_the_command_to_run(
    postgres_url: str,
) -> None:
    with pytest.raises(SchemaVersionError, match="run `unimap db upgrade`"):
        PostgresAccountStore(postgres_url)


def test_upgrade_applies_every_migration_once(postgres_url: str) -> None:
    assert upgrade_database(postgres_url) == (0, list(range(1, SCHEMA_VERSION + 1)))
    assert upgrade_database(postgres_url) == (SCHEMA_VERSION, [])
    with PostgresAccountStore(postgres_url) as store:
        assert store.schema_version() == SCHEMA_VERSION


def test_a_database_newer_than_the_code_is_refused(postgres_url: str) -> None:
    upgrade_database(postgres_url)
    _sql(postgres_url, f"INSERT INTO schema_version VALUES ({SCHEMA_VERSION + 1}, 'later')")
    with pytest.raises(SchemaVersionError, match="newer"):
        PostgresAccountStore(postgres_url)


def test_the_database_never_holds_a_credential_in_clear(postgres_url: str, canary: str) -> None:
    upgrade_database(postgres_url)
    with PostgresAccountStore(postgres_url) as store:
        account = store.add(make_account())
        assert store.get(account.id).credentials["api_key"].reveal() == canary
    dump = repr(_sql(postgres_url, "SELECT * FROM accounts")) + repr(
        _sql(postgres_url, "SELECT * FROM account_secrets")
    )
    assert account.id in dump
    assert canary not in dump


def test_the_database_url_selects_postgresql(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    upgrade_database(postgres_url)
    monkeypatch.setenv("UNIMAP_DATABASE_URL", postgres_url)
    with default_store() as store:
        assert isinstance(store, PostgresAccountStore)
        account = store.add(make_account())
    with open_store(postgres_url) as again:
        assert again.get(account.id) == account


def test_an_unknown_url_scheme_is_a_configuration_error_naming_the_variable() -> None:
    with pytest.raises(ConfigurationError, match="UNIMAP_DATABASE_URL") as caught:
        open_store("mysql://root:hunter2@127.0.0.1/db")
    assert "hunter2" not in str(caught.value)


def test_an_unreachable_server_is_named_without_its_password() -> None:
    with pytest.raises(BackendUnavailableError, match="cannot connect") as caught:
        open_store("postgresql://unimap:hunter2@127.0.0.1:1/nowhere?connect_timeout=2")
    assert "hunter2" not in str(caught.value)
    assert caught.value.to_dict()["status_code"] == 503


def test_workers_updating_metadata_at_once_lose_no_write(postgres_url: str) -> None:
    upgrade_database(postgres_url)
    with PostgresAccountStore(postgres_url) as setup:
        account = setup.add(make_account())
    workers = [PostgresAccountStore(postgres_url) for _ in range(4)]

    def write(store: PostgresAccountStore, worker: int) -> None:
        for n in range(10):
            store.set_metadata(account.id, f"w{worker}-{n}", n)

    threads = [threading.Thread(target=write, args=(s, i)) for i, s in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    metadata = workers[0].get(account.id).metadata
    for store in workers:
        store.close()
    assert len(metadata) == 1 + 4 * 10  # the account's own "plan" plus every write


def test_a_lost_connection_fails_one_operation_clearly_and_is_then_reopened(
    postgres_url: str,
) -> None:
    upgrade_database(postgres_url)
    with PostgresAccountStore(postgres_url) as store:
        account = store.add(make_account())
        _sql(postgres_url, f"SELECT pg_terminate_backend({store.backend_pid()})")
        with pytest.raises(BackendUnavailableError, match="lost"):
            store.get(account.id)
        assert store.get(account.id) == account
