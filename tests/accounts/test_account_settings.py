"""Connection settings stored with linked accounts: model, SQLite store (and its migration),
linking, connecting, and the `--setting` options of `accounts add`, `call` and `proxy`."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import httpx
import pytest
import respx

from engine.accounts import Account, default_store
from engine.accounts.migrations import MIGRATIONS
from engine.accounts.sqlite_store import DB_FILE_NAME
from engine.api import Engine
from engine.cli import main
from engine.errors import ValidationError
from engine.linking import connect_account, link_account

PROVIDERS = Path(__file__).parents[1] / "language" / "providers"
HOST = "https://us6.api.computed.test/v3"
KEY = "acct-key-us6"


@pytest.fixture(scope="module")
def engine() -> Engine:
    """The synthetic `computed` provider (settings `list_id`, required, and `region_tag`)."""
    return Engine.load(PROVIDERS)


def test_the_sqlite_store_keeps_an_accounts_settings() -> None:
    """Settings are stored with the account and read back."""
    with default_store() as store:
        added = store.add(Account.new("computed", {"api_key": KEY}, settings={"list_id": "L7"}))
        assert store.get(added.id).settings == {"list_id": "L7"}


@pytest.mark.usefixtures("embedded_database")
def test_a_version_1_database_gains_empty_settings(unimap_home: Path) -> None:
    """An account saved before settings existed reads back with none (the embedded file)."""
    with default_store() as store:
        path = store.path
    path.unlink()
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT)")
    for statement in MIGRATIONS[0].statements("sqlite"):
        conn.execute(statement)
    conn.execute("INSERT INTO schema_version VALUES (1, 'then')")
    conn.execute(
        "INSERT INTO accounts (id, provider, label, status, created_at) VALUES "
        "('acc_old', 'computed', 'old', 'active', '2025-01-01T00:00:00.000000+00:00')"
    )
    conn.commit()
    conn.close()
    assert path.name == DB_FILE_NAME
    with default_store() as store:
        assert store.get("acc_old").settings == {}


def test_linking_stores_the_settings_and_connecting_uses_them(engine: Engine) -> None:
    """Linking stores the settings; a connection from the account uses them."""
    with respx.mock(base_url=HOST) as mock, default_store() as store:
        mock.get("/ping").mock(return_value=httpx.Response(200, json={}))
        members = mock.get("/lists/L7/members").mock(
            return_value=httpx.Response(200, json={"members": []})
        )
        account = link_account(
            engine, store, "computed", {"api_key": KEY}, settings={"list_id": "L7"}
        )
        assert store.get(account.id).settings == {"list_id": "L7"}
        with connect_account(engine, store, account.id) as connection:
            connection.call("contacts", "list")
        assert members.call_count == 1


def test_linking_with_an_unknown_setting_saves_nothing(engine: Engine) -> None:
    """An unknown setting fails linking before anything is sent or saved."""
    with respx.mock(base_url=HOST, assert_all_called=False) as mock, default_store() as store:
        with pytest.raises(ValidationError) as caught:
            link_account(
                engine, store, "computed", {"api_key": KEY}, settings={"list_id": "L", "x": "1"}
            )
        assert mock.calls.call_count == 0
        assert store.list() == []
    assert [p.field for p in caught.value.details] == ["settings.x"]


def test_accounts_add_takes_settings(capsys: pytest.CaptureFixture[str]) -> None:
    """`accounts add --setting` stores the settings with the account."""
    argv = ["accounts", "add", "computed", "--api-key", KEY, "--mappings", str(PROVIDERS)]
    with respx.mock(base_url=HOST) as mock:
        mock.get("/ping").mock(return_value=httpx.Response(200, json={}))
        assert main([*argv, "--setting", "list_id=L7", "--setting", "region_tag=us"]) == 0
    added = json.loads(capsys.readouterr().out)
    assert added["settings"] == {"list_id": "L7", "region_tag": "us"}


def test_call_explain_shows_the_setting_in_the_request(capsys: pytest.CaptureFixture[str]) -> None:
    """`call --setting` builds the requests with the setting."""
    argv = ["call", "computed", "contacts", "list", "--api-key", KEY, "--explain"]
    assert main([*argv, "--mappings", str(PROVIDERS), "--setting", "list_id=L7"]) == 0
    explained = json.loads(capsys.readouterr().out)
    assert explained["requests"][0]["url"] == f"{HOST}/lists/L7/members"


def test_call_with_an_unknown_setting_is_a_validation_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`call` with an undeclared setting exits 1 with a validation_error."""
    argv = ["call", "computed", "contacts", "list", "--api-key", KEY, "--setting", "lst=L7"]
    assert main([*argv, "--mappings", str(PROVIDERS)]) == 1
    error = json.loads(capsys.readouterr().err)
    assert error["error"] == "validation_error"
    assert "lst" in error["message"]


def test_proxy_sends_the_headers_computed_from_settings() -> None:
    """`proxy --setting` fills provider headers computed from settings."""
    argv = ["proxy", "computed", "GET", "/anything", "--api-key", KEY, "--mappings", str(PROVIDERS)]
    with respx.mock(base_url=HOST) as mock:
        route = mock.get("/anything").mock(return_value=httpx.Response(200, json={}))
        assert main([*argv, "--setting", "list_id=L7", "--setting", "region_tag=us"]) == 0
    assert route.calls.last.request.headers["X-Region"] == "US"
