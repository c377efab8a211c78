"""Link tokens: issued once, stored hashed, expiring, and consumed by exactly one link."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from engine.accounts import migrations
from engine.accounts.database import open_store, upgrade_database
from engine.accounts.link_tokens import (
    DEFAULT_TTL,
    MAX_FAILED_ATTEMPTS,
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
from engine.errors import ValidationError
from tests.services import postgres_query, postgres_schema

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


def test_a_token_keeps_the_webhook_events_it_asks_for_each_once(store: LinkTokenStore) -> None:
    events = ["contact.unsubscribed", "contact.bounced", "contact.unsubscribed"]
    token = issue(store, webhook_events=events)
    record = open_link_token(store, token, NOW)
    assert record.webhook_events == ("contact.unsubscribed", "contact.bounced")
    assert open_link_token(store, issue(store), NOW).webhook_events == ()


@pytest.mark.parametrize(
    ("events", "field"),
    [
        (["contact.unsubscribed", "contact.exploded"], "webhook_events.1"),
        (["provider.subscriber.created"], "webhook_events.0"),
        ([], "webhook_events"),
        ("contact.bounced", "webhook_events"),
    ],
)
def test_events_outside_the_unified_contract_are_refused_and_nothing_is_stored(
    store: LinkTokenStore, events: object, field: str
) -> None:
    sentinel = hash_link_token(issue(store))
    with pytest.raises(ValidationError) as caught:
        issue(store, webhook_events=events)
    assert [problem.field for problem in caught.value.details] == [field]
    assert store.remove_expired(NOW + timedelta(days=30)) == 1  # only the first token
    assert store.get(sentinel) is None


def test_refused_attempts_burn_the_token_at_the_cap(store: LinkTokenStore) -> None:
    token = issue(store)
    token_id = hash_link_token(token)
    when = NOW + timedelta(minutes=1)
    burned = [store.record_failure(token_id, when, MAX_FAILED_ATTEMPTS) for _ in range(10)]
    assert burned == [False] * 9 + [True]
    with pytest.raises(LinkTokenGoneError):
        open_link_token(store, token, when)
    assert not store.consume(token_id, when)


def test_attempts_below_the_cap_leave_the_token_usable(store: LinkTokenStore) -> None:
    token = issue(store)
    for _ in range(MAX_FAILED_ATTEMPTS - 1):
        store.record_failure(hash_link_token(token), NOW, MAX_FAILED_ATTEMPTS)
    record = open_link_token(store, token, NOW)
    assert record.failed_attempts == MAX_FAILED_ATTEMPTS - 1
    assert store.consume(record.id, NOW)


def test_a_failure_on_a_used_or_unknown_token_counts_as_burned(store: LinkTokenStore) -> None:
    token_id = hash_link_token(issue(store))
    store.consume(token_id, NOW)
    assert store.record_failure(token_id, NOW, MAX_FAILED_ATTEMPTS)
    assert store.record_failure(hash_link_token("lt_unknown"), NOW, MAX_FAILED_ATTEMPTS)
    record = store.get(token_id)
    assert record is not None and record.failed_attempts == 0


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_a_version_5_database_keeps_its_link_tokens_when_upgraded(
    dialect: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    row = (
        "INSERT INTO link_tokens (id, provider, tenant_id, created_at, expires_at) VALUES "
        f"('{hash_link_token('lt_old')}', 'kit', 't-1', '{migrations.timestamp(NOW)}', "
        f"'{migrations.timestamp(NOW + DEFAULT_TTL)}')"
    )
    with postgres_schema() as postgres_url:
        url = f"sqlite:///{tmp_path / 'unimap.db'}" if dialect == "sqlite" else postgres_url
        monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:5])
        assert upgrade_database(url) == (0, [1, 2, 3, 4, 5])
        monkeypatch.undo()
        if dialect == "sqlite":
            with sqlite3.connect(tmp_path / "unimap.db") as conn:
                conn.execute(row)
        else:
            postgres_query(url, row)
        assert upgrade_database(url) == (5, list(range(6, migrations.SCHEMA_VERSION + 1)))
        with open_store(url, key=KEY) as accounts:
            tokens = SqlLinkTokenStore(accounts)
            record = open_link_token(tokens, "lt_old", NOW)
            assert (record.provider, record.webhook_events, record.failed_attempts) == (
                "kit",
                (),
                0,
            )
            assert not tokens.record_failure(record.id, NOW, MAX_FAILED_ATTEMPTS)
