"""Subscriber endpoints: cursor pagination, count, get, upsert, update, delete, forget."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from simulators.mailerlite import Simulator

MAX_PAGES = 500


def walk(client: httpx.Client, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Follow `meta.next_cursor` to the end (bounded), re-sending the caller's params."""
    rows: list[dict[str, Any]] = []
    cursor = None
    for _ in range(MAX_PAGES):
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        body = client.get(path, params=query).json()
        rows += body["data"]
        cursor = body["meta"]["next_cursor"]
        if cursor is None:
            return rows
    raise AssertionError("pagination did not end")


def test_pagination_reaches_every_subscriber_once_newest_first(
    client: httpx.Client, sim: Simulator
) -> None:
    rows = walk(client, "/subscribers", {"limit": 7})
    ids = [int(r["id"]) for r in rows]
    assert len(ids) == len(set(ids)) == len(sim.state.subscribers)
    assert ids == sorted(ids, reverse=True)


@pytest.mark.parametrize("status", ["active", "unsubscribed", "unconfirmed", "bounced", "junk"])
def test_status_filter_pagination_is_complete(
    client: httpx.Client, sim: Simulator, status: str
) -> None:
    rows = walk(client, "/subscribers", {"limit": 10, "filter[status]": status})
    expected = {s.id for s in sim.state.subscribers.values() if s.status == status}
    assert expected, "the seed should contain every status"
    assert [int(r["id"]) for r in rows] == sorted(expected, reverse=True)
    assert {r["status"] for r in rows} == {status}


def test_links_next_carries_only_the_cursor(client: httpx.Client) -> None:
    body = client.get("/subscribers", params={"limit": 5, "filter[status]": "active"}).json()
    assert body["links"]["next"] == (
        f"http://mailerlite.sim/api/subscribers?cursor={body['meta']['next_cursor']}"
    )
    assert body["links"]["first"] is None and body["links"]["prev"] is None
    assert body["meta"]["prev_cursor"] is None and body["meta"]["per_page"] == 5


def test_cursor_is_unpadded_base64_json_of_the_last_row(client: httpx.Client) -> None:
    body = client.get("/subscribers", params={"limit": 3}).json()
    cursor = body["meta"]["next_cursor"]
    assert "=" not in cursor
    decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    assert decoded == {"id": int(body["data"][-1]["id"]), "_pointsToNextItems": True}


def test_prev_cursor_returns_the_previous_page(client: httpx.Client) -> None:
    first = client.get("/subscribers", params={"limit": 4}).json()
    second = client.get(
        "/subscribers", params={"limit": 4, "cursor": first["meta"]["next_cursor"]}
    ).json()
    back = client.get(
        "/subscribers", params={"limit": 4, "cursor": second["meta"]["prev_cursor"]}
    ).json()
    assert [r["id"] for r in back["data"]] == [r["id"] for r in first["data"]]
    assert back["meta"]["prev_cursor"] is None


def test_list_rows_have_no_groups_key_unless_included(client: httpx.Client) -> None:
    plain = client.get("/subscribers", params={"limit": 3}).json()["data"]
    included = client.get("/subscribers", params={"limit": 3, "include": "groups"}).json()["data"]
    assert all("groups" not in row for row in plain)
    assert all(isinstance(row["groups"], list) for row in included)


def test_every_field_key_is_present_with_null_for_unset(client: httpx.Client) -> None:
    row = client.get("/subscribers", params={"limit": 1}).json()["data"][0]
    assert list(row["fields"])[:8] == [
        "name",
        "last_name",
        "company",
        "country",
        "city",
        "phone",
        "state",
        "z_i_p",
    ]
    assert {"loyalty_tier", "score", "birthday"} <= set(row["fields"])
    assert row["fields"]["phone"] is None


def test_count_with_limit_zero(client: httpx.Client, sim: Simulator) -> None:
    assert client.get("/subscribers", params={"limit": 0}).json() == {"total": 300}
    junk = sum(1 for s in sim.state.subscribers.values() if s.status == "junk")
    assert client.get("/subscribers", params={"limit": 0, "filter[status]": "junk"}).json() == {
        "total": junk
    }


def test_invalid_limit_and_status_are_422(client: httpx.Client) -> None:
    assert client.get("/subscribers", params={"limit": "x"}).json()["errors"] == {
        "limit": ["The limit must be an integer."]
    }
    assert client.get("/subscribers", params={"limit": 1001}).status_code == 422
    response = client.get("/subscribers", params={"filter[status]": "gone"})
    assert response.status_code == 422
    assert "filter.status" in response.json()["errors"]


