"""Lists, folders, membership changes, attributes and segments."""

from __future__ import annotations

import httpx


def test_lists_page_with_count_and_a_max_of_50(client: httpx.Client) -> None:
    body = client.get("/contacts/lists", params={"limit": 2}).json()
    assert body["count"] == 3
    assert len(body["lists"]) == 2
    assert client.get("/contacts/lists", params={"limit": 51}).status_code == 400


def test_create_list_needs_a_folder(client: httpx.Client) -> None:
    response = client.post("/contacts/lists", json={"name": "No folder"})
    assert response.status_code == 400
    assert response.json()["code"] == "missing_parameter"
    missing = client.post("/contacts/lists", json={"name": "Bad folder", "folderId": 999})
    assert missing.status_code == 404


def test_list_crud(client: httpx.Client) -> None:
    folder_id = client.get("/contacts/folders").json()["folders"][0]["id"]
    created = client.post("/contacts/lists", json={"name": "Fresh", "folderId": folder_id})
    assert created.status_code == 201
    list_id = created.json()["id"]
    assert client.put(f"/contacts/lists/{list_id}", json={"name": "Renamed"}).status_code == 204
    details = client.get(f"/contacts/lists/{list_id}").json()
    assert details["name"] == "Renamed"
    assert details["folderId"] == folder_id
    assert details["totalSubscribers"] == 0
    assert client.delete(f"/contacts/lists/{list_id}").status_code == 204
    assert client.get(f"/contacts/lists/{list_id}").status_code == 404


def test_add_and_remove_by_ids_report_success_and_failure(client: httpx.Client) -> None:
    a = client.post("/contacts", json={"email": "la@example.com"}).json()["id"]
    b = client.post("/contacts", json={"email": "lb@example.com"}).json()["id"]
    added = client.post("/contacts/lists/1/contacts/add", json={"ids": [a, b, 99999]})
    assert added.status_code == 201
    assert added.json() == {"contacts": {"success": [a, b], "failure": [99999]}}
    members = client.get("/contacts/lists/1/contacts", params={"limit": 500}).json()["contacts"]
    assert {a, b} <= {c["id"] for c in members}
    removed = client.post("/contacts/lists/1/contacts/remove", json={"emails": ["la@example.com"]})
    assert removed.json()["contacts"]["success"] == ["la@example.com"]
    assert 1 not in client.get(f"/contacts/{a}").json()["listIds"]


def test_adding_only_existing_members_is_a_400(client: httpx.Client) -> None:
    a = client.post("/contacts", json={"email": "twice@example.com", "listIds": [2]}).json()["id"]
    response = client.post("/contacts/lists/2/contacts/add", json={"ids": [a]})
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_parameter",
        "message": "Contact already in list and/or does not exist",
    }


def test_more_than_150_ids_are_refused(client: httpx.Client) -> None:
    response = client.post("/contacts/lists/1/contacts/add", json={"ids": list(range(1, 152))})
    assert response.status_code == 400


def test_deleting_a_list_keeps_its_contacts(client: httpx.Client) -> None:
    a = client.post("/contacts", json={"email": "stay@example.com", "listIds": [3]}).json()["id"]
    client.delete("/contacts/lists/3")
    assert client.get(f"/contacts/{a}").json()["listIds"] == []


def test_attributes_create_list_and_delete(client: httpx.Client) -> None:
    created = client.post("/contacts/attributes/normal/PLAN", json={"type": "text"})
    assert created.status_code == 201
    assert created.content == b""
    names = {a["name"]: a for a in client.get("/contacts/attributes").json()["attributes"]}
    assert names["PLAN"] == {"name": "PLAN", "category": "normal", "type": "text"}
    duplicate = client.post("/contacts/attributes/normal/PLAN", json={"type": "text"})
    assert duplicate.status_code == 400
    assert client.delete("/contacts/attributes/normal/PLAN").status_code == 204
    assert client.delete("/contacts/attributes/normal/PLAN").status_code == 404


def test_normal_attributes_cannot_be_updated(client: httpx.Client) -> None:
    assert client.put("/contacts/attributes/normal/FIRSTNAME", json={}).status_code == 400


def test_segments_are_listed_with_brevo_field_names(client: httpx.Client) -> None:
    body = client.get("/contacts/segments", params={"limit": 10, "offset": 0}).json()
    assert body["count"] == 3
    assert set(body["segments"][0]) == {"id", "segmentName", "categoryName", "updatedAt"}


def test_segment_id_filters_contacts(client: httpx.Client) -> None:
    everyone = client.get("/contacts", params={"limit": 1000}).json()["contacts"]
    for segment in client.get("/contacts/segments").json()["segments"]:
        body = client.get("/contacts", params={"segmentId": segment["id"], "limit": 1000}).json()
        if segment["segmentName"].startswith("Works at "):
            company = segment["segmentName"].removeprefix("Works at ")
            expected = [c["id"] for c in everyone if c["attributes"].get("COMPANY") == company]
        else:
            expected = [c["id"] for c in everyone]
        assert [c["id"] for c in body["contacts"]] == expected
