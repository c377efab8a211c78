"""The Kit mapping driven by the engine against the Kit simulator: what it supports."""

from __future__ import annotations

import httpx
import pytest

from engine.api import Connection, Engine
from engine.errors import NotFoundError, NotSupportedError, ValidationError
from engine.unified.validate import validate_record
from simulators.kit import DEFAULT_TOKEN, Simulator


def _all(kit: Connection, resource: str, **query: object) -> list[dict[str, object]]:
    return list(kit.iterate(resource, dict(query)))


@pytest.mark.parametrize("limit", [1, 7, 1000])
def test_listing_returns_every_subscriber_exactly_once(
    kit: Connection, sim: Simulator, limit: int
) -> None:
    records = _all(kit, "contacts", limit=limit)
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids))
    assert set(ids) == {str(i) for i in sim.state.subscribers}


def test_records_are_valid_unified_records(kit: Connection) -> None:
    for resource in ("contacts", "lists", "custom_fields", "segments"):
        for record in _all(kit, resource):
            assert validate_record(resource, record) == [], (resource, record)


def test_status_filter_maps_to_kit_states(kit: Connection, sim: Simulator) -> None:
    cancelled = {str(s.id) for s in sim.state.subscribers.values() if s.state == "cancelled"}
    got = _all(kit, "contacts", status="unsubscribed")
    assert {r["id"] for r in got} == cancelled
    assert {r["status"] for r in got} <= {"unsubscribed"}


def test_email_filter_finds_one_contact_in_any_state(kit: Connection, sim: Simulator) -> None:
    sub = next(s for s in sim.state.subscribers.values() if s.state != "active")
    got = _all(kit, "contacts", email=sub.email_address.upper())
    assert [r["id"] for r in got] == [str(sub.id)]


def test_list_id_filter_lists_a_tags_members_in_every_state(
    kit: Connection, sim: Simulator
) -> None:
    tag_id = sorted(sim.state.tags)[0]
    members = {str(s.id) for s in sim.state.subscribers.values() if tag_id in s.tags}
    assert {r["id"] for r in _all(kit, "contacts", list_id=str(tag_id))} == members


def test_listed_contacts_carry_their_tags_as_lists(kit: Connection, sim: Simulator) -> None:
    sub = next(s for s in sim.state.subscribers.values() if len(s.tags) >= 2)
    (record,) = _all(kit, "contacts", email=sub.email_address)
    assert {item["id"] for item in record["lists"]} == {str(t) for t in sub.tags}


def test_get_by_id_reads_the_tags_with_a_second_request(kit: Connection, sim: Simulator) -> None:
    sub = next(s for s in sim.state.subscribers.values() if len(s.tags) >= 2)
    record = kit.call("contacts", "get", str(sub.id))
    assert (record["id"], record["email"]) == (str(sub.id), sub.email_address)
    assert {item["id"] for item in record["lists"]} == {str(t) for t in sub.tags}


def test_a_tags_members_carry_all_their_tags(kit: Connection, sim: Simulator) -> None:
    tag_id = sorted(sim.state.tags)[0]
    for record in _all(kit, "contacts", list_id=str(tag_id)):
        tags = sim.state.subscribers[int(record["id"])].tags
        assert {item["id"] for item in record["lists"]} == {str(t) for t in tags}


def test_listing_all_contacts_sends_no_tag_requests(engine: Engine, sim: Simulator) -> None:
    paths: list[str] = []
    inner = sim.transport()

    def record(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.path)
        return inner.handle_request(request)

    transport = httpx.MockTransport(record)
    with engine.connect(
        "kit", {"api_key": DEFAULT_TOKEN}, base_url="http://kit.sim/v4", transport=transport
    ) as kit:
        records = _all(kit, "contacts", limit=1000)
        kit.call("contacts", "get", records[0]["id"])
    assert paths == [
        "/v4/subscribers",
        f"/v4/subscribers/{records[0]['id']}",
        f"/v4/subscribers/{records[0]['id']}/tags",
    ]


def test_a_created_subscriber_has_no_lists(kit: Connection) -> None:
    record = kit.call("contacts", "create", body={"email": "new@example.com"})
    assert record["lists"] == []


def test_get_by_email_finds_a_subscriber_in_any_state(kit: Connection, sim: Simulator) -> None:
    sub = next(s for s in sim.state.subscribers.values() if s.state != "active" and s.tags)
    record = kit.call("contacts", "get", sub.email_address)
    assert (record["id"], record["email"]) == (str(sub.id), sub.email_address)
    assert {item["id"] for item in record["lists"]} == {str(t) for t in sub.tags}


