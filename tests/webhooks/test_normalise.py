"""Splitting and normalising deliveries: the shared recordings, batches, unknown events, ids."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine.accounts import Account
from engine.api import Engine
from engine.errors import SignatureError, ValidationError
from engine.webhooks import event_id, sign, split
from tests.webhooks.conftest import SECRET, assert_valid_events, body_of, recording


def handle(engine: Engine, body: bytes, **kwargs: Any) -> list[dict[str, Any]]:
    spec = engine.mapping("mailerlite").provider.webhooks
    assert spec is not None
    headers = {"Signature": sign(spec.signature, body, SECRET)}
    return engine.webhooks.handle("mailerlite", headers, body, secret=SECRET, **kwargs)


def test_recorded_subscriber_created(engine: Engine, recordings: Path) -> None:
    raw = recording(recordings, "webhook-subscriber-created.thirdparty.json")
    (event,) = handle(engine, raw)
    assert_valid_events([event])
    assert event["type"] == "contact.created" and event["provider"] == "mailerlite"
    assert event["account_id"] == "2599924"
    assert event["occurred_at"] == "2026-08-27T15:06:41Z"
    contact = event["contact"]
    assert (contact["id"], contact["email"], contact["status"]) == (
        "112375610569918142",
        "subscriber@example.com",
        "active",
    )
    assert (contact["first_name"], contact["last_name"]) == ("Hook", "Probe")
    assert contact["created_at"] == "2026-08-27T15:06:41Z"
    assert contact["custom_fields"] == {"company": None, "loyalty_tier": None}
    assert contact["remote_data"]["event"] == "subscriber.created"
    assert event["list"] is None
    assert event["raw"] == json.loads(raw)


def test_recorded_subscriber_unsubscribed(engine: Engine, recordings: Path) -> None:
    (event,) = handle(
        engine, recording(recordings, "webhook-subscriber-unsubscribed.thirdparty.json")
    )
    assert_valid_events([event])
    assert event["type"] == "contact.unsubscribed"
    assert event["contact"]["status"] == "unsubscribed"
    assert event["contact"]["unsubscribed_at"] == "2026-08-27T15:10:00Z"
    assert event["contact"]["id"] == "112375610569918142"


def test_recorded_added_to_group(engine: Engine, recordings: Path) -> None:
    (event,) = handle(
        engine, recording(recordings, "webhook-subscriber-added-to-group.thirdparty.json")
    )
    assert_valid_events([event])
    assert event["type"] == "list.contact_added"
    assert event["contact"]["id"] == "112375610569918142"
    assert event["contact"]["first_name"] == "Hook-Updated"
    assert event["occurred_at"] == "2026-08-27T15:06:46Z"
    assert event["list"] == {
        "id": "196965768156415638",
        "name": "AP Capture Group",
        "description": None,
        "contact_count": None,
        "created_at": None,
        "updated_at": None,
        "remote_data": {"id": "196965768156415638", "name": "AP Capture Group"},
    }


def test_batched_delivery_is_split_in_order(engine: Engine, recordings: Path) -> None:
    items = [
        json.loads(recording(recordings, name))
        for name in (
            "webhook-subscriber-created.thirdparty.json",
            "webhook-subscriber-added-to-group.thirdparty.json",
            "webhook-subscriber-unsubscribed.thirdparty.json",
        )
    ]
    events = handle(engine, body_of({"events": items, "total": 3}))
    assert_valid_events(events)
    assert [e["type"] for e in events] == [
        "contact.created",
        "list.contact_added",
        "contact.unsubscribed",
    ]
    assert [e["raw"] for e in events] == items
    assert len({e["id"] for e in events}) == 3


def _subscriber(**extra: Any) -> dict[str, Any]:
    return {
        "id": "42",
        "email": "a@example.com",
        "status": "bounced",
        "source": "api",
        "subscribed_at": "2025-01-01T00:00:00.000000Z",
        "unsubscribed_at": None,
        "created_at": "2025-01-01T00:00:00.000000Z",
        "updated_at": "2025-01-02T03:04:05.000000Z",
        "fields": {"name": "A", "last_name": None},
        **extra,
    }


def test_split_without_a_batch_is_one_event(engine: Engine) -> None:
    mapping = engine.mapping("mailerlite")
    flat = _subscriber(event="subscriber.bounced")
    assert split(mapping, flat) == [flat]
    assert split(mapping, {"events": [flat, "junk", flat], "total": 3}) == [flat, flat]
    with pytest.raises(ValidationError):
        split(mapping, ["not", "an", "object"])


@pytest.mark.parametrize(
    ("name", "unified"),
    [
        ("subscriber.bounced", "contact.bounced"),
        ("subscriber.spam_reported", "contact.complained"),
        ("subscriber.updated", "contact.updated"),
        ("subscriber.active", "contact.resubscribed"),
        ("subscriber.automation_triggered", "provider.subscriber.automation_triggered"),
        ("weird event!", "provider.weird_event_"),
    ],
)
def test_flat_event_types(engine: Engine, name: str, unified: str) -> None:
    (event,) = handle(engine, body_of({**_subscriber(), "event": name, "account_id": 7}))
    assert_valid_events([event])
    assert event["type"] == unified and event["contact"]["email"] == "a@example.com"
    assert event["occurred_at"] == "2025-01-02T03:04:05Z" and event["account_id"] == "7"


def test_deleted_in_a_batch(engine: Engine) -> None:
    payload = {
        "events": [
            {
                **_subscriber(deleted_at="2025-01-03T00:00:00.000000Z"),
                "event": "subscriber.deleted",
                "account_id": 7,
            }
        ],
        "total": 1,
    }
    (event,) = handle(engine, body_of(payload))
    assert_valid_events([event])
    assert event["type"] == "contact.deleted" and event["contact"]["id"] == "42"


def test_removed_from_group(engine: Engine) -> None:
    payload = {
        "type": "subscriber.removed_from_group",
        "subscriber": _subscriber(),
        "group": {"id": "9", "name": "G"},
        "account_id": 7,
    }
    (event,) = handle(engine, body_of(payload))
    assert_valid_events([event])
    assert event["type"] == "list.contact_removed"
    assert (event["contact"]["id"], event["list"]["id"], event["list"]["name"]) == ("42", "9", "G")


def test_unknown_event_without_a_contact(engine: Engine) -> None:
    campaign = {
        "id": "5",
        "name": "News",
        "total_recipients": 3,
        "preview_url": "https://x",
        "date": "2025-01-01 00:00:00",
        "event": "campaign.sent",
        "account_id": 7,
    }
    (event,) = handle(engine, body_of(campaign))
    assert_valid_events([event])
    assert event["type"] == "provider.campaign.sent"
    assert event["contact"] is None and event["list"] is None
    assert event["occurred_at"].endswith("Z")


def test_automation_event_keeps_the_contact(engine: Engine) -> None:
    payload = {
        "type": "subscriber.automation_completed",
        "subscriber": _subscriber(),
        "automation": {"id": "3", "name": "Welcome"},
        "account_id": 7,
    }
    (event,) = handle(engine, body_of(payload))
    assert_valid_events([event])
    assert event["type"] == "provider.subscriber.automation_completed"
    assert event["contact"]["id"] == "42"


def test_ids_are_stable_for_the_same_delivery(engine: Engine, recordings: Path) -> None:
    raw = recording(recordings, "webhook-subscriber-created.thirdparty.json")
    first, again = handle(engine, raw), handle(engine, raw)
    assert [e["id"] for e in first] == [e["id"] for e in again]
    reformatted = json.dumps(json.loads(raw), indent=4).encode()  # same event, other bytes
    assert handle(engine, reformatted)[0]["id"] == first[0]["id"]
    changed = json.loads(raw) | {"updated_at": "2026-08-27T15:07:00.000000Z"}
    assert handle(engine, body_of(changed))[0]["id"] != first[0]["id"]
    assert event_id("mailerlite", {"a": 1}) != event_id("other", {"a": 1})
    assert event_id("mailerlite", {"a": 1}) != event_id("mailerlite", {"a": 1}, "bounced")


def test_secret_from_the_account(engine: Engine) -> None:
    body = body_of({**_subscriber(), "event": "subscriber.bounced", "account_id": 7})
    spec = engine.mapping("mailerlite").provider.webhooks
    assert spec is not None
    headers = {"Signature": sign(spec.signature, body, "acct-secret")}
    account = Account.new(
        "mailerlite", {"api_key": "k"}, secret_metadata={"webhook_secret": "acct-secret"}
    )
    (event,) = engine.webhooks.handle("mailerlite", headers, body, account=account)
    assert event["type"] == "contact.bounced"
    bare = Account.new("mailerlite", {"api_key": "k"})
    with pytest.raises(SignatureError, match="webhook_secret"):
        engine.webhooks.handle("mailerlite", headers, body, account=bare)
    other = Account.new("mailerlite", {"api_key": "k"}, secret_metadata={"webhook_secret": "x"})
    with pytest.raises(SignatureError):
        engine.webhooks.handle("mailerlite", headers, body, account=other)


def test_a_verified_body_that_is_not_json(engine: Engine) -> None:
    with pytest.raises(ValidationError, match="not valid JSON"):
        handle(engine, b"{oops")
