"""Invalid write bodies are refused with a `validation_error` naming every bad field, and
nothing at all reaches the provider (requests are counted on the transport)."""

from __future__ import annotations

from typing import Any

import pytest

from engine.api import Connection
from engine.errors import ValidationError
from simulators.mailerlite import Simulator
from tests.writes.conftest import RecordingTransport


def _refused(
    conn: Connection, recorder: RecordingTransport, resource: str, method: str, body: Any, **kw: Any
) -> list[str]:
    """Call, expect a validation error with nothing sent (or only GETs when `reads_ok`)."""
    reads_ok = kw.pop("reads_ok", False)
    recorder.clear()
    with pytest.raises(ValidationError) as caught:
        conn.call(resource, method, body=body, **kw)
    sent = recorder.writes() if reads_ok else recorder.sent
    assert sent == [], f"requests were sent: {sent}"
    error = caught.value.to_dict()
    assert error["error"] == "validation_error" and error["remote"] is False
    return [problem["field"] for problem in error["fields"]]


@pytest.mark.parametrize(
    ("resource", "method", "body", "field"),
    [
        (
            "contacts",
            "create",
            {"email": "t@writes.example", "tags": [{"id": "1", "name": "x"}]},
            "tags",
        ),
        ("contacts", "upsert", {"email": "t@writes.example", "tags": []}, "tags"),
        ("contacts", "upsert", {"email": "t@writes.example", "name": "Ann Lee"}, "name"),
        ("lists", "create", {"name": "L", "description": "about"}, "description"),
        ("custom_fields", "create", {"name": "F", "type": "text", "key": "f"}, "key"),
    ],
)
def test_an_unsupported_field_is_refused_and_nothing_is_sent(
    resource: str,
    method: str,
    body: dict[str, Any],
    field: str,
    conn: Connection,
    recorder: RecordingTransport,
) -> None:
    assert _refused(conn, recorder, resource, method, body) == [field]


def test_unsupported_fields_on_update_are_refused_and_nothing_is_sent(
    conn: Connection, recorder: RecordingTransport, sim: Simulator
) -> None:
    with sim.lock:
        contact_id = str(next(iter(sim.state.subscribers)))
    assert _refused(conn, recorder, "contacts", "update", {"tags": []}, id=contact_id) == ["tags"]
    field_id = conn.custom_fields.create({"name": "Fixed", "type": "text"})["id"]
    fields = _refused(
        conn,
        recorder,
        "custom_fields",
        "update",
        {"name": "F", "key": "k", "type": "date"},
        id=field_id,
    )
    assert sorted(fields) == ["key", "type"]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"email": "not-an-email"}, ["email"]),
        ({"email": "a@writes.example", "emial": "typo"}, ["emial"]),
        ({"email": "a@writes.example", "first_name": 3}, ["first_name"]),
        ({"email": "a@writes.example", "status": "gone"}, ["status"]),
        ({"email": "a@writes.example", "lists": "123"}, ["lists"]),
        ({"email": "a@writes.example", "subscribed_at": "2024-01-01"}, ["subscribed_at"]),
        ({"email": "a@writes.example", "id": "1"}, ["id"]),
        ({"first_name": "No email"}, ["email"]),
    ],
)
def test_an_invalid_contact_body_is_refused_naming_the_field(
    body: dict[str, Any], fields: list[str], conn: Connection, recorder: RecordingTransport
) -> None:
    assert _refused(conn, recorder, "contacts", "upsert", body) == fields


def test_several_problems_at_once_are_all_named_and_nothing_is_sent(
    conn: Connection, recorder: RecordingTransport
) -> None:
    body = {
        "email": "bad",
        "first_name": ["x"],
        "status": "gone",
        "phones": [{"phone": 5}],
        "unknown": 1,
        "tags": [],
    }
    fields = _refused(conn, recorder, "contacts", "upsert", body)
    assert set(fields) >= {"email", "first_name", "status", "unknown", "tags"}
    assert any(f.startswith("phones") for f in fields)


@pytest.mark.parametrize(
    ("resource", "method", "body", "fields"),
    [
        ("lists", "create", {}, ["name"]),
        ("lists", "create", {"name": 7}, ["name"]),
        ("custom_fields", "create", {"name": "F", "type": "weird"}, ["type"]),
    ],
)
def test_an_invalid_list_or_custom_field_body_is_refused(
    resource: str,
    method: str,
    body: dict[str, Any],
    fields: list[str],
    conn: Connection,
    recorder: RecordingTransport,
) -> None:
    assert _refused(conn, recorder, resource, method, body) == fields


def test_an_unknown_custom_field_key_suggests_the_nearest_and_writes_nothing(
    conn: Connection, recorder: RecordingTransport, sim: Simulator
) -> None:
    with sim.lock:
        before = len(sim.state.subscribers)
    recorder.clear()
    with pytest.raises(ValidationError) as caught:
        conn.contacts.upsert(
            {"email": "typo@writes.example", "custom_fields": {"loyalty_teir": "gold"}}
        )
    (problem,) = caught.value.details
    assert problem.field == "custom_fields.loyalty_teir"
    assert "did you mean 'loyalty_tier'" in problem.message
    assert recorder.writes() == []  # only the field definitions were read
    assert [s.path for s in recorder.sent] == ["/api/fields"]
    with sim.lock:
        assert len(sim.state.subscribers) == before


def test_a_built_in_field_key_given_as_a_custom_field_is_refused(
    conn: Connection, recorder: RecordingTransport
) -> None:
    body = {"email": "dup@writes.example", "custom_fields": {"last_name": "Lee"}}
    assert _refused(conn, recorder, "contacts", "upsert", body, reads_ok=True) == [
        "custom_fields.last_name"
    ]


def test_an_invalid_bulk_item_is_reported_without_being_sent(
    conn: Connection, recorder: RecordingTransport
) -> None:
    recorder.clear()
    results = conn.contacts.bulk_upsert(
        [{"email": "bad"}, {"email": "ok@writes.example", "tags": []}]
    )
    assert [r["success"] for r in results["result"]] == [False, False]
    assert recorder.sent == []


@pytest.mark.parametrize(
    ("extra", "fields"),
    [
        ({"phones": [{"phone": "+1", "type": "mobile"}]}, ["phones.0.type"]),
        ({"phones": [{"phone": "+1", "type": None}, {"phone": "+2", "type": None}]}, ["phones.1"]),
        ({"addresses": [{"street_1": "Main St 1", "city": "Oslo"}]}, ["addresses.0.street_1"]),
        ({"addresses": [{"city": "Oslo", "type": "home"}]}, ["addresses.0.type"]),
        ({"addresses": [{"city": "Oslo"}, {"city": "Rome"}]}, ["addresses.1"]),
    ],
)
def test_phone_and_address_parts_the_provider_cannot_hold_are_refused_not_dropped(
    extra: dict[str, Any], fields: list[str], conn: Connection, recorder: RecordingTransport
) -> None:
    body = {"email": "parts@writes.example", **extra}
    assert _refused(conn, recorder, "contacts", "upsert", body) == fields


def test_null_phone_type_and_street_lines_as_read_back_are_accepted(
    conn: Connection, sim: Simulator
) -> None:
    body = {
        "email": "nulls@writes.example",
        "phones": [{"phone": "+1", "type": None}],
        "addresses": [
            {"street_1": None, "street_2": None, "city": "Oslo", "state": None},
        ],
    }
    created = conn.contacts.create(body)
    assert created["phones"] == body["phones"]
    assert created["addresses"][0]["city"] == "Oslo"