def test_get_by_id_and_by_email(client: httpx.Client) -> None:
    created = client.post("/subscribers", json={"email": "Mixed+Tag@Example.com"}).json()["data"]
    by_id = client.get(f"/subscribers/{created['id']}").json()["data"]
    by_email = client.get("/subscribers/mixed%2Btag%40example.com").json()["data"]
    assert by_id == by_email
    assert by_id["email"] == "mixed+tag@example.com"
    assert by_id["groups"] == []


def test_get_unknown_is_404_without_id(client: httpx.Client) -> None:
    for ref in ("999", "nobody@example.com"):
        response = client.get(f"/subscribers/{ref}")
        assert response.status_code == 404
        assert response.json() == {
            "message": "No query results for model [App\\Models\\Subscriber\\Subscriber]."
        }


def test_upsert_returns_201_then_200_and_lowercases(client: httpx.Client) -> None:
    first = client.post("/subscribers", json={"email": "New@Example.COM"})
    second = client.post("/subscribers", json={"email": "new@example.com"})
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["data"]["email"] == "new@example.com"
    assert first.json()["data"]["id"] == second.json()["data"]["id"]


def test_upsert_merges_fields(client: httpx.Client) -> None:
    client.post(
        "/subscribers", json={"email": "m@example.com", "fields": {"name": "Ann", "city": "Oslo"}}
    )
    data = client.post(
        "/subscribers", json={"email": "m@example.com", "fields": {"city": "Rome"}}
    ).json()["data"]
    assert data["fields"]["name"] == "Ann" and data["fields"]["city"] == "Rome"


def test_upsert_ignores_unknown_field_keys(client: httpx.Client) -> None:
    response = client.post(
        "/subscribers", json={"email": "u@example.com", "fields": {"email": "x", "nope": 1}}
    )
    assert response.status_code == 201
    assert "nope" not in response.json()["data"]["fields"]


def test_post_groups_are_add_only(client: httpx.Client) -> None:
    gids = [g["id"] for g in client.get("/groups").json()["data"]]
    client.post("/subscribers", json={"email": "g@example.com", "groups": gids[:2]})
    data = client.post("/subscribers", json={"email": "g@example.com", "groups": [gids[2]]}).json()[
        "data"
    ]
    assert sorted(g["id"] for g in data["groups"]) == sorted(gids[:3])


def test_put_groups_replace_memberships(client: httpx.Client, sim: Simulator) -> None:
    gids = [g["id"] for g in client.get("/groups").json()["data"]]
    sid = client.post("/subscribers", json={"email": "p@example.com", "groups": gids[:2]}).json()[
        "data"
    ]["id"]
    data = client.put(f"/subscribers/{sid}", json={"groups": [gids[2]]}).json()["data"]
    assert [g["id"] for g in data["groups"]] == [gids[2]]
    assert int(sid) not in sim.state.groups[int(gids[0])].members
    untouched = client.put(f"/subscribers/{sid}", json={"fields": {"name": "X"}}).json()["data"]
    assert [g["id"] for g in untouched["groups"]] == [gids[2]]


def test_put_merges_fields_and_null_clears(client: httpx.Client) -> None:
    sid = client.post(
        "/subscribers", json={"email": "f@example.com", "fields": {"name": "A", "last_name": "B"}}
    ).json()["data"]["id"]
    data = client.put(
        f"/subscribers/{sid}", json={"fields": {"last_name": None, "city": "Oslo"}}
    ).json()["data"]
    assert data["fields"]["name"] == "A"
    assert data["fields"]["last_name"] is None
    assert data["fields"]["city"] == "Oslo"


def test_put_changes_email_and_refuses_a_taken_one(client: httpx.Client) -> None:
    sid = client.post("/subscribers", json={"email": "old@example.com"}).json()["data"]["id"]
    client.post("/subscribers", json={"email": "taken@example.com"})
    moved = client.put(f"/subscribers/{sid}", json={"email": "New@example.com"})
    assert moved.json()["data"]["email"] == "new@example.com"
    assert client.get("/subscribers/old@example.com").status_code == 404
    clash = client.put(f"/subscribers/{sid}", json={"email": "taken@example.com"})
    assert clash.status_code == 422
    assert clash.json()["errors"] == {"email": ["The email has already been taken."]}


@pytest.mark.parametrize("dead", ["unsubscribed", "bounced", "junk"])
def test_inactive_subscribers_cannot_be_reactivated(client: httpx.Client, dead: str) -> None:
    sid = client.post("/subscribers", json={"email": "d@example.com", "status": dead}).json()[
        "data"
    ]["id"]
    put = client.put(f"/subscribers/{sid}", json={"status": "active", "fields": {"name": "Z"}})
    post = client.post(
        "/subscribers", json={"email": "d@example.com", "status": "active", "resubscribe": True}
    )
    assert put.status_code == 200 and post.status_code == 200
    assert put.json()["data"]["status"] == dead and post.json()["data"]["status"] == dead
    assert put.json()["data"]["fields"]["name"] == "Z"


