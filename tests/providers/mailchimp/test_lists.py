"""Unified lists over Mailchimp audiences."""

from __future__ import annotations

from typing import Any

import pytest

from engine.api import Connection
from engine.errors import NotFoundError, NotSupportedError
from engine.unified.validate import validate_record
from simulators.mailchimp import Simulator


def _all(conn: Connection, limit: int) -> list[dict[str, Any]]:
    return list(conn.iterate("lists", {"limit": limit}))


@pytest.mark.parametrize("limit", [1, 7, 1000])
def test_every_audience_is_listed_exactly_once(
    conn: Connection, sim: Simulator, limit: int
) -> None:
    ids = [record["id"] for record in _all(conn, limit)]
    assert ids == list(sim.state.audiences)


def test_list_records_are_valid_unified_lists(conn: Connection) -> None:
    for record in _all(conn, 100):
        assert validate_record("lists", record) == []


def test_audience_fields_map_to_the_unified_list(conn: Connection, sim: Simulator) -> None:
    audience = next(iter(sim.state.audiences.values()))
    record = conn.lists.get(audience.id)
    subscribed = sum(1 for m in audience.members.values() if m.status == "subscribed")
    assert record["name"] == audience.name
    assert record["contact_count"] == subscribed
    assert record["created_at"] == audience.date_created.replace("+00:00", "Z")
    assert record["description"] is None and record["updated_at"] is None


def test_update_renames_the_audience(conn: Connection, sim: Simulator) -> None:
    list_id = next(iter(sim.state.audiences))
    assert conn.lists.update(list_id, {"name": "Renamed"})["name"] == "Renamed"
    assert sim.state.audiences[list_id].name == "Renamed"


def test_delete_removes_the_audience(conn: Connection, sim: Simulator) -> None:
    list_id = next(iter(sim.state.audiences))
    conn.lists.delete(list_id)
    with pytest.raises(NotFoundError):
        conn.lists.get(list_id)


def test_create_is_not_supported_with_the_mapping_reason(conn: Connection) -> None:
    with pytest.raises(NotSupportedError) as caught:
        conn.lists.create({"name": "New"})
    assert "postal contact address" in str(caught.value)
