"""Group endpoints: page pagination, filters, sort, CRUD, group subscribers, assignment."""

from __future__ import annotations

from typing import Any

import httpx

from simulators.mailerlite import Simulator
from tests.simulator.test_subscribers import walk

MAX_PAGES = 100


def pages(client: httpx.Client, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Walk `page` from 1 to `meta.last_page` (bounded)."""
    rows: list[dict[str, Any]] = []
    for page in range(1, MAX_PAGES):
        body = client.get(path, params=dict(params, page=page)).json()
        rows += body["data"]
        if body["meta"]["current_page"] >= body["meta"]["last_page"]:
            return rows
    raise AssertionError("paging did not end")


def test_group_pages_cover_every_group_once(client: httpx.Client) -> None:
    for name in ("Alpha", "beta", "Gamma", "delta", "Epsilon"):
        client.post("/groups", json={"name": name})
    rows = pages(client, "/groups", {"limit": 2})
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)) == 9


def test_page_envelope_links_drop_params(client: httpx.Client) -> None:
    body = client.get("/groups", params={"limit": 1, "page": 2, "sort": "name"}).json()
    base = "http://mailerlite.sim/api/groups"
    assert body["links"] == {
        "first": f"{base}?page=1",
        "last": f"{base}?page=4",
        "prev": f"{base}?page=1",
        "next": f"{base}?page=3",
    }
    meta = body["meta"]
    assert (meta["current_page"], meta["from"], meta["to"], meta["total"]) == (2, 2, 2, 4)
    labels = [link["label"] for link in meta["links"]]
    assert labels == ["&laquo; Previous", "1", "2", "3", "4", "Next &raquo;"]
    assert [link["active"] for link in meta["links"]] == [False, False, True, False, False, False]


def test_page_beyond_the_end_is_empty(client: httpx.Client) -> None:
    meta = client.get("/groups", params={"page": 9}).json()["meta"]
    assert (meta["from"], meta["to"], meta["current_page"]) == (None, None, 9)


def test_filter_name_is_a_partial_case_insensitive_match(client: httpx.Client) -> None:
    client.post("/groups", json={"name": "Webinar attendees"})
    names = [
        g["name"] for g in client.get("/groups", params={"filter[name]": "WEBINAR"}).json()["data"]
    ]
    assert names == ["Webinar attendees"]


def test_sort_ascending_and_descending(client: httpx.Client) -> None:
    asc = [g["name"] for g in client.get("/groups", params={"sort": "name"}).json()["data"]]
    desc = [g["name"] for g in client.get("/groups", params={"sort": "-name"}).json()["data"]]
    assert asc == sorted(asc, key=str.casefold) and desc == list(reversed(asc))
    totals = client.get("/groups", params={"sort": "-total"}).json()["data"]
    counts = [
        sum(g[f"{s}_count"] for s in ("active", "unsubscribed", "unconfirmed", "bounced", "junk"))
        for g in totals
    ]
    assert counts == sorted(counts, reverse=True)
    assert client.get("/groups", params={"sort": "size"}).status_code == 422


def test_create_get_rename_delete(client: httpx.Client) -> None:
    created = client.post("/groups", json={"name": "Fresh"})
    assert created.status_code == 201
    gid = created.json()["data"]["id"]
    assert created.json()["data"]["active_count"] == 0
    assert client.get(f"/groups/{gid}").json()["data"]["name"] == "Fresh"
    assert client.put(f"/groups/{gid}", json={"name": "Renamed"}).json()["data"]["name"] == (
        "Renamed"
    )
    assert client.delete(f"/groups/{gid}").status_code == 204
    missing = client.get(f"/groups/{gid}")
    assert missing.status_code == 404
    assert missing.json() == {
        "message": f"No query results for model [App\\Models\\Group\\Group] {gid}"
    }


def test_group_name_validation(client: httpx.Client) -> None:
    assert client.post("/groups", json={}).json()["errors"] == {
        "name": ["The name field is required."]
    }
    assert client.post("/groups", json={"name": "x" * 256}).json()["errors"] == {
        "name": ["The name may not be greater than 255 characters."]
    }


def test_group_subscribers_default_to_active_and_paginate(
    client: httpx.Client, sim: Simulator
) -> None:
    group = next(iter(sim.state.groups.values()))
    rows = walk(client, f"/groups/{group.id}/subscribers", {"limit": 9})
    expected = [sid for sid in group.members if sim.state.subscribers[sid].status == "active"]
    assert [int(r["id"]) for r in rows] == sorted(expected, reverse=True)
    unsub = walk(
        client, f"/groups/{group.id}/subscribers", {"limit": 9, "filter[status]": "unsubscribed"}
    )
    assert {r["status"] for r in unsub} == {"unsubscribed"}
    first = client.get(f"/groups/{group.id}/subscribers").json()
    assert first["meta"]["per_page"] == 50
    assert first["links"]["next"].endswith(
        f"/groups/{group.id}/subscribers?cursor={first['meta']['next_cursor']}"
    )


def test_assign_returns_the_group_and_updates_counts(client: httpx.Client) -> None:
    gid = client.post("/groups", json={"name": "Solo"}).json()["data"]["id"]
    sid = client.post("/subscribers", json={"email": "a@example.com"}).json()["data"]["id"]
    assigned = client.post(f"/subscribers/{sid}/groups/{gid}")
    assert assigned.status_code == 200
    assert assigned.json()["data"]["id"] == gid and assigned.json()["data"]["active_count"] == 1
    client.put(f"/subscribers/{sid}", json={"status": "unsubscribed"})
    counts = client.get(f"/groups/{gid}").json()["data"]
    assert (counts["active_count"], counts["unsubscribed_count"]) == (0, 1)
    assert client.delete(f"/subscribers/{sid}/groups/{gid}").status_code == 204
    assert client.get(f"/groups/{gid}").json()["data"]["unsubscribed_count"] == 0


def test_assign_and_unassign_unknown_ids(client: httpx.Client) -> None:
    sid = client.post("/subscribers", json={"email": "a@example.com"}).json()["data"]["id"]
    bad = client.post(f"/subscribers/{sid}/groups/123")
    assert bad.status_code == 422
    assert bad.json()["errors"] == {"id": ["The selected id is invalid."]}
    gone = client.delete(f"/subscribers/{sid}/groups/123")
    assert (gone.status_code, gone.json()) == (404, {"message": ""})


def test_group_rates_are_float_string_objects(client: httpx.Client) -> None:
    for group in client.get("/groups").json()["data"]:
        rate = group["open_rate"]
        assert 0 <= rate["float"] <= 1 and rate["string"].endswith("%")
