"""Members: subscriber hash ids, POST/PUT/PATCH/DELETE semantics, filters, paging, tags."""

from __future__ import annotations

import httpx
import pytest

from simulators.mailchimp import Simulator, subscriber_hash


def _add(client: httpx.Client, list_id: str, email: str, **extra: object) -> httpx.Response:
    body = {"email_address": email, "status": "subscribed", **extra}
    return client.post(f"/lists/{list_id}/members", json=body)


def test_member_id_is_md5_of_the_lowercased_email(client: httpx.Client, list_id: str) -> None:
    member = _add(client, list_id, "Mixed.Case@Example.COM").json()
    assert member["id"] == subscriber_hash("mixed.case@example.com")
    fetched = client.get(f"/lists/{list_id}/members/{member['id']}")
    assert fetched.json()["email_address"] == "Mixed.Case@Example.COM"


def test_member_can_be_fetched_by_address_too(client: httpx.Client, list_id: str) -> None:
    _add(client, list_id, "by.address@example.com")
    assert client.get(f"/lists/{list_id}/members/by.address@example.com").status_code == 200


def test_posting_an_existing_member_is_400_member_exists(
    client: httpx.Client, list_id: str
) -> None:
    _add(client, list_id, "twice@example.com")
    response = _add(client, list_id, "TWICE@example.com")
    assert response.status_code == 400
    assert response.json()["title"] == "Member Exists"


def test_put_creates_with_status_if_new_then_updates(client: httpx.Client, list_id: str) -> None:
    key = subscriber_hash("upsert@example.com")
    url = f"/lists/{list_id}/members/{key}"
    created = client.put(
        url, json={"email_address": "upsert@example.com", "status_if_new": "pending"}
    )
    updated = client.put(
        url,
        json={
            "email_address": "upsert@example.com",
            "status_if_new": "pending",
            "merge_fields": {"FNAME": "Up"},
        },
    )
    assert created.json()["status"] == "pending"
    assert updated.json()["status"] == "pending"
    assert updated.json()["merge_fields"]["FNAME"] == "Up"


