"""Link tokens: issued once, stored hashed, expiring, and consumed by exactly one link."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from engine.accounts.link_tokens import (
    DEFAULT_TTL,
    LinkTokenGoneError,
    LinkTokenNotFoundError,
    LinkTokenStore,
    MemoryLinkTokenStore,
    hash_link_token,
    issue_link_token,
    open_link_token,
)
from engine.accounts.postgres_store import PostgresAccountStore
from engine.accounts.sql_link_tokens import SqlLinkTokenStore
from engine.accounts.sqlite_store import SqliteAccountStore
from tests.services import postgres_schema

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


KEY = b"k" * 32


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LinkTokenStore]:
    """Each built-in link-token store in turn (PostgreSQL in a fresh schema of the test
    server)."""
    if request.param == "memory":
        yield MemoryLinkTokenStore()
    elif request.param == "sqlite":
        with SqliteAccountStore(tmp_path / "unimap.db", key=KEY) as sqlite:
            yield SqlLinkTokenStore(sqlite)
    else:
        with postgres_schema() as url, PostgresAccountStore(url, key=KEY, upgrade=True) as pg:
            yield SqlLinkTokenStore(pg)


def issue(store: LinkTokenStore, **options: object) -> str:
    token, _ = issue_link_token(store, provider="mailerlite", tenant_id="t-1", now=NOW, **options)  # type: ignore[arg-type]
    return token


def test_a_new_token_is_stored_by_its_hash_only(store: LinkTokenStore) -> None:
    token, record = issue_link_token(store, provider="mailerlite", tenant_id="t-1", now=NOW)
    assert token.startswith("lt_") and len(token) > 40
    assert record.id == hash_link_token(token) != token
    assert store.get(record.id) == record


def test_a_token_opens_until_it_expires(store: LinkTokenStore) -> None:
    token = issue(store)
    opened = open_link_token(store, token, NOW + DEFAULT_TTL - timedelta(seconds=1))
    assert (opened.provider, opened.tenant_id) == ("mailerlite", "t-1")
    with pytest.raises(LinkTokenGoneError) as caught:
        open_link_token(store, token, NOW + DEFAULT_TTL)
    assert caught.value.status_code == 410


def test_the_lifetime_can_be_chosen(store: LinkTokenStore) -> None:
    token = issue(store, ttl=timedelta(minutes=2))
    with pytest.raises(LinkTokenGoneError):
        open_link_token(store, token, NOW + timedelta(minutes=2, seconds=1))


@pytest.mark.parametrize("ttl", [timedelta(0), timedelta(days=8)])
def test_a_lifetime_outside_the_bounds_is_refused(store: LinkTokenStore, ttl: timedelta) -> None:
    with pytest.raises(ValueError, match="lifetime"):
        issue(store, ttl=ttl)


@pytest.mark.parametrize("token", ["lt_unknown", "not-even-a-link-token", ""])
def test_an_unknown_token_is_not_found(store: LinkTokenStore, token: str) -> None:
    issue(store)
    with pytest.raises(LinkTokenNotFoundError) as caught:
        open_link_token(store, token, NOW)
    assert caught.value.status_code == 404
    assert caught.value.message == LinkTokenNotFoundError.default_message


def test_a_token_is_consumed_once(store: LinkTokenStore) -> None:
    token = issue(store)
    token_id = hash_link_token(token)
    assert store.consume(token_id, NOW + timedelta(minutes=1))
    assert not store.consume(token_id, NOW + timedelta(minutes=2))
    with pytest.raises(LinkTokenGoneError):
        open_link_token(store, token, NOW + timedelta(minutes=3))


def test_an_expired_or_unknown_token_cannot_be_consumed(store: LinkTokenStore) -> None:
    token_id = hash_link_token(issue(store))
    assert not store.consume(token_id, NOW + DEFAULT_TTL)
    assert not store.consume(hash_link_token("lt_unknown"), NOW)


def test_of_racing_consumers_exactly_one_wins(store: LinkTokenStore) -> None:
    token_id = hash_link_token(issue(store))
    results: list[bool] = []
    start = threading.Barrier(8)

    def consume() -> None:
        start.wait(timeout=10)
        results.append(store.consume(token_id, NOW + timedelta(seconds=5)))

    threads = [threading.Thread(target=consume) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert sorted(results) == [False] * 7 + [True]


def test_issuing_deletes_tokens_expired_more_than_a_day_ago(store: LinkTokenStore) -> None:
    old = issue(store)
    later = NOW + DEFAULT_TTL + timedelta(days=1, seconds=1)
    issue_link_token(store, provider="kit", now=later)
    assert store.get(hash_link_token(old)) is None


def test_a_re_authorising_token_keeps_its_account_and_redirect(store: LinkTokenStore) -> None:
    token, _ = issue_link_token(
        store,
        provider="kit",
        integrated_account_id="acc_1",
        redirect_uri="https://app.example/cb",
        now=NOW,
    )
    record = open_link_token(store, token, NOW)
    assert (record.integrated_account_id, record.redirect_uri) == (
        "acc_1",
        "https://app.example/cb",
    )


def test_the_sqlite_store_keeps_tokens_across_reopening_and_never_the_token(
    tmp_path: Path,
) -> None:
    path = tmp_path / "unimap.db"
    with SqliteAccountStore(path, key=KEY) as first:
        token, record = issue_link_token(
            SqlLinkTokenStore(first), provider="kit", tenant_id="t-9", now=NOW
        )
    with SqliteAccountStore(path, key=KEY) as second:
        assert open_link_token(SqlLinkTokenStore(second), token, NOW) == record
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert token.encode() not in raw
    assert record.id.encode() in raw
