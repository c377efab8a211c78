"""Segment endpoints: list, get, subscribers (cursor, live rules), rename, delete."""

from __future__ import annotations

import httpx

from simulators.mailerlite import Condition, Simulator
from tests.simulator.test_subscribers import walk


def test_segments_list_and_get(client: httpx.Client, sim: Simulator) -> None:
    body = client.get("/segments").json()
    assert body["meta"]["total"] == 5 and body["meta"]["per_page"] == 250
    first = body["data"][0]
    one = client.get(f"/segments/{first['id']}").json()["data"]
    assert one["total"] == first["total"]
    assert "automations_using_segment_count" not in one


def test_segment_subscribers_paginate_with_groups_and_match_total(
    client: httpx.Client, sim: Simulator
) -> None:
    for segment in client.get("/segments").json()["data"]:
        rows = walk(client, f"/segments/{segment['id']}/subscribers", {"limit": 11})
        ids = [r["id"] for r in rows]
        assert len(ids) == len(set(ids)) == segment["total"]
        assert all(r["status"] == "active" and isinstance(r["groups"], list) for r in rows)


def test_segment_membership_follows_subscriber_changes(
    client: httpx.Client, sim: Simulator
) -> None:
    segment = sim.state.create_segment(
        "Reykjavik people", [Condition("field", "Reykjavik", key="city")]
    )
    assert client.get(f"/segments/{segment.id}").json()["data"]["total"] == 0
    sid = client.post(
        "/subscribers", json={"email": "o@example.com", "fields": {"city": "Reykjavik"}}
    ).json()["data"]["id"]
    members = client.get(f"/segments/{segment.id}/subscribers").json()["data"]
    assert [m["id"] for m in members] == [sid]
    client.put(f"/subscribers/{sid}", json={"fields": {"city": "Rome"}})
    assert client.get(f"/segments/{segment.id}").json()["data"]["total"] == 0


def test_group_and_contains_conditions(client: httpx.Client, sim: Simulator) -> None:
    gid = client.post("/groups", json={"name": "Seg group"}).json()["data"]["id"]
    segment = sim.state.create_segment(
        "In group with 'ann'",
        [Condition("group", gid), Condition("field", "ANN", key="name", op="contains")],
    )
    sid = client.post(
        "/subscribers",
        json={"email": "j@example.com", "groups": [gid], "fields": {"name": "Joanna"}},
    ).json()["data"]["id"]
    client.post(
        "/subscribers", json={"email": "k@example.com", "groups": [gid], "fields": {"name": "Kim"}}
    )
    members = client.get(f"/segments/{segment.id}/subscribers").json()["data"]
    assert [m["id"] for m in members] == [sid]


def test_segment_rename_and_delete(client: httpx.Client) -> None:
    sid = client.get("/segments").json()["data"][0]["id"]
    renamed = client.put(f"/segments/{sid}", json={"name": "New Name"})
    assert renamed.json()["data"]["name"] == "New Name"
    assert client.put(f"/segments/{sid}", json={"name": ""}).status_code == 422
    assert client.delete(f"/segments/{sid}").status_code == 204
    response = client.get(f"/segments/{sid}")
    assert response.json() == {
        "message": f"No query results for model [App\\Models\\Segment] {sid}"
    }


def test_segments_cannot_be_created_through_the_api(client: httpx.Client) -> None:
    assert client.post("/segments", json={"name": "x"}).status_code == 405