def test_put_of_a_new_member_without_a_status_is_refused(
    client: httpx.Client, list_id: str
) -> None:
    key = subscriber_hash("nostatus@example.com")
    response = client.put(
        f"/lists/{list_id}/members/{key}", json={"email_address": "nostatus@example.com"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "status_if_new"


def test_put_with_a_hash_of_another_address_is_refused(client: httpx.Client, list_id: str) -> None:
    key = subscriber_hash("someone@example.com")
    body = {"email_address": "else@example.com", "status_if_new": "subscribed"}
    assert client.put(f"/lists/{list_id}/members/{key}", json=body).status_code == 400


def test_patch_merges_merge_fields_and_keeps_tags(client: httpx.Client, list_id: str) -> None:
    member = _add(
        client,
        list_id,
        "patch@example.com",
        merge_fields={"FNAME": "A", "LNAME": "B"},
        tags=["Gold"],
    ).json()
    patched = client.patch(
        f"/lists/{list_id}/members/{member['id']}", json={"merge_fields": {"LNAME": "C"}}
    ).json()
    assert patched["merge_fields"]["FNAME"] == "A"
    assert patched["merge_fields"]["LNAME"] == "C"
    assert [t["name"] for t in patched["tags"]] == ["Gold"]


def test_patching_the_address_moves_the_member_to_a_new_hash(
    client: httpx.Client, list_id: str
) -> None:
    member = _add(client, list_id, "old@example.com").json()
    moved = client.patch(
        f"/lists/{list_id}/members/{member['id']}", json={"email_address": "new@example.com"}
    ).json()
    assert moved["id"] == subscriber_hash("new@example.com")
    assert client.get(f"/lists/{list_id}/members/{member['id']}").status_code == 404


def test_delete_archives_and_hides_the_member_from_the_default_listing(
    client: httpx.Client, list_id: str
) -> None:
    member = _add(client, list_id, "gone@example.com").json()
    assert client.delete(f"/lists/{list_id}/members/{member['id']}").status_code == 204
    assert client.get(f"/lists/{list_id}/members/{member['id']}").json()["status"] == "archived"
    listed = client.get(f"/lists/{list_id}/members", params={"count": 1000}).json()["members"]
    assert member["id"] not in {m["id"] for m in listed}
    archived = client.get(f"/lists/{list_id}/members", params={"status": "archived"}).json()
    assert member["id"] in {m["id"] for m in archived["members"]}
    assert _add(client, list_id, "gone@example.com").status_code == 200


def test_permanently_deleted_address_cannot_be_added_again(
    client: httpx.Client, list_id: str
) -> None:
    member = _add(client, list_id, "forgotten@example.com").json()
    url = f"/lists/{list_id}/members/{member['id']}/actions/delete-permanent"
    assert client.post(url).status_code == 204
    response = _add(client, list_id, "forgotten@example.com")
    assert response.json()["title"] == "Forgotten Email Not Subscribed"


def test_status_filter_returns_only_that_status(client: httpx.Client, list_id: str) -> None:
    page = client.get(
        f"/lists/{list_id}/members", params={"status": "unsubscribed", "count": 1000}
    ).json()
    assert page["total_items"] == len(page["members"]) > 0
    assert {m["status"] for m in page["members"]} == {"unsubscribed"}


@pytest.mark.parametrize("count", [1, 7, 1000])
def test_offset_paging_lists_every_member_exactly_once(
    sim: Simulator, client: httpx.Client, list_id: str, count: int
) -> None:
    seen: list[str] = []
    offset = 0
    while True:
        page = client.get(
            f"/lists/{list_id}/members", params={"count": count, "offset": offset}
        ).json()
        seen.extend(m["id"] for m in page["members"])
        offset += count
        if offset >= page["total_items"]:
            break
    expected = [
        m.id for m in sim.state.audiences[list_id].members.values() if m.status != "archived"
    ]
    assert seen == expected


def test_merge_fields_are_scoped_to_their_audience(sim: Simulator, client: httpx.Client) -> None:
    first, second = list(sim.state.audiences)[:2]
    client.post(
        f"/lists/{first}/merge-fields", json={"name": "Plan", "type": "text", "tag": "PLAN"}
    )
    a = _add(client, first, "scoped@example.com", merge_fields={"PLAN": "pro"}).json()
    b = _add(client, second, "scoped@example.com", merge_fields={"PLAN": "pro"}).json()
    assert a["merge_fields"]["PLAN"] == "pro"
    assert "PLAN" not in b["merge_fields"]
    assert a["id"] == b["id"] and a["list_id"] != b["list_id"]


def test_required_merge_field_must_be_given_unless_validation_is_skipped(
    client: httpx.Client, list_id: str
) -> None:
    client.post(
        f"/lists/{list_id}/merge-fields",
        json={"name": "Need", "type": "text", "tag": "NEED", "required": True},
    )
    refused = _add(client, list_id, "req@example.com")
    assert refused.status_code == 400
    assert refused.json()["errors"] == [{"field": "NEED", "message": "Please enter a value"}]
    skipped = client.post(
        f"/lists/{list_id}/members",
        params={"skip_merge_validation": "true"},
        json={"email_address": "req@example.com", "status": "subscribed"},
    )
    assert skipped.status_code == 200


def test_invalid_status_is_an_invalid_resource(client: httpx.Client, list_id: str) -> None:
    response = _add(client, list_id, "bad@example.com", status="active")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "status"


def test_tags_are_added_and_removed_with_status_flags(client: httpx.Client, list_id: str) -> None:
    member = _add(client, list_id, "tags@example.com").json()
    url = f"/lists/{list_id}/members/{member['id']}/tags"
    body = {"tags": [{"name": "One", "status": "active"}, {"name": "Two", "status": "active"}]}
    assert client.post(url, json=body).status_code == 204
    client.post(url, json={"tags": [{"name": "One", "status": "inactive"}]})
    assert [t["name"] for t in client.get(url).json()["tags"]] == ["Two"]


def test_search_members_finds_exact_address_across_audiences(
    sim: Simulator, client: httpx.Client
) -> None:
    first, second = list(sim.state.audiences)[:2]
    _add(client, first, "findme@example.com")
    _add(client, second, "findme@example.com")
    found = client.get("/search-members", params={"query": "FindMe@example.com"}).json()
    assert found["exact_matches"]["total_items"] == 2
    only = client.get(
        "/search-members", params={"query": "findme@example.com", "list_id": first}
    ).json()
    assert [m["list_id"] for m in only["exact_matches"]["members"]] == [first]
