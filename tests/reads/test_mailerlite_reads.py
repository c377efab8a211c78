"""MailerLite reads through the bundled mappings against the in-process simulator.

Every record and envelope produced here is validated against `schemas/unified/`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from engine.api import Connection
from engine.errors import NotFoundError, ValidationError
from simulators.mailerlite import Simulator
from tests.reads.helpers import CountingTransport

Valid = Callable[[str, Any], None]
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
REMOTE_STATUS = {
    "active": "active",
    "unsubscribed": "unsubscribed",
    "unconfirmed": "unconfirmed",
    "bounced": "bounced",
    "cleaned": "junk",
}
FULL = {
    "email": "Jane.Doe+news@example.com",
    "fields": {
        "name": "Jane",
        "last_name": "Doe",
        "phone": "+44 20 7946 0958",
        "city": "London",
        "state": "Greater London",
        "country": "United Kingdom",
        "z_i_p": "SW1A 1AA",
        "company": "Acme",
        "score": 42,
    },
}
BARE = {"email": "bare@example.com"}


@pytest.fixture(scope="module")
def created(sim: Simulator) -> dict[str, str]:
    """Two subscribers made through the simulator's API: one with every field, one bare."""
    ids: dict[str, str] = {}
    with sim.client() as client:
        for name, body in (("full", FULL), ("bare", BARE)):
            response = client.post("/subscribers", json=body)
            assert response.status_code == 201, response.text
            ids[name] = str(response.json()["data"]["id"])
    return ids


def _all(connection: Connection, resource: str, valid: Valid, **query: Any) -> list[dict[str, Any]]:
    """Every record by following `next_cursor` (bounded), validating each envelope."""
    records: list[dict[str, Any]] = []
    cursor = None
    for _ in range(1000):
        envelope = connection.call(resource, "list", query={**query, "next_cursor": cursor})
        valid(resource, envelope)
        records += envelope["result"]
        cursor = envelope["next_cursor"]
        if cursor is None:
            return records
    raise AssertionError("more than 1000 pages")


def _newest_first(sim: Simulator, ids: list[int], status: str | None) -> list[str]:
    subs = sim.state.subscribers
    return [str(i) for i in reversed(ids) if status is None or subs[i].status == status]


def test_contacts_list_page_is_a_valid_envelope(ml: Connection, assert_valid: Valid) -> None:
    envelope = ml.contacts.list(limit=10)
    assert_valid("contacts", envelope)
    assert envelope["result_count"] == 10
    assert isinstance(envelope["next_cursor"], str)
    assert envelope["prev_cursor"] is None


def test_contacts_list_without_filters_is_every_contact_newest_first(
    ml: Connection, sim: Simulator, created: dict[str, str], assert_valid: Valid
) -> None:
    records = _all(ml, "contacts", assert_valid, limit=100)
    assert [r["id"] for r in records] == _newest_first(sim, sim.state.order, None)


@pytest.mark.parametrize("status", sorted(REMOTE_STATUS))
def test_contacts_list_status_filter_matches_the_simulator(
    ml: Connection, sim: Simulator, assert_valid: Valid, status: str
) -> None:
    records = _all(ml, "contacts", assert_valid, status=status, limit=50)
    assert records, f"the seed has no {status} contact"
    assert {r["status"] for r in records} == {status}
    assert [r["id"] for r in records] == _newest_first(sim, sim.state.order, REMOTE_STATUS[status])


def test_contacts_list_list_id_gives_the_groups_active_members(
    ml: Connection, sim: Simulator, assert_valid: Valid
) -> None:
    for group in sim.state.groups.values():
        records = _all(ml, "contacts", assert_valid, list_id=str(group.id), limit=40)
        assert [r["id"] for r in records] == _newest_first(sim, group.members, "active")
        assert all(str(group.id) in {m["id"] for m in r["lists"]} for r in records)


def test_contacts_list_list_id_with_status_filters_both(
    ml: Connection, sim: Simulator, assert_valid: Valid
) -> None:
    group = max(sim.state.groups.values(), key=lambda g: len(g.members))
    records = _all(ml, "contacts", assert_valid, list_id=str(group.id), status="unsubscribed")
    assert [r["id"] for r in records] == _newest_first(sim, group.members, "unsubscribed")
    assert records


def test_contacts_list_segment_id_gives_the_segments_members(
    ml: Connection, sim: Simulator, assert_valid: Valid
) -> None:
    for segment in sim.state.segments.values():
        members, _ = sim.state.segment_members(segment)
        records = _all(ml, "contacts", assert_valid, segment_id=str(segment.id), limit=25)
        assert [r["id"] for r in records] == _newest_first(sim, members, "active")


