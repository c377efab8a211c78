"""Segments (saved and static/tags), their members, and merge field management."""

from __future__ import annotations

import httpx


def test_static_segment_from_emails_and_member_endpoints(
    client: httpx.Client, list_id: str
) -> None:
    for email in ("s1@example.com", "s2@example.com"):
        client.post(
            f"/lists/{list_id}/members", json={"email_address": email, "status": "subscribed"}
        )
    segment = client.post(
        f"/lists/{list_id}/segments", json={"name": "Static", "static_segment": ["s1@example.com"]}
    ).json()
    base = f"/lists/{list_id}/segments/{segment['id']}/members"
    assert segment["type"] == "static" and segment["member_count"] == 1
    added = client.post(base, json={"email_address": "s2@example.com"})
    assert added.status_code == 200
    emails = {m["email_address"] for m in client.get(base).json()["members"]}
    assert emails == {"s1@example.com", "s2@example.com"}
    assert client.delete(f"{base}/{added.json()['id']}").status_code == 204
    assert client.get(base).json()["total_items"] == 1


def test_saved_segment_members_follow_its_conditions(client: httpx.Client, list_id: str) -> None:
    options = {
        "match": "all",
        "conditions": [
            {"condition_type": "TextMerge", "field": "FNAME", "op": "is", "value": "Zed"}
        ],
    }
    segment = client.post(
        f"/lists/{list_id}/segments", json={"name": "Zeds", "options": options}
    ).json()
    assert segment["member_count"] == 0
    client.post(
        f"/lists/{list_id}/members",
        json={
            "email_address": "zed@example.com",
            "status": "subscribed",
            "merge_fields": {"FNAME": "Zed"},
        },
    )
    members = client.get(f"/lists/{list_id}/segments/{segment['id']}/members").json()
    assert [m["email_address"] for m in members["members"]] == ["zed@example.com"]


def test_segment_type_filter_and_delete(client: httpx.Client, list_id: str) -> None:
    saved = client.get(f"/lists/{list_id}/segments", params={"type": "saved"}).json()
    assert saved["total_items"] == 2
    assert {s["type"] for s in saved["segments"]} == {"saved"}
    first = saved["segments"][0]["id"]
    assert client.delete(f"/lists/{list_id}/segments/{first}").status_code == 204
    assert client.get(f"/lists/{list_id}/segments/{first}").status_code == 404


def test_merge_field_without_tag_gets_mmerge_tag(client: httpx.Client, list_id: str) -> None:
    created = client.post(
        f"/lists/{list_id}/merge-fields", json={"name": "Colour", "type": "text"}
    ).json()
    assert created["tag"] == f"MMERGE{created['merge_id']}"


def test_duplicate_merge_tag_and_bad_type_are_refused(client: httpx.Client, list_id: str) -> None:
    assert (
        client.post(
            f"/lists/{list_id}/merge-fields", json={"name": "F", "type": "text", "tag": "FNAME"}
        ).status_code
        == 400
    )
    bad = client.post(f"/lists/{list_id}/merge-fields", json={"name": "F", "type": "colour"})
    assert bad.json()["errors"][0]["field"] == "type"


def test_deleting_a_merge_field_drops_member_values(client: httpx.Client, list_id: str) -> None:
    field = client.post(
        f"/lists/{list_id}/merge-fields", json={"name": "Tmp", "type": "number", "tag": "TMP"}
    ).json()
    member = client.post(
        f"/lists/{list_id}/members",
        json={
            "email_address": "tmp@example.com",
            "status": "subscribed",
            "merge_fields": {"TMP": "42"},
        },
    ).json()
    assert member["merge_fields"]["TMP"] == 42
    assert client.delete(f"/lists/{list_id}/merge-fields/{field['merge_id']}").status_code == 204
    again = client.get(f"/lists/{list_id}/members/{member['id']}").json()
    assert "TMP" not in again["merge_fields"]