def test_get_by_unknown_email_is_not_found(kit: Connection) -> None:
    with pytest.raises(NotFoundError):
        kit.call("contacts", "get", "nobody@example.com")


def test_prev_cursor_goes_back_a_page(kit: Connection) -> None:
    first = kit.contacts.list(limit=5)
    second = kit.contacts.list(limit=5, next_cursor=first["next_cursor"])
    back = kit.contacts.list(limit=5, next_cursor=second["prev_cursor"])
    assert first["prev_cursor"] is None
    assert [r["id"] for r in second["result"]] != [r["id"] for r in first["result"]]
    assert [r["id"] for r in back["result"]] == [r["id"] for r in first["result"]]


def test_upsert_creates_then_updates_by_email(kit: Connection, sim: Simulator) -> None:
    body = {"email": "ada@example.com", "first_name": "Ada", "last_name": "Lovelace"}
    first = kit.call("contacts", "upsert", body=body)
    again = kit.call("contacts", "upsert", body={"email": "ada@example.com", "first_name": "A."})
    assert (first["created"], again["created"]) == (True, False)
    assert again["id"] == first["id"]
    assert again["first_name"] == "A."
    assert again["last_name"] == "Lovelace"


def test_custom_fields_are_written_by_key(kit: Connection, sim: Simulator) -> None:
    result = kit.call(
        "contacts", "create", body={"email": "cf@example.com", "custom_fields": {"company": "Acme"}}
    )
    assert result["custom_fields"]["company"] == "Acme"
    assert "last_name" not in result["custom_fields"]


def test_update_adds_tags_and_keeps_existing_memberships(kit: Connection, sim: Simulator) -> None:
    sub = next(s for s in sim.state.subscribers.values() if s.tags and s.state == "active")
    kept = set(sub.tags)
    new_tag = next(t for t in sim.state.tags if t not in sub.tags)
    answer = kit.call(
        "contacts",
        "update",
        str(sub.id),
        body={"first_name": "Renamed", "lists": [{"id": str(new_tag)}]},
    )
    assert set(sub.tags) == kept | {new_tag}
    assert sub.first_name == "Renamed"
    assert {item["id"] for item in answer["lists"]} == {str(t) for t in kept | {new_tag}}


def test_update_refuses_a_status_change(kit: Connection, sim: Simulator) -> None:
    sub = next(iter(sim.state.subscribers.values()))
    with pytest.raises(ValidationError):
        kit.call("contacts", "update", str(sub.id), body={"status": "active"})


def test_contacts_cannot_be_deleted(kit: Connection, sim: Simulator) -> None:
    with pytest.raises(NotSupportedError):
        kit.call("contacts", "delete", str(next(iter(sim.state.subscribers))))


def test_list_membership_add_and_remove(kit: Connection, sim: Simulator) -> None:
    tag = kit.call("lists", "create", body={"name": "Launch"})
    ids = [str(s.id) for s in list(sim.state.subscribers.values())[:3]]
    kit.call("lists", "add_contacts", tag["id"], body={"contact_ids": ids})
    members = {r["id"] for r in _all(kit, "contacts", list_id=tag["id"])}
    assert members == set(ids)
    kit.call("lists", "remove_contacts", tag["id"], body={"contact_ids": ids[:1]})
    assert {r["id"] for r in _all(kit, "contacts", list_id=tag["id"])} == set(ids[1:])


def test_lists_get_and_rename(kit: Connection) -> None:
    tag = kit.call("lists", "create", body={"name": "Old name"})
    kit.call("lists", "update", tag["id"], body={"name": "New name"})
    assert kit.call("lists", "get", tag["id"])["name"] == "New name"


def test_custom_field_lifecycle(kit: Connection) -> None:
    field = kit.call("custom_fields", "create", body={"name": "Favourite Colour", "type": "text"})
    assert (field["key"], field["type"]) == ("favourite_colour", "text")
    kit.call("custom_fields", "update", field["id"], body={"name": "Colour"})
    assert kit.call("custom_fields", "get", field["id"])["name"] == "Colour"
    kit.call("custom_fields", "delete", field["id"])
    assert field["id"] not in {r["id"] for r in _all(kit, "custom_fields")}


def test_segments_are_listed(kit: Connection, sim: Simulator) -> None:
    assert {r["id"] for r in _all(kit, "segments")} == {str(i) for i in sim.state.segments}
