"""Writes through the Brevo mapping: 201 {id} and 204 answers read back, memberships."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine.api import Connection, Engine
from engine.errors import UnimapError, ValidationError
from engine.unified.validate import validate_record
from simulators.brevo import DEFAULT_TOKEN, Simulator

NEW = {
    "email": "Ada@Example.com",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "phones": [{"phone": "+33612345678"}],
    "custom_fields": {"COMPANY": "Analytical", "SCORE": 7},
    "lists": [{"id": "1"}],
}


def _valid(record: dict[str, object]) -> dict[str, object]:
    assert validate_record("contacts", record) == [], record
    return record


def test_create_reads_the_new_contact_back(brevo: Connection, sim: Simulator) -> None:
    record = _valid(brevo.contacts.create(NEW))
    assert record["email"] == "ada@example.com"
    assert record["name"] == "Ada Lovelace"
    assert record["custom_fields"] == {"COMPANY": "Analytical", "SCORE": 7}
    assert record["phones"] == [{"phone": "+33612345678", "type": None}]
    assert record["lists"] == [{"id": "1", "name": None}]
    assert sim.state.by_email["ada@example.com"].id == int(str(record["id"]))


def test_create_of_an_existing_email_fails(brevo: Connection) -> None:
    brevo.contacts.create({"email": "dup@example.com"})
    with pytest.raises(UnimapError):
        brevo.contacts.create({"email": "dup@example.com"})


def test_upsert_reports_created_then_updated(brevo: Connection) -> None:
    first = brevo.contacts.upsert({"email": "up@example.com", "first_name": "Uma"})
    second = brevo.contacts.upsert({"email": "up@example.com", "last_name": "Ulm"})
    assert first["created"] is True
    assert second["created"] is False
    assert second["id"] == first["id"]
    assert (second["first_name"], second["last_name"]) == ("Uma", "Ulm")


def test_update_changes_given_fields_and_keeps_memberships(
    brevo: Connection, sim: Simulator
) -> None:
    created = brevo.contacts.create({**NEW, "email": "keep@example.com"})
    updated = _valid(
        brevo.contacts.update(str(created["id"]), {"last_name": "King", "lists": [{"id": "2"}]})
    )
    assert updated["first_name"] == "Ada"
    assert updated["last_name"] == "King"
    assert {ref["id"] for ref in updated["lists"]} == {"1", "2"}


def test_update_can_change_the_email(brevo: Connection) -> None:
    created = brevo.contacts.create({"email": "old@example.com"})
    updated = brevo.contacts.update("old@example.com", {"email": "new@example.com"})
    assert (updated["id"], updated["email"]) == (created["id"], "new@example.com")


def test_status_writes_email_blacklisting(brevo: Connection, sim: Simulator) -> None:
    record = brevo.contacts.upsert({"email": "bl@example.com", "status": "unsubscribed"})
    assert record["status"] == "unsubscribed"
    assert sim.state.by_email["bl@example.com"].email_blacklisted
    again = brevo.contacts.update(str(record["id"]), {"status": "active"})
    assert again["status"] == "active"


def test_unknown_custom_field_is_refused_before_sending(brevo: Connection) -> None:
    with pytest.raises(ValidationError) as caught:
        brevo.contacts.create({"email": "x@example.com", "custom_fields": {"NOPE": 1}})
    assert [p.field for p in caught.value.details] == ["custom_fields.NOPE"]


def test_bulk_upsert_answers_one_result_per_input(brevo: Connection, sim: Simulator) -> None:
    existing = sim.state.contacts[2].email
    items = [{"email": existing, "first_name": "Re"}, {"email": "b1@example.com"}, {"email": "b2"}]
    results = brevo.contacts.bulk_upsert(items)["result"]
    assert len(results) == 3
    assert [r["success"] for r in results] == [True, True, False]
    assert [r.get("created") for r in results[:2]] == [False, True]


def test_tags_are_refused(brevo: Connection) -> None:
    with pytest.raises(ValidationError) as caught:
        brevo.contacts.create({"email": "t@example.com", "tags": [{"name": "x"}]})
    assert [p.field for p in caught.value.details] == ["tags"]


@pytest.fixture
def with_folder(engine: Engine, sim: Simulator) -> Iterator[Connection]:
    """A connection whose `folder_id` setting names the seeded folder."""
    connection = engine.connect(
        "brevo",
        credentials={"api_key": DEFAULT_TOKEN},
        base_url="http://brevo.sim/v3",
        transport=sim.transport(),
        settings={"folder_id": 1},
    )
    yield connection
    connection.close()


def test_list_create_and_update_read_back(with_folder: Connection, sim: Simulator) -> None:
    created = with_folder.lists.create({"name": "Fresh"})
    assert validate_record("lists", created) == []
    assert sim.state.lists[int(str(created["id"]))].folder_id == 1
    renamed = with_folder.lists.update(str(created["id"]), {"name": "Renamed"})
    assert renamed["name"] == "Renamed"


def test_list_create_without_the_folder_setting_is_refused_by_brevo(brevo: Connection) -> None:
    with pytest.raises(UnimapError, match="folderId"):
        brevo.lists.create({"name": "Orphan"})


def test_adding_a_member_twice_succeeds_and_unknown_contacts_fail(
    brevo: Connection, sim: Simulator
) -> None:
    member = str(next(iter(sim.state.lists[1].members)))
    results = brevo.lists.add_contacts("1", [member, "99999"])["result"]
    assert [r["success"] for r in results] == [True, False]
    assert results[0]["contact_id"] == member
    assert results[1]["error"]["error"] == "not_found"
    removed = brevo.lists.remove_contacts("1", [member, member])["result"]
    assert [r["success"] for r in removed] == [True, True]
    assert int(member) not in sim.state.lists[1].members


def test_custom_field_create_reads_the_attribute_back(brevo: Connection, sim: Simulator) -> None:
    created = brevo.custom_fields.create({"name": "Plan", "type": "number"})
    assert validate_record("custom_fields", created) == []
    assert (created["id"], created["key"], created["type"]) == ("PLAN", "PLAN", "number")
    assert sim.state.attributes["PLAN"].type == "float"
    contact = brevo.contacts.create({"email": "p@example.com", "custom_fields": {"PLAN": 3}})
    assert contact["custom_fields"] == {"PLAN": 3}


def test_custom_field_type_other_is_refused(brevo: Connection) -> None:
    with pytest.raises(ValidationError) as caught:
        brevo.custom_fields.create({"name": "Flag", "type": "other"})
    assert [p.field for p in caught.value.details] == ["type"]