def test_unsubscribing_sets_unsubscribed_at(client: httpx.Client) -> None:
    sid = client.post("/subscribers", json={"email": "s@example.com"}).json()["data"]["id"]
    data = client.put(f"/subscribers/{sid}", json={"status": "unsubscribed"}).json()["data"]
    assert data["status"] == "unsubscribed" and data["unsubscribed_at"] == "2025-01-01 00:00:00"


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"email": ["The email field is required."]}),
        ({"email": "a@b.co", "status": "gone"}, {"status": ["The selected status is invalid."]}),
        ({"email": "a@b.co", "groups": ["1"]}, {"groups.0": ["The selected groups.0 is invalid."]}),
        ({"email": "a@b.co", "groups": "1"}, {"groups": ["The groups must be an array."]}),
        ({"email": "a@b.co", "fields": "x"}, {"fields": ["The fields must be an array."]}),
        (
            {"email": "a@b.co", "fields": {"score": "lots"}},
            {"fields.score": ["The fields.score must be a number."]},
        ),
        (
            {"email": "a@b.co", "fields": {"birthday": "31/01/2000"}},
            {"fields.birthday": ["The fields.birthday is not a valid date."]},
        ),
        (
            {"email": "a@b.co", "subscribed_at": "2024-01-01"},
            {"subscribed_at": ["The subscribed_at does not match the format Y-m-d H:i:s."]},
        ),
        (
            {"email": "a@b.co", "ip_address": "300.1.1.1"},
            {"ip_address": ["The ip address must be a valid IP address."]},
        ),
        (
            {"email": "a@b.co", "resubscribe": "yes"},
            {"resubscribe": ["The resubscribe field must be true or false."]},
        ),
    ],
)
def test_upsert_validation_errors(
    client: httpx.Client, body: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    response = client.post("/subscribers", json=body)
    assert response.status_code == 422
    assert response.json() == {"message": "The given data was invalid.", "errors": errors}


def test_number_and_date_fields_are_stored_typed(client: httpx.Client) -> None:
    data = client.post(
        "/subscribers",
        json={
            "email": "t@example.com",
            "fields": {"score": "42", "birthday": "2000-01-31", "name": 7},
        },
    ).json()["data"]["fields"]
    assert data["score"] == 42 and data["birthday"] == "2000-01-31" and data["name"] == "7"


def test_delete_is_204_then_404(client: httpx.Client) -> None:
    sid = client.post("/subscribers", json={"email": "x@example.com"}).json()["data"]["id"]
    response = client.delete(f"/subscribers/{sid}")
    assert response.status_code == 204 and response.content == b""
    assert client.get(f"/subscribers/{sid}").status_code == 404
    assert client.delete(f"/subscribers/{sid}").status_code == 404


def test_forget_removes_and_reports_forget_at(client: httpx.Client, sim: Simulator) -> None:
    sid = client.post("/subscribers", json={"email": "gdpr@example.com"}).json()["data"]["id"]
    body = client.post(f"/subscribers/{sid}/forget").json()
    assert body["message"] == (
        "Subscriber data will be completely deleted and forgotten within 30 days."
    )
    assert body["data"]["deleted_at"] == "2025-01-01 00:00:00"
    assert body["data"]["forget_at"] == "2025-01-31 00:00:00"
    assert "gdpr@example.com" not in sim.state.by_email


def test_timestamps_and_ids_have_mailerlite_formats(client: httpx.Client) -> None:
    row = client.post("/subscribers", json={"email": "fmt@example.com"}).json()["data"]
    assert row["id"].isdigit() and 17 <= len(row["id"]) <= 18
    assert row["created_at"] == "2025-01-01 00:00:00"
    seeded = client.get("/subscribers", params={"limit": 50}).json()["data"]
    rates = [r["open_rate"] for r in seeded]
    assert all(0 <= r <= 100 for r in rates) and any(r > 1 for r in rates)


def test_new_subscribers_are_listed_first(client: httpx.Client) -> None:
    client.post("/subscribers", json={"email": "newest@example.com"})
    assert client.get("/subscribers", params={"limit": 1}).json()["data"][0]["email"] == (
        "newest@example.com"
    )


def test_list_rows_reflect_writes_after_being_served(client: httpx.Client) -> None:
    row = client.get("/subscribers", params={"limit": 1}).json()["data"][0]
    client.put(
        f"/subscribers/{row['id']}", json={"fields": {"city": "Nowhere"}, "status": "unsubscribed"}
    )
    client.post("/fields", json={"name": "Late field", "type": "text"})
    again = client.get("/subscribers", params={"limit": 1}).json()["data"][0]
    assert again["fields"]["city"] == "Nowhere" and again["status"] == "unsubscribed"
    assert again["fields"]["late_field"] is None
