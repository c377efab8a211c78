"""`unimap db status | upgrade | move`: schema upgrades and moving accounts to PostgreSQL."""

from __future__ import annotations

import json

import pytest

from engine.accounts import default_store
from engine.accounts.migrations import COPIED_TABLES, SCHEMA_VERSION
from engine.cli import main
from engine.forwarding import NewMessage, open_outbox

from .conftest import make_account


def tables(**counts: int) -> dict[str, int]:
    """A count for every table `unimap db move` copies: zero unless given."""
    return {table: counts.get(table, 0) for table, _ in COPIED_TABLES}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, object]]:
    code = main(["db", *argv])
    captured = capsys.readouterr()
    return code, json.loads(captured.out or captured.err)


def test_status_says_behind_until_upgrade_brings_the_database_current(
    postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, status = run(capsys, "status", "--url", postgres_url)
    assert (code, status["version"], status["state"]) == (1, 0, "behind")
    code, upgraded = run(capsys, "upgrade", "--url", postgres_url)
    assert code == 0
    assert upgraded["applied"] == list(range(1, SCHEMA_VERSION + 1))
    code, status = run(capsys, "status", "--url", postgres_url)
    assert (code, status["version"], status["state"]) == (0, SCHEMA_VERSION, "current")
    code, again = run(capsys, "upgrade", "--url", postgres_url)
    assert (code, again["applied"]) == (0, [])


def test_upgrade_reads_the_database_url_from_the_environment(
    postgres_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UNIMAP_DATABASE_URL", postgres_url)
    code, upgraded = run(capsys, "upgrade")
    assert code == 0 and upgraded["to"] == SCHEMA_VERSION


def test_move_copies_encrypted_accounts_that_the_same_key_opens(
    postgres_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("UNIMAP_DATABASE_URL", raising=False)
    with default_store() as sqlite:
        accounts = [sqlite.add(make_account()), sqlite.add(make_account(provider="kit"))]
    code, moved = run(capsys, "move", "--to", postgres_url)
    assert code == 0
    assert moved["copied"] == tables(accounts=2, account_secrets=4)
    monkeypatch.setenv("UNIMAP_DATABASE_URL", postgres_url)
    with default_store() as postgres:
        assert postgres.list() == accounts


def test_moving_again_changes_nothing_and_brings_over_later_changes(
    postgres_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("UNIMAP_DATABASE_URL", raising=False)
    with default_store() as sqlite:
        account = sqlite.add(make_account())
    run(capsys, "move", "--to", postgres_url)
    code, again = run(capsys, "move", "--to", postgres_url)
    assert code == 0
    assert again["copied"] == again["updated"] == tables()
    assert again["unchanged"] == tables(accounts=1, account_secrets=2)
    with default_store() as sqlite:
        sqlite.set_metadata(account.id, "plan", "paid")
    code, third = run(capsys, "move", "--to", postgres_url)
    assert third["updated"] == tables(accounts=1)
    monkeypatch.setenv("UNIMAP_DATABASE_URL", postgres_url)
    with default_store() as postgres:
        assert postgres.get(account.id).metadata == {"plan": "paid"}


def test_an_unreachable_target_exits_1_with_the_unified_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, error = run(capsys, "move", "--to", "postgresql://u:hunter2@127.0.0.1:1/x")
    assert code == 1
    assert error["error"] == "configuration_error" and error["status_code"] == 503
    assert "hunter2" not in json.dumps(error)


def test_move_brings_the_webhook_outbox_along(
    postgres_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("UNIMAP_DATABASE_URL", raising=False)
    with open_outbox() as sqlite:
        sqlite.enqueue([NewMessage("msg_1", "acc_1", "t1", "contact.created", b"{}")])
        sqlite.set_endpoint("t1", "https://host.test/hooks")
    code, moved = run(capsys, "move", "--to", postgres_url)
    assert code == 0
    assert moved["copied"] == tables(webhook_outbox=1, webhook_endpoints=1)
    with open_outbox(postgres_url) as postgres:
        assert postgres.counts()["pending"] == 1
        assert postgres.endpoint("t1") == "https://host.test/hooks"
