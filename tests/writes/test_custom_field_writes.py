"""custom_fields.create/update/delete, and the connection's cache of field definitions."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from engine.api import Connection
from engine.errors import NotFoundError, ValidationError
from simulators.mailerlite import Simulator
from tests.writes.conftest import RecordingTransport
from tests.writes.helpers import stored


def test_custom_field_create_derives_the_key_from_the_name(
    conn: Connection, sim: Simulator
) -> None:
    created = conn.custom_fields.create({"name": "Favourite Colour", "type": "text"})
    assert (created["key"], created["name"], created["type"]) == (
        "favourite_colour",
        "Favourite Colour",
        "text",
    )
    with sim.lock:
        assert sim.state.field_by_key("favourite_colour") is not None


def test_custom_field_update_renames_and_keeps_the_key(conn: Connection, sim: Simulator) -> None:
    created = conn.custom_fields.create({"name": "Plan", "type": "text"})
    renamed = conn.custom_fields.update(created["id"], {"name": "Subscription plan"})
    assert (renamed["id"], renamed["key"], renamed["name"]) == (
        created["id"],
        "plan",
        "Subscription plan",
    )
    with sim.lock:
        field = sim.state.fields[int(created["id"])]
    assert (field.key, field.name) == ("plan", "Subscription plan")


def test_custom_field_delete_removes_the_definition(conn: Connection, sim: Simulator) -> None:
    created = conn.custom_fields.create({"name": "Temporary", "type": "number"})
    assert conn.custom_fields.delete(created["id"]) == {"id": created["id"]}
    with sim.lock:
        assert sim.state.field_by_key("temporary") is None
    with pytest.raises(NotFoundError):
        conn.custom_fields.get(created["id"])


def test_a_custom_field_created_after_the_cache_filled_is_accepted(
    conn: Connection, sim: Simulator, recorder: RecordingTransport, new_email: Callable[[str], str]
) -> None:
    conn.contacts.upsert({"email": new_email("warm"), "custom_fields": {"score": 1}})
    recorder.clear()
    conn.contacts.upsert({"email": new_email("cached"), "custom_fields": {"score": 2}})
    assert [s.path for s in recorder.sent if s.method == "GET"] == []  # served from the cache
    with sim.lock:  # created behind the connection's back (another app, the MailerLite UI)
        sim.state.create_field("Referral code", "text")
    email = new_email("refresh")
    recorder.clear()
    conn.contacts.upsert({"email": email, "custom_fields": {"referral_code": "ABC"}})
    assert [s.path for s in recorder.sent if s.method == "GET"] == ["/api/fields"]  # one refresh
    assert stored(sim, email).fields["referral_code"] == "ABC"


def test_a_custom_field_created_through_the_connection_is_usable_at_once(
    conn: Connection, sim: Simulator, new_email: Callable[[str], str]
) -> None:
    conn.contacts.upsert({"email": new_email("warm"), "custom_fields": {"score": 1}})
    created = conn.custom_fields.create({"name": "Last order", "type": "date"})
    email = new_email("fresh")
    conn.contacts.upsert({"email": email, "custom_fields": {created["key"]: "2025-01-31"}})
    assert stored(sim, email).fields["last_order"] == "2025-01-31"


def test_a_deleted_custom_field_key_is_refused_after_a_refresh(
    conn: Connection, sim: Simulator, new_email: Callable[[str], str]
) -> None:
    created = conn.custom_fields.create({"name": "Soon gone", "type": "text"})
    conn.contacts.upsert({"email": new_email("warm"), "custom_fields": {"soon_gone": "x"}})
    conn.custom_fields.delete(created["id"])
    with sim.lock:
        before = len(sim.state.subscribers)
    with pytest.raises(ValidationError) as caught:
        conn.contacts.upsert({"email": new_email("late"), "custom_fields": {"soon_gone": "y"}})
    assert [p.field for p in caught.value.details] == ["custom_fields.soon_gone"]
    with sim.lock:
        assert len(sim.state.subscribers) == before
