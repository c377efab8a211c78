"""Fixtures for the account tests: an isolated `UNIMAP_HOME`, a canary secret, both stores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.accounts import (
    Account,
    AccountStore,
    MemoryAccountStore,
    PostgresAccountStore,
    SqliteAccountStore,
    default_store,
)
from engine.accounts.database import upgrade_database
from tests.services import postgres_schema

# A value that must never show up in any output, file or message.
CANARY = "unimap-canary-9f3c1e7a5b2d4c60"


@pytest.fixture(autouse=True)
def unimap_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point `UNIMAP_HOME` (and `HOME`) at a temporary folder; unset `UNIMAP_SECRET_KEY`."""
    home = tmp_path / "unimap-home"
    monkeypatch.setenv("UNIMAP_HOME", str(home))
    monkeypatch.setenv("HOME", str(tmp_path / "user-home"))
    monkeypatch.delenv("UNIMAP_SECRET_KEY", raising=False)
    return home


@pytest.fixture
def embedded_database(monkeypatch: pytest.MonkeyPatch) -> None:
    """The embedded SQLite file, whatever `UNIMAP_DATABASE_URL` says (for tests about it)."""
    monkeypatch.delenv("UNIMAP_DATABASE_URL", raising=False)


@pytest.fixture
def canary() -> str:
    """The canary secret."""
    return CANARY


@pytest.fixture
def sqlite_store(unimap_home: Path) -> Iterator[SqliteAccountStore]:
    """The default SQLite store in the temporary home."""
    with default_store() as store:
        yield store


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, unimap_home: Path) -> Iterator[AccountStore]:
    """Each built-in store in turn, for the contract tests (PostgreSQL in a fresh schema of
    the test server)."""
    if request.param == "memory":
        yield MemoryAccountStore()
    elif request.param == "sqlite":
        with default_store() as sqlite:
            yield sqlite
    else:
        with postgres_schema() as url:
            upgrade_database(url)
            with PostgresAccountStore(url) as postgres:
                yield postgres


def make_account(provider: str = "mailerlite", secret: str = CANARY, **fields: object) -> Account:
    """An account with one API-key credential and a webhook secret."""
    return Account.new(
        provider,
        {"api_key": secret},
        label=str(fields.pop("label", "main")),
        secret_metadata={"webhook_secret": "whsec-" + secret},
        metadata={"plan": "free"},
        **fields,  # type: ignore[arg-type]
    )
