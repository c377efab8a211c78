"""Contacts: listing, lookup by id or email, create, the 204 upsert, update, delete."""

from __future__ import annotations

import httpx

from simulators.brevo import FakeClock, Simulator


def test_missing_key_is_401_with_brevo_error_shape(sim: Simulator) -> None:
    with httpx.Client(transport=sim.transport(), base_url="http://brevo.sim/v3") as bare:
        response = bare.get("/contacts")
    assert response.status_code == 401
    assert response.json() == {
        "code": "unauthorized",
        "message": "authentication not found in headers",
    }


def test_wrong_key_is_401(sim: Simulator) -> None:
    with httpx.Client(
        transport=sim.transport(), base_url="http://brevo.sim/v3", headers={"api-key": "nope"}
    ) as other:
        assert other.get("/contacts").json()["code"] == "unauthorized"


def test_list_pages_by_offset_newest_first_with_total_count(client: httpx.Client) -> None:
    first = client.get("/contacts", params={"limit": 7, "offset": 0}).json()
    second = client.get("/contacts", params={"limit": 7, "offset": 7}).json()
    assert first["count"] == 40
    ids = [c["id"] for c in first["contacts"] + second["contacts"]]
    assert ids == sorted(ids, reverse=True)
    assert len(set(ids)) == 14


def test_sort_asc_lists_oldest_first(client: httpx.Client) -> None:
    ids = [c["id"] for c in client.get("/contacts", params={"sort": "asc"}).json()["contacts"]]
    assert ids == sorted(ids)


def test_limit_over_1000_is_refused(client: httpx.Client) -> None:
    response = client.get("/contacts", params={"limit": 1001})
    assert response.status_code == 400
    assert response.json()["code"] == "out_of_range"


def test_empty_page_keeps_the_envelope(client: httpx.Client) -> None:
    body = client.get("/contacts", params={"offset": 500}).json()
    assert body == {"contacts": [], "count": 40}


def test_get_by_id_and_by_email_return_the_same_contact(client: httpx.Client) -> None:
    listed = client.get("/contacts", params={"limit": 1}).json()["contacts"][0]
    by_id = client.get(f"/contacts/{listed['id']}").json()
    by_email = client.get(f"/contacts/{listed['email']}").json()
    assert by_id["email"] == listed["email"]
    assert by_email["id"] == listed["id"]
    assert set(by_id) >= {"attributes", "listIds", "emailBlacklisted", "createdAt", "modifiedAt"}


def test_unknown_contact_is_404_document_not_found(client: httpx.Client) -> None:
    response = client.get("/contacts/nobody@example.com")
    assert response.status_code == 404
    assert response.json() == {"code": "document_not_found", "message": "Contact does not exist"}


def test_create_answers_201_with_only_the_id(client: httpx.Client) -> None:
    response = client.post(
        "/contacts", json={"email": "New@Example.com", "attributes": {"firstname": "Nia"}}
    )
    assert response.status_code == 201
    new_id = response.json()["id"]
    assert response.json() == {"id": new_id}
    stored = client.get(f"/contacts/{new_id}").json()
    assert stored["email"] == "new@example.com"
    assert stored["attributes"] == {"FIRSTNAME": "Nia"}


def test_create_existing_email_without_update_enabled_is_duplicate(client: httpx.Client) -> None:
    client.post("/contacts", json={"email": "dup@example.com"})
    response = client.post("/contacts", json={"email": "dup@example.com"})
    assert response.status_code == 400
    assert response.json()["code"] == "duplicate_parameter"
    assert response.json()["metadata"] == {"duplicate_identifiers": ["email"]}


def test_upsert_of_existing_email_answers_204_without_body(client: httpx.Client) -> None:
    created = client.post("/contacts", json={"email": "up@example.com", "listIds": [1]})
    response = client.post(
        "/contacts",
        json={
            "email": "up@example.com",
            "attributes": {"LASTNAME": "Doe"},
            "listIds": [2],
            "updateEnabled": True,
        },
    )
    assert response.status_code == 204
    assert response.content == b""
    stored = client.get(f"/contacts/{created.json()['id']}").json()
    assert stored["attributes"]["LASTNAME"] == "Doe"
    assert stored["listIds"] == [1, 2]


def test_upsert_of_new_email_answers_201(client: httpx.Client) -> None:
    response = client.post("/contacts", json={"email": "fresh@example.com", "updateEnabled": True})
    assert response.status_code == 201
    assert "id" in response.json()


def test_unknown_attribute_is_refused(client: httpx.Client) -> None:
    response = client.post("/contacts", json={"email": "a@example.com", "attributes": {"X": 1}})
    assert response.status_code == 400


def test_value_of_wrong_type_is_ignored(client: httpx.Client) -> None:
    new_id = client.post(
        "/contacts", json={"email": "t@example.com", "attributes": {"SCORE": "high"}}
    ).json()["id"]
    assert "SCORE" not in client.get(f"/contacts/{new_id}").json()["attributes"]


def test_update_keeps_memberships_and_unlinks_only_named_lists(client: httpx.Client) -> None:
    new_id = client.post("/contacts", json={"email": "m@example.com", "listIds": [1, 2]}).json()[
        "id"
    ]
    response = client.put(
        f"/contacts/{new_id}",
        json={"attributes": {"FIRSTNAME": "Mo"}, "listIds": [3], "unlinkListIds": [1]},
    )
    assert response.status_code == 204
    stored = client.get(f"/contacts/{new_id}").json()
    assert stored["listIds"] == [2, 3]
    assert stored["attributes"]["FIRSTNAME"] == "Mo"


def test_update_email_through_attributes(client: httpx.Client) -> None:
    new_id = client.post("/contacts", json={"email": "old@example.com"}).json()["id"]
    client.put("/contacts/old@example.com", json={"attributes": {"EMAIL": "new2@example.com"}})
    assert client.get(f"/contacts/{new_id}").json()["email"] == "new2@example.com"
    assert client.get("/contacts/old@example.com").status_code == 404


def test_update_moves_modified_at_and_modified_since_finds_it(
    client: httpx.Client, clock: FakeClock
) -> None:
    new_id = client.post("/contacts", json={"email": "late@example.com"}).json()["id"]
    clock.advance(3600)
    client.put(f"/contacts/{new_id}", json={"attributes": {"LASTNAME": "Later"}})
    body = client.get("/contacts", params={"modifiedSince": "2025-01-01T00:30:00Z"}).json()
    assert [c["id"] for c in body["contacts"]] == [new_id]


def test_filter_equals_on_attribute(client: httpx.Client) -> None:
    client.post("/contacts", json={"email": "z@example.com", "attributes": {"LASTNAME": "Zed"}})
    body = client.get("/contacts", params={"filter": 'equals(LASTNAME,"Zed")'}).json()
    assert [c["email"] for c in body["contacts"]] == ["z@example.com"]


def test_delete_answers_204_then_404(client: httpx.Client) -> None:
    new_id = client.post("/contacts", json={"email": "gone@example.com"}).json()["id"]
    assert client.delete(f"/contacts/{new_id}").status_code == 204
    assert client.get(f"/contacts/{new_id}").status_code == 404


def test_email_is_required_without_sms_or_ext_id(client: httpx.Client) -> None:
    response = client.post("/contacts", json={"attributes": {"FIRSTNAME": "X"}})
    assert response.status_code == 400
    assert response.json()["code"] == "missing_parameter"
