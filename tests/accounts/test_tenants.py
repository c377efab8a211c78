"""Every linked account may belong to a tenant (the host app's id for its customer)."""

from __future__ import annotations

import builtins
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.accounts import Account, AccountStore, default_store
from engine.accounts.migrations import MIGRATIONS
from engine.accounts.model import AccountStatus
from engine.accounts.store import MemoryAccountStore, list_accounts
from engine.cli import main
from simulators.mailerlite import Simulator, serve_in_thread

TOKEN = "tenant-test-token-81c2"


def test_the_tenant_round_trips(store: AccountStore) -> None:
    added = store.add(Account.new("mailerlite", {"api_key": "k"}, tenant_id="cust-42"))
    assert store.get(added.id).tenant_id == "cust-42"


def test_an_account_without_a_tenant_has_none(store: AccountStore) -> None:
    added = store.add(Account.new("mailerlite", {"api_key": "k"}))
    assert store.get(added.id).tenant_id is None


def test_listing_filters_by_tenant(store: AccountStore) -> None:
    mine = store.add(Account.new("mailerlite", {"api_key": "k"}, tenant_id="a"))
    store.add(Account.new("mailerlite", {"api_key": "k"}, tenant_id="b"))
    store.add(Account.new("mailerlite", {"api_key": "k"}))
    assert [a.id for a in list_accounts(store, tenant_id="a")] == [mine.id]
    assert len(list_accounts(store)) == 3


class _StoreWithoutTenants(MemoryAccountStore):
    """A host's store written before tenants existed: `list` takes no `tenant_id`."""

    def list(  # type: ignore[override]
        self, *, provider: str | None = None, status: AccountStatus | str | None = None
    ) -> builtins.list[Account]:
        return super().list(provider=provider, status=status)


def test_a_store_without_a_tenant_filter_is_filtered_by_list_accounts() -> None:
    store = _StoreWithoutTenants()
    mine = store.add(Account.new("mailerlite", {"api_key": "k"}, tenant_id="a"))
    store.add(Account.new("mailerlite", {"api_key": "k"}, tenant_id="b"))
    assert isinstance(store, AccountStore)
    assert [a.id for a in list_accounts(store, tenant_id="a")] == [mine.id]


@pytest.mark.usefixtures("embedded_backends")
def test_a_version_2_database_is_upgraded_and_keeps_its_accounts(unimap_home: Path) -> None:
    with default_store() as store:
        path = store.path
    path.unlink()
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT)")
    for migration in MIGRATIONS[:2]:
        for statement in migration.statements("sqlite"):
            conn.execute(statement)
        conn.execute("INSERT INTO schema_version VALUES (?, 'then')", (migration.version,))
    conn.execute(
        "INSERT INTO accounts (id, provider, label, status, created_at) VALUES "
        "('acc_old', 'mailerlite', 'old', 'active', '2025-01-01T00:00:00.000000+00:00')"
    )
    conn.commit()
    conn.close()
    with default_store() as store:
        assert store.get("acc_old").tenant_id is None
        assert store.list(tenant_id="x") == []
        assert store.schema_version() == MIGRATIONS[-1].version


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    sim = Simulator(seed=5, token=TOKEN, rate_limit=None).seed_data(subscribers=1)
    with serve_in_thread(sim) as url:
        yield url
    sim.close()


def test_accounts_add_tenant_and_list_tenant(
    base_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    add = ["accounts", "add", "mailerlite", "--api-key", TOKEN, "--base-url", base_url]
    assert main([*add, "--tenant", "cust-1"]) == 0
    added = json.loads(capsys.readouterr().out)
    assert added["tenant_id"] == "cust-1"
    assert main(add) == 0
    capsys.readouterr()
    assert main(["accounts", "list", "--tenant", "cust-1", "--format", "json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [row["id"] for row in rows] == [added["id"]]
