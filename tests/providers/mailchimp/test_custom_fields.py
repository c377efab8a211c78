"""Unified custom fields over the merge fields of the connection's audience."""

from __future__ import annotations

import pytest

from engine.api import Connection
from engine.errors import ValidationError
from engine.unified.validate import validate_record
from simulators.mailchimp import Simulator


def test_merge_fields_of_the_audience_are_listed(conn: Connection, sim: Simulator) -> None:
    audience = next(iter(sim.state.audiences.values()))
    fields = list(conn.iterate("custom_fields", {"limit": 2}))
    assert [f["key"] for f in fields] == [m.tag for m in audience.merge_fields.values()]
    assert all(validate_record("custom_fields", f) == [] for f in fields)
    types = {f["key"]: f["type"] for f in fields}
    assert (
        types["SCORE"] == "number" and types["BIRTHDAY"] == "date" and types["ADDRESS"] == "other"
    )


def test_type_filter(conn: Connection) -> None:
    numbers = list(conn.iterate("custom_fields", {"type": "number"}))
    assert [f["key"] for f in numbers] == ["SCORE"]


def test_create_rename_and_delete_a_merge_field(conn: Connection) -> None:
    created = conn.custom_fields.create({"name": "Plan", "type": "text", "key": "PLAN"})
    assert created["key"] == "PLAN"
    renamed = conn.custom_fields.update(created["id"], {"name": "Pricing plan"})
    assert renamed["name"] == "Pricing plan" and renamed["key"] == "PLAN"
    contact = conn.contacts.create({"email": "plan@example.com", "custom_fields": {"PLAN": "pro"}})
    assert contact["custom_fields"]["PLAN"] == "pro"
    conn.custom_fields.delete(created["id"])
    assert "PLAN" not in {f["key"] for f in conn.iterate("custom_fields", {})}


def test_changing_the_type_is_refused(conn: Connection) -> None:
    field = next(iter(conn.iterate("custom_fields", {"type": "number"})))
    with pytest.raises(ValidationError):
        conn.custom_fields.update(field["id"], {"type": "text"})
