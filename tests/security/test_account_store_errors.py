"""The account store surfaces database trouble as unified errors with a remedy, lists the
accounts it can read beside the ones it cannot, and `unimap accounts doctor` says which.

Every case runs the `unimap accounts` command in process against an isolated `UNIMAP_HOME`
and checks that no traceback and no credential value is printed.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.accounts import Account, AccountStoreError, SqliteAccountStore, default_store
from engine.accounts import sqlite_store as sqlite_module
from engine.accounts.keys import generate_key, load_key
from engine.cli import main
from tests.accounts.conftest import unimap_home  # noqa: F401  (autouse: an isolated home)

CANARY = "unimap-canary-store-4b1d0c9e"


@pytest.fixture(autouse=True)
def embedded_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """The embedded SQLite store (in the isolated home), whatever the environment names."""
    monkeypatch.delenv("UNIMAP_DATABASE_URL", raising=False)


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert CANARY not in out + err
    return code, out, err


def _three_accounts_one_foreign() -> list[str]:
    """Two accounts under the installation's key, one written with another key."""
    ids = []
    with default_store() as store:
        for label in ("first", "second"):
            ids.append(store.add(Account.new("mailerlite", {"api_key": CANARY}, label=label)).id)
    path = sqlite_module.default_path()
    with SqliteAccountStore(path, key=bytes(32)) as foreign:
        ids.append(foreign.add(Account.new("mailerlite", {"api_key": CANARY}, label="x")).id)
    return ids


def test_list_shows_the_readable_accounts_and_reports_the_unreadable_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An account whose secret does not decrypt is listed as `unreadable` with its reason;
    the others are listed as usual."""
    first, second, foreign = _three_accounts_one_foreign()
    code, out, err = _run(["accounts", "list", "--format", "json"], capsys)
    assert code == 0
    rows = {row["id"]: row for row in map(json.loads, out.splitlines())}
    assert set(rows) == {first, second, foreign}
    assert rows[first]["status"] == rows[second]["status"] == "active"
    assert rows[foreign]["status"] == "unreadable"
    assert "different key" in rows[foreign]["reason"]
    assert "accounts doctor" in err


def test_table_list_names_the_unreadable_account(capsys: pytest.CaptureFixture[str]) -> None:
    """The table form shows the unreadable account's id and status too."""
    _, _, foreign = _three_accounts_one_foreign()
    code, out, _ = _run(["accounts", "list"], capsys)
    assert code == 0
    (line,) = [row for row in out.splitlines() if row.startswith(foreign)]
    assert "unreadable" in line


def test_scan_is_the_python_form_of_it() -> None:
    """`store.scan()` gives the readable accounts and the unreadable ones by id."""
    first, second, foreign = _three_accounts_one_foreign()
    with default_store() as store:
        readable, unreadable = store.scan()
    assert [a.id for a in readable] == [first, second]
    assert [(u.id, u.provider, u.status) for u in unreadable] == [(foreign, "mailerlite", "active")]
    assert CANARY not in repr(unreadable)


def test_doctor_passes_on_a_healthy_store(capsys: pytest.CaptureFixture[str]) -> None:
    """Key, database and accounts all check out: exit 0, three `ok` lines."""
    with default_store() as store:
        store.add(Account.new("mailerlite", {"api_key": CANARY}))
    code, out, _ = _run(["accounts", "doctor"], capsys)
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == ["ok", "ok", "ok"]


def test_doctor_reports_each_unreadable_account_by_id(capsys: pytest.CaptureFixture[str]) -> None:
    """An account that does not decrypt fails the doctor, named by id (JSON form)."""
    _, _, foreign = _three_accounts_one_foreign()
    code, out, _ = _run(["accounts", "doctor", "--format", "json"], capsys)
    assert code == 1
    findings = json.loads(out)
    failed = [f for f in findings if not f["ok"]]
    assert [f["check"] for f in failed] == [f"account {foreign} (mailerlite, active)"]
    assert {"check": "accounts", "ok": True, "detail": "2 account(s) readable"} in findings


def _corrupt(path: Path, how: str) -> None:
    if how == "garbage":
        path.write_bytes(b"this is not a database" * 100)
        return
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the schema page behind the header
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["garbage", "scrambled"])
def test_a_corrupt_database_is_a_unified_error_with_a_remedy(
    how: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`accounts list` on a damaged file prints the unified error (exit 1): what is wrong
    and what to do, no traceback."""
    with default_store() as store:
        store.add(Account.new("mailerlite", {"api_key": CANARY}))
    _corrupt(sqlite_module.default_path(), how)
    code, _, err = _run(["accounts", "list"], capsys)
    assert code == 1
    error = json.loads(err)
    assert error["error"] == "configuration_error"
    assert "damaged" in error["message"] and "backup" in error["message"]


def test_doctor_reports_a_corrupt_database(capsys: pytest.CaptureFixture[str]) -> None:
    """The doctor fails on the database check of a damaged file."""
    with default_store() as store:
        store.add(Account.new("mailerlite", {"api_key": CANARY}))
    _corrupt(sqlite_module.default_path(), "garbage")
    code, out, _ = _run(["accounts", "doctor"], capsys)
    assert code == 1
    assert out.splitlines()[-1].startswith("FAIL  database: ")


@pytest.fixture
def locked(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The database held under an exclusive lock by another connection; a short timeout."""
    monkeypatch.setattr(sqlite_module, "BUSY_TIMEOUT_SECONDS", 0.05)
    with default_store() as store:
        store.add(Account.new("mailerlite", {"api_key": CANARY}))
    path = sqlite_module.default_path()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        yield path
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_lock_held_past_the_timeout_is_a_unified_error(
    locked: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`database is locked` past the timeout: a 503 unified error saying to retry."""
    code, _, err = _run(["accounts", "list"], capsys)
    assert code == 1
    error = json.loads(err)
    assert error["status_code"] == 503
    assert "locked by another process" in error["message"]


def test_the_python_api_raises_the_same_unified_error(locked: Path) -> None:
    """Opening the store in code raises `AccountStoreError`, not `sqlite3.OperationalError`."""
    with (
        pytest.raises(AccountStoreError, match="locked"),
        SqliteAccountStore(locked, key=load_key()) as store,
    ):
        store.list()


def test_a_key_that_cannot_be_loaded_fails_the_doctor(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A malformed `UNIMAP_SECRET_KEY` is the doctor's first finding."""
    monkeypatch.setenv("UNIMAP_SECRET_KEY", "not-a-key")
    code, out, _ = _run(["accounts", "doctor"], capsys)
    assert code == 1
    assert out.startswith("FAIL  key: ")
    assert generate_key() not in out
