"""Audiences: paging, creation rules, default merge fields, update, delete."""

from __future__ import annotations

from typing import Any

import httpx

from simulators.mailchimp import Simulator, subscriber_hash

from .conftest import NEW_AUDIENCE


def test_lists_page_by_offset_and_count_with_total_items(client: httpx.Client) -> None:
    first = client.get("/lists", params={"count": 2}).json()
    rest = client.get("/lists", params={"count": 2, "offset": 2}).json()
    assert first["total_items"] == 3
    assert len(first["lists"]) == 2 and len(rest["lists"]) == 1
    assert {a["id"] for a in first["lists"]}.isdisjoint({a["id"] for a in rest["lists"]})


def test_count_above_1000_is_refused(client: httpx.Client) -> None:
    response = client.get("/lists", params={"count": 1001})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "count"


def test_create_needs_contact_permission_reminder_and_campaign_defaults(
    client: httpx.Client,
) -> None:
    response = client.post("/lists", json={"name": "Only a name"})
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"contact", "permission_reminder", "campaign_defaults", "email_type_option"} <= fields


def test_new_audience_has_the_default_merge_fields(client: httpx.Client) -> None:
    created = client.post("/lists", json=NEW_AUDIENCE)
    assert created.status_code == 200
    audience: dict[str, Any] = created.json()
    fields = client.get(f"/lists/{audience['id']}/merge-fields").json()
    assert [f["tag"] for f in fields["merge_fields"]] == [
        "FNAME",
        "LNAME",
        "ADDRESS",
        "PHONE",
        "BIRTHDAY",
    ]
    assert audience["stats"]["member_count"] == 0


def test_patch_renames_and_delete_removes(client: httpx.Client, list_id: str) -> None:
    assert client.patch(f"/lists/{list_id}", json={"name": "Renamed"}).json()["name"] == "Renamed"
    assert client.delete(f"/lists/{list_id}").status_code == 204
    assert client.get(f"/lists/{list_id}").status_code == 404


def test_email_filter_keeps_audiences_holding_the_address(
    sim: Simulator, client: httpx.Client
) -> None:
    audience_ids = list(sim.state.audiences)
    shared = next(
        m.email_address
        for m in sim.state.audiences[audience_ids[0]].members.values()
        if m.id in sim.state.audiences[audience_ids[1]].members
    )
    found = client.get("/lists", params={"email": shared}).json()
    assert {a["id"] for a in found["lists"]} == {audience_ids[0], audience_ids[1]}
    assert subscriber_hash(shared) in sim.state.audiences[audience_ids[1]].members


def test_batch_subscribe_reports_existing_members_unless_update_existing(
    client: httpx.Client, list_id: str
) -> None:
    members = [
        {"email_address": "b1@example.com", "status": "subscribed"},
        {"email_address": "b2@example.com", "status": "pending"},
    ]
    first = client.post(f"/lists/{list_id}", json={"members": members}).json()
    again = client.post(f"/lists/{list_id}", json={"members": members}).json()
    updated = client.post(
        f"/lists/{list_id}", json={"members": members, "update_existing": True}
    ).json()
    assert first["total_created"] == 2 and first["error_count"] == 0
    assert again["error_count"] == 2 and again["errors"][0]["error_code"] == "ERROR_CONTACT_EXISTS"
    assert updated["total_updated"] == 2
