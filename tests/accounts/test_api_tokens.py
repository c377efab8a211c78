"""API tokens for `unimap serve`: shown once, stored hashed, verified, revoked."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.accounts import PostgresAccountStore
from engine.accounts.database import upgrade_database
from engine.accounts.model import utc_now
from engine.accounts.sql_tokens import SqlTokenStore, default_token_store
from engine.accounts.sqlite_store import default_path
from engine.accounts.tokens import (
    ApiTokenStore,
    MemoryTokenStore,
    TokenNotFoundError,
    create_token,
    find_token,
    verify_token,
)
from engine.cli import main
from engine.errors import ValidationError
from tests.services import postgres_schema


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def tokens(request: pytest.FixtureRequest, unimap_home: Path) -> Iterator[ApiTokenStore]:
    """Each token store: in memory, and in the SQLite and PostgreSQL accounts databases."""
    if request.param == "memory":
        yield MemoryTokenStore()
    elif request.param == "sqlite":
        with default_token_store() as store:
            yield store
    else:
        with postgres_schema() as url:
            upgrade_database(url)
            with PostgresAccountStore(url) as accounts:
                yield SqlTokenStore(accounts)


def test_a_created_token_verifies(tokens: ApiTokenStore) -> None:
    record, text = create_token(tokens, "my-app")
    assert text.startswith("unimap_")
    verified = verify_token(tokens, text)
    assert verified is not None and verified.id == record.id and verified.name == "my-app"


def test_a_wrong_secret_or_malformed_token_does_not_verify(tokens: ApiTokenStore) -> None:
    _, text = create_token(tokens, "my-app")
    assert verify_token(tokens, text + "x") is None
    assert verify_token(tokens, "unimap_nothing") is None
    assert verify_token(tokens, "Bearer " + text) is None


def test_a_revoked_token_no_longer_verifies(tokens: ApiTokenStore) -> None:
    record, text = create_token(tokens, "my-app")
    revoked = tokens.revoke(record.id, utc_now())
    assert not revoked.active
    assert verify_token(tokens, text) is None


def test_revoking_an_unknown_token_is_not_found(tokens: ApiTokenStore) -> None:
    with pytest.raises(TokenNotFoundError):
        tokens.revoke("0000", utc_now())


def test_a_token_needs_a_name(tokens: ApiTokenStore) -> None:
    with pytest.raises(ValidationError, match="name"):
        create_token(tokens, "  ")


def test_find_token_by_name_refuses_ambiguity(tokens: ApiTokenStore) -> None:
    create_token(tokens, "twin")
    create_token(tokens, "twin")
    with pytest.raises(ValidationError, match="2 active tokens"):
        find_token(tokens, "twin")


@pytest.mark.usefixtures("embedded_backends")
def test_the_database_holds_a_hash_never_the_token(unimap_home: Path) -> None:
    with default_token_store() as store:
        _, text = create_token(store, "my-app")
    secret = text.partition(".")[2]
    raw = default_path().read_bytes()
    assert secret.encode() not in raw
    with sqlite3.connect(default_path()) as conn:
        (stored,) = conn.execute("SELECT secret_hash FROM api_tokens").fetchone()
    assert len(stored) == 64 and secret not in stored


def test_cli_create_list_revoke(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tokens", "create", "ci"]) == 0
    text = capsys.readouterr().out.strip()
    with default_token_store() as store:
        assert verify_token(store, text) is not None
    assert main(["tokens", "list", "--format", "json"]) == 0
    (row,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert row["name"] == "ci" and row["active"] is True
    assert text.partition(".")[2] not in json.dumps(row)
    assert main(["tokens", "revoke", "ci"]) == 0
    assert json.loads(capsys.readouterr().out)["revoked"] == row["id"]
    with default_token_store() as store:
        assert verify_token(store, text) is None


def test_cli_revoke_of_an_unknown_token_prints_the_unified_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["tokens", "revoke", "nope"]) == 1
    assert json.loads(capsys.readouterr().err)["error"] == "not_found"


def test_db_move_brings_the_tokens_along(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("UNIMAP_DATABASE_URL", raising=False)
    with default_token_store() as store:
        _, text = create_token(store, "moved")
    assert main(["db", "move", "--to", postgres_url]) == 0
    assert json.loads(capsys.readouterr().out)["copied"]["api_tokens"] == 1
    monkeypatch.setenv("UNIMAP_DATABASE_URL", postgres_url)
    with default_token_store() as store:
        assert verify_token(store, text) is not None
