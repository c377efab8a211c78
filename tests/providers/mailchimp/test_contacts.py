"""Unified contacts over audience members: composite ids (audience id + subscriber hash),
listings across every audience behind one cursor, writes into an audience."""

from __future__ import annotations

from typing import Any

import pytest

from engine.api import Connection
from engine.errors import NotFoundError, UnimapError, ValidationError
from engine.unified.validate import validate_record
from simulators.mailchimp import Simulator, subscriber_hash
from simulators.mailchimp.models import Audience


def _audience(sim: Simulator) -> Audience:
    return next(iter(sim.state.audiences.values()))


def _cid(audience: Audience, member_id: str) -> str:
    return f"{audience.id}:{member_id}"


def _visible(sim: Simulator) -> list[str]:
    return [
        _cid(a, m.id)
        for a in sim.state.audiences.values()
        for m in a.members.values()
        if m.status != "archived"
    ]


@pytest.mark.parametrize("limit", [1, 7, 1000])
def test_every_member_of_every_audience_is_listed_exactly_once(
    conn: Connection, sim: Simulator, limit: int
) -> None:
    ids = [record["id"] for record in conn.iterate("contacts", {"limit": limit})]
    assert ids == _visible(sim)


def test_list_id_filter_lists_one_audience(conn: Connection, sim: Simulator) -> None:
    audience = list(sim.state.audiences.values())[1]
    records = list(conn.iterate("contacts", {"list_id": audience.id, "limit": 1000}))
    assert {r["lists"][0]["id"] for r in records} == {audience.id}
    assert len(records) == sum(1 for m in audience.members.values() if m.status != "archived")


def test_contact_records_are_valid_and_carry_the_merge_fields(
    conn: Connection, sim: Simulator
) -> None:
    records = list(conn.iterate("contacts", {"limit": 1000}))
    assert all(validate_record("contacts", r) == [] for r in records)
    member = next(m for m in _audience(sim).members.values() if "COMPANY" in m.merge_fields)
    record = next(r for r in records if r["id"] == _cid(_audience(sim), member.id))
    assert record["first_name"] == member.merge_fields["FNAME"]
    assert record["custom_fields"]["COMPANY"] == member.merge_fields["COMPANY"]
    assert record["lists"] == [{"id": _audience(sim).id, "name": None}]


def test_status_filter_maps_unified_to_mailchimp_statuses(conn: Connection) -> None:
    pending = list(conn.iterate("contacts", {"status": "unconfirmed", "limit": 1000}))
    assert pending and {r["status"] for r in pending} == {"unconfirmed"}
    assert {r["remote_data"]["status"] for r in pending} == {"pending"}


def test_get_by_id_and_by_email_answer_the_address(conn: Connection, sim: Simulator) -> None:
    member = next(iter(_audience(sim).members.values()))
    by_id = conn.contacts.get(_cid(_audience(sim), member.id))
    by_email = conn.contacts.get(member.email_address.upper())
    assert by_id["id"] == _cid(_audience(sim), subscriber_hash(member.email_address))
    assert by_email["email"] == by_id["email"]


def test_an_id_that_is_not_composite_is_refused(conn: Connection) -> None:
    with pytest.raises(ValidationError):
        conn.contacts.get("d41d8cd98f00b204e9800998ecf8427e")


def test_email_filter_finds_one_member_or_none(conn: Connection, sim: Simulator) -> None:
    member = next(iter(_audience(sim).members.values()))
    found = conn.contacts.list(email=member.email_address)["result"]
    assert _cid(_audience(sim), member.id) in [r["id"] for r in found]
    assert {r["email"] for r in found} == {member.email_address}
    assert conn.contacts.list(email="nobody@example.com")["result"] == []


def test_create_then_update_keeps_tags_and_other_fields(conn: Connection) -> None:
    created = conn.contacts.create(
        {
            "email": "New.Person@example.com",
            "first_name": "New",
            "last_name": "Person",
            "tags": [{"name": "Gold"}],
            "custom_fields": {"SCORE": 7},
        }
    )
    assert created["id"].endswith(":" + subscriber_hash("new.person@example.com"))
    assert created["status"] == "active"
    updated = conn.contacts.update(created["id"], {"first_name": "Renamed"})
    assert updated["first_name"] == "Renamed" and updated["last_name"] == "Person"
    assert [t["name"] for t in updated["tags"]] == ["Gold"]
    assert updated["custom_fields"]["SCORE"] == 7
    assert validate_record("contacts", updated) == []


