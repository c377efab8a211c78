"""Reads and deletes through the Brevo mapping: every record once, filters, lookups."""

from __future__ import annotations

from typing import Any

import pytest

from engine.api import Connection
from engine.errors import NotFoundError
from engine.unified.validate import validate_record
from simulators.brevo import Simulator
from tests.providers.brevo.conftest import CONTACTS, LISTS


def _all(connection: Connection, resource: str, **query: Any) -> list[dict[str, Any]]:
    """Every record by following `next_cursor` (bounded), each one schema-checked."""
    records: list[dict[str, Any]] = []
    cursor = None
    for _ in range(500):
        page = getattr(connection, resource).list(next_cursor=cursor, **query)
        for record in page["result"]:
            assert validate_record(resource, record) == [], record
        records.extend(page["result"])
        cursor = page["next_cursor"]
        if cursor is None:
            return records
    raise AssertionError("listing did not end")


@pytest.mark.parametrize("limit", [1, 7, 1000])
def test_list_returns_every_contact_exactly_once(brevo: Connection, limit: int) -> None:
    ids = [r["id"] for r in _all(brevo, "contacts", limit=limit)]
    assert len(ids) == CONTACTS
    assert len(set(ids)) == CONTACTS


def test_contact_fields_come_from_brevo_attributes(brevo: Connection, sim: Simulator) -> None:
    stored = sim.state.contacts[5]
    record = brevo.contacts.get("5")
    assert record["email"] == stored.email
    assert record["first_name"] == stored.attributes["FIRSTNAME"]
    assert record["last_name"] == stored.attributes["LASTNAME"]
    assert record["status"] == ("unsubscribed" if stored.email_blacklisted else "active")
    assert {ref["id"] for ref in record["lists"]} == {str(i) for i in stored.list_ids}
    assert "FIRSTNAME" not in record["custom_fields"]


def test_get_by_email_finds_the_same_contact(brevo: Connection, sim: Simulator) -> None:
    stored = sim.state.contacts[8]
    assert stored.email is not None
    assert brevo.contacts.get(stored.email)["id"] == "8"


def test_get_unknown_contact_is_not_found(brevo: Connection) -> None:
    with pytest.raises(NotFoundError):
        brevo.contacts.get("nobody@example.com")


def test_email_filter_finds_one_or_none(brevo: Connection, sim: Simulator) -> None:
    email = sim.state.contacts[3].email
    assert [r["id"] for r in _all(brevo, "contacts", email=email)] == ["3"]
    assert _all(brevo, "contacts", email="missing@example.com") == []


def test_list_id_filter_returns_the_list_members(brevo: Connection, sim: Simulator) -> None:
    members = {str(cid) for cid in sim.state.lists[2].members}
    got = [r["id"] for r in _all(brevo, "contacts", list_id="2", limit=7)]
    assert sorted(got) == sorted(members)


def test_segment_id_filter(brevo: Connection, sim: Simulator) -> None:
    segment = sim.state.segments[1]
    wanted = {str(c.id) for c in sim.state.contacts.values() if sim.state.in_segment(segment, c)}
    assert {r["id"] for r in _all(brevo, "contacts", segment_id="1")} == wanted


def test_lists_are_listed_and_read(brevo: Connection, sim: Simulator) -> None:
    lists = _all(brevo, "lists", limit=1)
    assert len(lists) == LISTS
    one = brevo.lists.get("1")
    assert validate_record("lists", one) == []
    assert one["contact_count"] == len(sim.state.lists[1].members)
    assert one["created_at"] is not None


def test_custom_fields_are_normal_attributes_without_unified_ones(brevo: Connection) -> None:
    fields = _all(brevo, "custom_fields")
    keys = {f["key"]: f["type"] for f in fields}
    assert keys == {"COMPANY": "text", "SCORE": "number", "BIRTHDAY": "date", "VIP": "other"}
    assert brevo.custom_fields.get("SCORE")["name"] == "SCORE"


def test_segments_are_listed_and_found_by_id(brevo: Connection) -> None:
    segments = _all(brevo, "segments", limit=1)
    assert len(segments) == 3
    assert brevo.segments.get(segments[0]["id"])["name"] == segments[0]["name"]


def test_delete_contact(brevo: Connection, sim: Simulator) -> None:
    brevo.contacts.delete("4")
    assert 4 not in sim.state.contacts


def test_delete_list_keeps_contacts(brevo: Connection, sim: Simulator) -> None:
    members = set(sim.state.lists[3].members)
    brevo.lists.delete("3")
    assert 3 not in sim.state.lists
    assert members <= set(sim.state.contacts)


def test_delete_custom_field(brevo: Connection, sim: Simulator) -> None:
    brevo.custom_fields.delete("COMPANY")
    assert "COMPANY" not in sim.state.attributes


def test_add_and_remove_contacts_one_result_each(brevo: Connection, sim: Simulator) -> None:
    outsiders = [str(c) for c in sorted(set(sim.state.contacts) - sim.state.lists[1].members)][:3]
    added = brevo.lists.add_contacts("1", outsiders)["result"]
    assert [r["contact_id"] for r in added] == outsiders
    assert all(r["success"] for r in added)
    assert {int(c) for c in outsiders} <= sim.state.lists[1].members
    removed = brevo.lists.remove_contacts("1", outsiders[:2])["result"]
    assert all(r["success"] for r in removed)
    assert not {int(c) for c in outsiders[:2]} & sim.state.lists[1].members