def test_contacts_list_email_filter_finds_one_contact(
    ml: Connection, created: dict[str, str], assert_valid: Valid
) -> None:
    envelope = ml.contacts.list(email="jane.doe+news@example.com")
    assert_valid("contacts", envelope)
    assert [r["id"] for r in envelope["result"]] == [created["full"]]
    assert envelope["next_cursor"] is None


def test_contacts_list_unknown_email_is_an_empty_page(ml: Connection, assert_valid: Valid) -> None:
    envelope = ml.contacts.list(email="nobody@example.com")
    assert_valid("contacts", envelope)
    assert envelope == {"result": [], "next_cursor": None, "prev_cursor": None, "result_count": 0}


def test_contacts_list_email_with_list_id_is_rejected_naming_the_filter(
    ml: Connection, sim: Simulator, wire: CountingTransport
) -> None:
    group = next(iter(sim.state.groups))
    with pytest.raises(ValidationError) as raised:
        ml.contacts.list(email="jane.doe+news@example.com", list_id=str(group))
    assert raised.value.error == "validation_error"
    assert [d.field for d in raised.value.details] == ["list_id"]
    assert "list_id" in str(raised.value.to_dict())
    assert wire.requests == []


def test_contacts_list_unknown_filter_suggests_the_right_one(
    ml: Connection, wire: CountingTransport
) -> None:
    with pytest.raises(ValidationError) as raised:
        ml.contacts.list(stauts="active")
    assert raised.value.details[0].field == "stauts"
    assert "did you mean 'status'?" in raised.value.details[0].message
    assert wire.requests == []


def test_contacts_list_bad_status_is_rejected_before_sending(
    ml: Connection, wire: CountingTransport
) -> None:
    with pytest.raises(ValidationError) as raised:
        ml.contacts.list(status="junk")
    assert raised.value.details[0].field == "status"
    assert "cleaned" in raised.value.details[0].message
    assert wire.requests == []


def test_contacts_list_bad_limit_is_rejected_before_sending(
    ml: Connection, wire: CountingTransport
) -> None:
    for limit in (0, -5, "ten"):
        with pytest.raises(ValidationError):
            ml.contacts.list(limit=limit)
    assert wire.requests == []


def test_contacts_get_by_id(ml: Connection, created: dict[str, str], assert_valid: Valid) -> None:
    record = ml.contacts.get(created["full"])
    assert_valid("contacts", record)
    assert record["id"] == created["full"]
    assert record["email"] == "jane.doe+news@example.com"


def test_contacts_get_by_email_with_plus(
    ml: Connection, created: dict[str, str], wire: CountingTransport, assert_valid: Valid
) -> None:
    record = ml.contacts.get("Jane.Doe+news@example.com")
    assert_valid("contacts", record)
    assert record["id"] == created["full"]
    assert wire.requests == [("GET", "/api/subscribers/Jane.Doe%2Bnews%40example.com")]


def test_contacts_get_and_list_give_the_same_record(
    ml: Connection, created: dict[str, str]
) -> None:
    listed = ml.contacts.list(email="jane.doe+news@example.com")["result"][0]
    assert ml.contacts.get(created["full"]) == listed


def test_contacts_get_unknown_is_not_found(ml: Connection) -> None:
    for missing in ("999999999999999999", "nobody@example.com"):
        with pytest.raises(NotFoundError) as raised:
            ml.contacts.get(missing)
        error = raised.value.to_dict()
        assert error["error"] == "not_found"
        assert error["status_code"] == 404
        assert error["remote"] is True and error["remote_status"] == 404


def test_contact_fields_follow_the_contract(
    ml: Connection, created: dict[str, str], assert_valid: Valid
) -> None:
    record = ml.contacts.get(created["full"])
    assert_valid("contacts", record)
    names = (record["first_name"], record["last_name"], record["name"])
    assert names == ("Jane", "Doe", "Jane Doe")
    assert record["phones"] == [{"phone": "+44 20 7946 0958", "type": None}]
    assert record["addresses"] == [
        {
            "street_1": None,
            "street_2": None,
            "city": "London",
            "state": "Greater London",
            "postal_code": "SW1A 1AA",
            "country": "United Kingdom",
            "type": None,
        }
    ]
    assert record["custom_fields"] == {
        "company": "Acme",
        "score": 42,
        "loyalty_tier": None,
        "birthday": None,
    }
    assert record["tags"] == [] and record["lists"] == []
    assert record["status"] == "active"


def test_bare_contact_has_nulls_and_empty_arrays(
    ml: Connection, created: dict[str, str], assert_valid: Valid
) -> None:
    record = ml.contacts.get(created["bare"])
    assert_valid("contacts", record)
    assert (record["first_name"], record["last_name"], record["name"]) == (None, None, None)
    assert record["phones"] == [] and record["addresses"] == []
    assert record["unsubscribed_at"] is None