def test_creating_an_existing_member_is_a_validation_error(
    conn: Connection, sim: Simulator
) -> None:
    member = next(iter(_audience(sim).members.values()))
    with pytest.raises(UnimapError) as caught:
        conn.contacts.create({"email": member.email_address})
    assert caught.value.error == "validation_error"
    assert "already a list member" in str(caught.value)


def test_address_and_phone_round_trip(conn: Connection) -> None:
    address = {
        "street_1": "1 Main St",
        "street_2": None,
        "city": "Atlanta",
        "state": "GA",
        "postal_code": "30308",
        "country": "US",
    }
    created = conn.contacts.create(
        {"email": "addr@example.com", "addresses": [address], "phones": [{"phone": "555-0100"}]}
    )
    assert created["addresses"] == [{**address, "type": None}]
    assert created["phones"] == [{"phone": "555-0100", "type": None}]


def test_delete_erases_the_member(conn: Connection, sim: Simulator) -> None:
    created = conn.contacts.create({"email": "bye@example.com"})
    conn.contacts.delete(created["id"])
    with pytest.raises(NotFoundError):
        conn.contacts.get(created["id"])
    assert created["id"].split(":")[1] not in _audience(sim).members


def test_upsert_creates_then_updates_the_same_member(conn: Connection, sim: Simulator) -> None:
    first = conn.contacts.upsert({"email": "Up@example.com", "first_name": "Ada"})
    second = conn.contacts.upsert({"email": "up@example.com", "first_name": "Grace"})
    assert (first["created"], second["created"]) == (True, False)
    assert first["id"] == second["id"] == _cid(_audience(sim), subscriber_hash("up@example.com"))
    assert second["first_name"] == "Grace" and second["email"] == "Up@example.com"


def test_upsert_keeps_the_status_of_an_existing_member_unless_given(
    conn: Connection, sim: Simulator
) -> None:
    member = next(iter(_audience(sim).members.values()))
    member.status = "unsubscribed"
    again = conn.contacts.upsert({"email": member.email_address, "last_name": "Kept"})
    assert again["created"] is False and again["status"] == "unsubscribed"


def test_bulk_upsert_reports_each_item_in_order(conn: Connection, sim: Simulator) -> None:
    existing = next(iter(_audience(sim).members.values())).email_address
    answer = conn.contacts.bulk_upsert([{"email": existing}, {"email": "bulk-new@example.com"}])
    assert [r["created"] for r in answer["result"]] == [False, True]
    assert [r["record"]["email"] for r in answer["result"]] == [existing, "bulk-new@example.com"]


def _segment_members(conn: Connection, segment_id: str) -> list[dict[str, Any]]:
    return list(conn.iterate("contacts", {"segment_id": segment_id, "limit": 1000}))


def test_segments_and_their_members(conn: Connection, sim: Simulator) -> None:
    audience = _audience(sim)
    segments = list(conn.iterate("segments", {"limit": 1000}))
    assert [s["id"] for s in segments] == [str(i) for i in audience.segments]
    assert all(validate_record("segments", s) == [] for s in segments)
    saved = next(s for s in segments if s["remote_data"]["type"] == "saved" and s["contact_count"])
    members = _segment_members(conn, saved["id"])
    assert len(members) == saved["contact_count"] > 0
    assert conn.segments.get(saved["id"])["name"] == saved["name"]


def test_update_adds_tags_by_name_and_keeps_the_others(conn: Connection, sim: Simulator) -> None:
    created = conn.contacts.create({"email": "tagged@example.com", "tags": [{"name": "Gold"}]})
    updated = conn.contacts.update(
        created["id"], {"tags": [{"name": "Silver"}], "last_name": "Tagged"}
    )
    assert sorted(t["name"] for t in updated["tags"]) == ["Gold", "Silver"]
    assert updated["last_name"] == "Tagged"


def test_create_goes_to_the_first_list_given(conn: Connection, sim: Simulator) -> None:
    audience = list(sim.state.audiences.values())[2]
    created = conn.contacts.create({"email": "there@example.com", "lists": [{"id": audience.id}]})
    assert created["id"] == _cid(audience, subscriber_hash("there@example.com"))


def test_without_an_audience_setting_listing_works_and_create_names_what_is_missing(
    conn: Connection, sim: Simulator
) -> None:
    bare = conn.engine.connect(
        "mailchimp", credentials={"api_key": sim.token}, transport=sim.transport()
    )
    assert [r["id"] for r in bare.iterate("contacts", {"limit": 1000})] == _visible(sim)
    with pytest.raises(ValidationError) as caught:
        bare.contacts.create({"email": "nowhere@example.com"})
    bare.close()
    assert "list" in str(caught.value)
