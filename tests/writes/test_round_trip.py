"""Write then read: every writable unified field comes back unchanged, and the simulator holds
it in MailerLite's own shape (`fields.name`, `fields.z_i_p`, `groups`, ...)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from engine.api import Connection
from simulators.mailerlite import Simulator
from tests.writes.helpers import stored


def _written(conn: Connection, body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    created = conn.contacts.create(body)
    return created, conn.contacts.get(created["id"])


def test_email_round_trips_lower_cased_as_the_provider_stores_it(
    conn: Connection, sim: Simulator
) -> None:
    created, read = _written(conn, {"email": "Mixed.Case@Writes.Example"})
    assert read["email"] == created["email"] == "mixed.case@writes.example"
    assert stored(sim, "mixed.case@writes.example").id == int(read["id"])


def test_first_and_last_name_round_trip_into_fields_name_and_last_name(
    conn: Connection, sim: Simulator, new_email: Callable[[str], str]
) -> None:
    email = new_email("names")
    _, read = _written(conn, {"email": email, "first_name": "Zoë", "last_name": "O'Neil"})
    assert (read["first_name"], read["last_name"], read["name"]) == ("Zoë", "O'Neil", "Zoë O'Neil")
    fields = stored(sim, email).fields
    assert (fields["name"], fields["last_name"]) == ("Zoë", "O'Neil")


@pytest.mark.parametrize(
    ("unified", "remote"),
    [
        ("active", "active"),
        ("unsubscribed", "unsubscribed"),
        ("unconfirmed", "unconfirmed"),
        ("bounced", "bounced"),
        ("cleaned", "junk"),
    ],
)
def test_status_round_trips_through_the_provider_status(
    unified: str, remote: str, conn: Connection, sim: Simulator, new_email: Callable[[str], str]
) -> None:
    email = new_email(unified)
    created, read = _written(conn, {"email": email, "status": unified})
    assert created["status"] == read["status"] == unified
    assert stored(sim, email).status == remote


def test_phone_round_trips_into_fields_phone(
    conn: Connection, sim: Simulator, new_email: Callable[[str], str]
) -> None:
    email = new_email("phone")
    phones = [{"phone": "+37060000001", "type": None}]
    _, read = _written(conn, {"email": email, "phones": phones})
    assert read["phones"] == phones
    assert stored(sim, email).fields["phone"] == "+37060000001"


def test_address_round_trips_into_city_state_country_and_z_i_p(
    conn: Connection, sim: Simulator, new_email: Callable[[str], str]
) -> None:
    email = new_email("address")
    address = {
        "city": "Vilnius",
        "state": "Vilniaus",
        "country": "Lithuania",
        "postal_code": "01100",
    }
    _, read = _written(conn, {"email": email, "addresses": [address]})
    assert len(read["addresses"]) == 1
    assert {k: read["addresses"][0][k] for k in address} == address
    fields = stored(sim, email).fields
    assert (fields["city"], fields["state"], fields["country"], fields["z_i_p"]) == (
        "Vilnius",
        "Vilniaus",
        "Lithuania",
        "01100",
    )


def test_lists_round_trip_as_group_memberships(
    conn: Connection, sim: Simulator, group_ids: list[str], new_email: Callable[[str], str]
) -> None:
    email = new_email("lists")
    wanted = group_ids[:2]
    _, read = _written(conn, {"email": email, "lists": [{"id": gid} for gid in wanted]})
    assert sorted(item["id"] for item in read["lists"]) == sorted(wanted)
    assert all(item["name"] for item in read["lists"])
    assert stored(sim, email).groups == {int(gid) for gid in wanted}


def test_custom_fields_of_each_type_round_trip_keyed_by_field_key(
    conn: Connection, sim: Simulator, new_email: Callable[[str], str]
) -> None:
    email = new_email("custom")
    values = {"loyalty_tier": "gold", "score": 42, "birthday": "1990-05-17", "company": "Acme"}
    _, read = _written(conn, {"email": email, "custom_fields": values})
    assert {k: read["custom_fields"][k] for k in values} == values
    fields = stored(sim, email).fields
    assert {k: fields[k] for k in values} == values


def test_subscribed_at_round_trips_as_utc_timestamp(
    conn: Connection, sim: Simulator, new_email: Callable[[str], str]
) -> None:
    email = new_email("subscribed")
    _, read = _written(conn, {"email": email, "subscribed_at": "2024-02-29T23:59:58Z"})
    assert read["subscribed_at"] == "2024-02-29T23:59:58Z"
    assert stored(sim, email).subscribed_at == "2024-02-29 23:59:58"


def test_unsubscribed_at_round_trips_as_utc_timestamp(
    conn: Connection, sim: Simulator, new_email: Callable[[str], str]
) -> None:
    email = new_email("unsubscribed")
    body = {"email": email, "status": "unsubscribed", "unsubscribed_at": "2024-03-01T08:00:00Z"}
    _, read = _written(conn, body)
    assert (read["status"], read["unsubscribed_at"]) == ("unsubscribed", "2024-03-01T08:00:00Z")
    assert stored(sim, email).unsubscribed_at == "2024-03-01 08:00:00"


def test_every_writable_contact_field_at_once_round_trips(
    conn: Connection, sim: Simulator, group_ids: list[str], new_email: Callable[[str], str]
) -> None:
    email = new_email("everything")
    body: dict[str, Any] = {
        "email": email,
        "first_name": "Ann",
        "last_name": "Lee",
        "status": "active",
        "phones": [{"phone": "+123", "type": None}],
        "addresses": [{"city": "Oslo", "state": None, "country": "Norway", "postal_code": "0150"}],
        "lists": [{"id": group_ids[0]}],
        "custom_fields": {"loyalty_tier": "silver", "score": 7},
        "subscribed_at": "2024-01-02T03:04:05Z",
        "unsubscribed_at": None,
    }
    upserted = conn.contacts.upsert(body)
    read = conn.contacts.get(email)
    for record in (upserted, read):
        assert record["email"] == email
        assert (record["first_name"], record["last_name"], record["status"]) == (
            "Ann",
            "Lee",
            "active",
        )
        assert record["phones"] == body["phones"]
        assert {k: record["addresses"][0][k] for k in body["addresses"][0]} == body["addresses"][0]
        assert [item["id"] for item in record["lists"]] == [group_ids[0]]
        assert {k: record["custom_fields"][k] for k in ("loyalty_tier", "score")} == {
            "loyalty_tier": "silver",
            "score": 7,
        }
        assert (record["subscribed_at"], record["unsubscribed_at"]) == (
            "2024-01-02T03:04:05Z",
            None,
        )
    sub = stored(sim, email)
    assert sub.fields == {
        "name": "Ann",
        "last_name": "Lee",
        "phone": "+123",
        "city": "Oslo",
        "country": "Norway",
        "z_i_p": "0150",
        "loyalty_tier": "silver",
        "score": 7,
    }
    assert sub.groups == {int(group_ids[0])}


def test_list_name_round_trips_as_group_name(conn: Connection, sim: Simulator) -> None:
    created = conn.lists.create({"name": "Buyers — 2025"})
    read = conn.lists.get(created["id"])
    assert created["name"] == read["name"] == "Buyers — 2025"
    with sim.lock:
        assert sim.state.groups[int(created["id"])].name == "Buyers — 2025"


@pytest.mark.parametrize("field_type", ["text", "number", "date"])
def test_custom_field_name_and_type_round_trip(
    field_type: str, conn: Connection, sim: Simulator
) -> None:
    name = f"Round trip {field_type}"
    created = conn.custom_fields.create({"name": name, "type": field_type})
    read = conn.custom_fields.get(created["id"])
    assert (read["name"], read["type"], read["key"]) == (name, field_type, created["key"])
    assert created["key"] == f"round_trip_{field_type}"
    with sim.lock:
        field = sim.state.fields[int(created["id"])]
    assert (field.name, field.type, field.key) == (name, field_type, created["key"])
