"""Field endpoints: defaults, create (key derivation, unique names), rename, delete, list."""

from __future__ import annotations

import httpx

DEFAULTS = [
    ("1", "name"),
    ("2", "last_name"),
    ("3", "company"),
    ("4", "country"),
    ("5", "city"),
    ("6", "phone"),
    ("7", "state"),
    ("8", "z_i_p"),
]


def test_eight_default_fields_with_real_ids_and_keys(client: httpx.Client) -> None:
    rows = client.get("/fields", params={"filter[type]": "text"}).json()["data"]
    defaults = [(f["id"], f["key"]) for f in rows if f["is_default"]]
    assert defaults == DEFAULTS


def test_create_derives_the_key_and_answers_201(client: httpx.Client) -> None:
    response = client.post("/fields", json={"name": "My Field", "type": "text"})
    assert response.status_code == 201
    data = response.json()["data"]
    assert (data["key"], data["type"], data["is_default"]) == ("my_field", "text", False)
    sub = client.post(
        "/subscribers", json={"email": "f@example.com", "fields": {"my_field": "v"}}
    ).json()["data"]
    assert sub["fields"]["my_field"] == "v"


def test_duplicate_names_are_422_field_name_must_be_unique(client: httpx.Client) -> None:
    client.post("/fields", json={"name": "Dup", "type": "text"})
    response = client.post("/fields", json={"name": "dup", "type": "number"})
    assert response.status_code == 422
    assert response.json() == {
        "message": "Field name must be unique",
        "errors": {"name": ["Field name must be unique"]},
    }


def test_invalid_type_is_422(client: httpx.Client) -> None:
    response = client.post("/fields", json={"name": "T", "type": "boolean"})
    assert response.json()["errors"] == {"type": ["The selected type is invalid."]}


def test_rename_keeps_the_key(client: httpx.Client) -> None:
    fid = client.post("/fields", json={"name": "Old", "type": "text"}).json()["data"]["id"]
    data = client.put(f"/fields/{fid}", json={"name": "Brand new"}).json()["data"]
    assert (data["name"], data["key"]) == ("Brand new", "old")


def test_delete_removes_the_key_from_subscribers(client: httpx.Client) -> None:
    fid = client.post("/fields", json={"name": "Temp", "type": "text"}).json()["data"]["id"]
    assert client.delete(f"/fields/{fid}").status_code == 204
    row = client.get("/subscribers", params={"limit": 1}).json()["data"][0]
    assert "temp" not in row["fields"]
    missing = client.delete(f"/fields/{fid}")
    assert missing.json() == {"message": f"No query results for model [App\\Models\\Field] {fid}"}


def test_default_fields_cannot_be_deleted(client: httpx.Client) -> None:
    assert client.delete("/fields/1").status_code == 422


def test_keyword_filter_and_sort(client: httpx.Client) -> None:
    names = [
        f["name"] for f in client.get("/fields", params={"filter[keyword]": "NAME"}).json()["data"]
    ]
    assert names == ["Name", "Last name"]
    by_type = [f["type"] for f in client.get("/fields", params={"sort": "-type"}).json()["data"]]
    assert by_type == sorted(by_type, reverse=True)
    assert client.get("/fields").json()["meta"]["per_page"] == 100
