"""`WebhookIntake`: a verified delivery for a linked account becomes one outbox message per
unified event, in the Standard Webhooks payload shape; a bad signature or an unknown account
queues nothing; a redelivery is queued once, even by a fresh process (durable ids)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.accounts import Account, AccountNotFoundError, MemoryAccountStore
from engine.api import Engine
from engine.errors import SignatureError
from engine.forwarding import SqliteOutbox, WebhookIntake, message_id
from engine.webhooks import sign
from engine.webhooks.events import webhook_spec

SECRET = "provider-signing-secret"
BATCH = json.dumps(
    {
        "events": [
            {
                "event": "subscriber.unsubscribed",
                "id": "111",
                "email": "ada@example.com",
                "status": "unsubscribed",
                "account_id": 7,
            },
            {
                "event": "subscriber.bounced",
                "id": "112",
                "email": "bo@example.com",
                "status": "bounced",
                "account_id": 7,
            },
        ]
    }
).encode()


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


@pytest.fixture
def store() -> MemoryAccountStore:
    account = Account.new("mailerlite", {"api_key": "k"}, label="Main")
    store = MemoryAccountStore([account.evolve(id="acc_ml")])
    store.set_secret_metadata("acc_ml", "webhook_secret", SECRET)
    return store


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[SqliteOutbox]:
    with SqliteOutbox(tmp_path / "unimap.db") as box:
        yield box


def signed(engine: Engine, body: bytes, secret: str = SECRET) -> dict[str, str]:
    spec = webhook_spec(engine.mapping("mailerlite")).signature
    return {"Signature": sign(spec, body, secret)}  # type: ignore[arg-type]


def test_each_event_of_a_batch_becomes_one_message(
    engine: Engine, store: MemoryAccountStore, outbox: SqliteOutbox
) -> None:
    intake = WebhookIntake(engine.webhooks, store, outbox)
    ids = intake.receive("mailerlite", "acc_ml", signed(engine, BATCH), BATCH)
    assert len(ids) == 2 and outbox.counts()["pending"] == 2
    first = outbox.get(ids[0])
    assert first is not None
    body = json.loads(first.body)
    assert body["type"] == first.event_type == "contact.unsubscribed"
    assert (body["provider"], body["integrated_account_id"]) == ("mailerlite", "acc_ml")
    assert body["data"]["contact"]["email"] == "ada@example.com"
    assert body["timestamp"] == body["data"]["occurred_at"]
    assert ids[0] == message_id("acc_ml", body["data"]["id"])


def test_a_bad_signature_queues_nothing(
    engine: Engine, store: MemoryAccountStore, outbox: SqliteOutbox
) -> None:
    intake = WebhookIntake(engine.webhooks, store, outbox)
    with pytest.raises(SignatureError):
        intake.receive("mailerlite", "acc_ml", signed(engine, BATCH, "other"), BATCH)
    assert outbox.counts()["pending"] == 0


@pytest.mark.parametrize(("provider", "account_id"), [("mailerlite", "nope"), ("kit", "acc_ml")])
def test_an_unknown_account_or_another_providers_account_is_not_found(
    engine: Engine, store: MemoryAccountStore, outbox: SqliteOutbox, provider: str, account_id: str
) -> None:
    intake = WebhookIntake(engine.webhooks, store, outbox)
    with pytest.raises(AccountNotFoundError):
        intake.receive(provider, account_id, signed(engine, BATCH), BATCH)
    assert outbox.counts()["pending"] == 0


def test_a_redelivery_is_queued_once_even_by_a_new_process(
    engine: Engine, store: MemoryAccountStore, outbox: SqliteOutbox
) -> None:
    headers = signed(engine, BATCH)
    first = WebhookIntake(engine.webhooks, store, outbox)
    assert len(first.receive("mailerlite", "acc_ml", headers, BATCH)) == 2
    assert first.receive("mailerlite", "acc_ml", headers, BATCH) == []
    restarted = WebhookIntake(engine.webhooks, store, outbox)  # a fresh in-memory deduplicator
    assert restarted.receive("mailerlite", "acc_ml", headers, BATCH) == []
    assert outbox.counts()["pending"] == 2


def test_a_failed_enqueue_lets_the_providers_retry_through(
    engine: Engine, store: MemoryAccountStore, outbox: SqliteOutbox
) -> None:
    intake = WebhookIntake(engine.webhooks, store, outbox)
    outbox.close()  # the database is gone: enqueue fails
    with pytest.raises(Exception, match="closed"):
        intake.receive("mailerlite", "acc_ml", signed(engine, BATCH), BATCH)
    with SqliteOutbox(outbox.path) as reopened:
        intake.outbox = reopened
        assert len(intake.receive("mailerlite", "acc_ml", signed(engine, BATCH), BATCH)) == 2