def test_junk_status_reads_as_cleaned(ml: Connection, sim: Simulator, assert_valid: Valid) -> None:
    junk = next(s for s in sim.state.subscribers.values() if s.status == "junk")
    record = ml.contacts.get(str(junk.id))
    assert_valid("contacts", record)
    assert record["status"] == "cleaned"
    assert record["remote_data"]["status"] == "junk"


def test_ids_are_strings_and_timestamps_iso_z(ml: Connection, assert_valid: Valid) -> None:
    envelope = ml.contacts.list(limit=100)
    assert_valid("contacts", envelope)
    for record in envelope["result"]:
        assert isinstance(record["id"], str) and record["id"].isdigit()
        assert all(isinstance(m["id"], str) for m in record["lists"])
        for key in ("created_at", "updated_at", "subscribed_at", "unsubscribed_at"):
            assert record[key] is None or ISO_Z.match(record[key]), (key, record[key])
        assert ISO_Z.match(record["created_at"])


def test_large_ids_survive_exactly(ml: Connection, sim: Simulator) -> None:
    largest = max(sim.state.subscribers)
    assert largest > 2**53
    assert ml.contacts.get(str(largest))["id"] == str(largest)


def test_remote_data_is_the_raw_record_and_can_be_switched_off(
    ml: Connection, created: dict[str, str], assert_valid: Valid
) -> None:
    with_raw = ml.contacts.get(created["full"])
    assert with_raw["remote_data"]["fields"]["z_i_p"] == "SW1A 1AA"
    assert with_raw["remote_data"]["id"] == created["full"]
    without = ml.contacts.get(created["full"], remote_data=False)
    assert_valid("contacts", without)
    assert "remote_data" not in without
    assert {k: v for k, v in with_raw.items() if k != "remote_data"} == without
    page = ml.contacts.list(limit=5, remote_data=False)
    assert_valid("contacts", page)
    assert all("remote_data" not in r for r in page["result"])
    assert all("remote_data" not in r for r in ml.iterate("lists", remote_data=False))


def test_lists_list_and_get(ml: Connection, sim: Simulator, assert_valid: Valid) -> None:
    records = _all(ml, "lists", assert_valid, limit=3)
    groups = sim.state.groups
    assert sorted(r["id"] for r in records) == sorted(str(g) for g in groups)
    for record in records:
        group = groups[int(record["id"])]
        assert record["name"] == group.name
        assert record["description"] is None and record["updated_at"] is None
        assert record["contact_count"] == group.counts["active"]
        assert ISO_Z.match(record["created_at"])
        got = ml.lists.get(record["id"])
        assert_valid("lists", got)
        assert got == record


def test_lists_list_name_filter(ml: Connection, sim: Simulator, assert_valid: Valid) -> None:
    group = next(iter(sim.state.groups.values()))
    envelope = ml.lists.list(name=group.name)
    assert_valid("lists", envelope)
    assert [r["id"] for r in envelope["result"]] == [str(group.id)]


def test_segments_list_and_get(ml: Connection, sim: Simulator, assert_valid: Valid) -> None:
    records = _all(ml, "segments", assert_valid, limit=2)
    assert sorted(r["id"] for r in records) == sorted(str(s) for s in sim.state.segments)
    for record in records:
        segment = sim.state.segments[int(record["id"])]
        assert record["name"] == segment.name
        assert record["contact_count"] == len(
            _newest_first(sim, sim.state.segment_members(segment)[0], "active")
        )
        got = ml.segments.get(record["id"], remote_data=False)
        assert_valid("segments", got)
        assert got == {k: v for k, v in record.items() if k != "remote_data"}


def test_custom_fields_list_and_get(ml: Connection, sim: Simulator, assert_valid: Valid) -> None:
    records = _all(ml, "custom_fields", assert_valid, limit=5)
    assert sorted(r["key"] for r in records) == sorted(f.key for f in sim.state.fields.values())
    by_key = {r["key"]: r for r in records}
    assert by_key["score"]["type"] == "number"
    assert by_key["birthday"]["type"] == "date"
    assert by_key["company"]["type"] == "text"
    for record in records:
        got = ml.custom_fields.get(record["id"])
        assert_valid("custom_fields", got)
        assert got == record


def test_custom_fields_get_unknown_is_not_found(ml: Connection) -> None:
    with pytest.raises(NotFoundError) as raised:
        ml.custom_fields.get("123")
    assert raised.value.error == "not_found"


@pytest.mark.parametrize("resource", ["lists", "segments"])
def test_get_unknown_list_or_segment_is_not_found(ml: Connection, resource: str) -> None:
    with pytest.raises(NotFoundError) as raised:
        ml.call(resource, "get", id="424242")
    assert raised.value.to_dict()["remote_status"] == 404
