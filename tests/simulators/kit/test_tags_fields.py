"""Tags (create/rename/tag/untag/list members, a subscriber's tags) and custom fields."""

from __future__ import annotations

import httpx

from simulators.kit import Simulator


def _active(sim: Simulator) -> int:
    return next(s.id for s in sim.state.subscribers.values() if s.state == "active")


def test_create_tag_201_then_existing_name_200(client: httpx.Client) -> None:
    first = client.post("/tags", json={"name": "Fresh"})
    again = client.post("/tags", json={"name": "fresh"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["tag"]["id"] == first.json()["tag"]["id"]


def test_blank_tag_name_is_a_422(client: httpx.Client) -> None:
    assert client.post("/tags", json={"name": " "}).status_code == 422


def test_rename_tag(client: httpx.Client) -> None:
    tag = client.post("/tags", json={"name": "Old"}).json()["tag"]
    renamed = client.put(f"/tags/{tag['id']}", json={"name": "New"}).json()["tag"]
    assert renamed["name"] == "New"


def test_tagging_is_201_then_200_and_listed_both_ways(sim: Simulator, client: httpx.Client) -> None:
    tag = client.post("/tags", json={"name": "Members"}).json()["tag"]
    sub_id = _active(sim)
    first = client.post(f"/tags/{tag['id']}/subscribers/{sub_id}")
    again = client.post(f"/tags/{tag['id']}/subscribers/{sub_id}")
    assert (first.status_code, again.status_code) == (201, 200)
    assert "tagged_at" in first.json()["subscriber"]
    members = client.get(f"/tags/{tag['id']}/subscribers").json()["subscribers"]
    assert [m["id"] for m in members] == [sub_id]
    tags = client.get(f"/subscribers/{sub_id}/tags").json()["tags"]
    assert tag["id"] in {t["id"] for t in tags}


def test_untag_by_id_and_by_email(sim: Simulator, client: httpx.Client) -> None:
    tag = client.post("/tags", json={"name": "Temp"}).json()["tag"]
    sub = sim.state.subscribers[_active(sim)]
    client.post(f"/tags/{tag['id']}/subscribers", json={"email_address": sub.email_address})
    assert tag["id"] in sub.tags
    response = client.request(
        "DELETE", f"/tags/{tag['id']}/subscribers", json={"email_address": sub.email_address}
    )
    assert response.status_code == 204
    assert tag["id"] not in sub.tags
    client.post(f"/tags/{tag['id']}/subscribers/{sub.id}")
    assert client.delete(f"/tags/{tag['id']}/subscribers/{sub.id}").status_code == 204
    assert tag["id"] not in sub.tags


def test_tag_members_default_to_active_and_status_all_shows_every_state(
    sim: Simulator, client: httpx.Client
) -> None:
    tag = client.post("/tags", json={"name": "Mixed"}).json()["tag"]
    sub_id = _active(sim)
    client.post(f"/tags/{tag['id']}/subscribers/{sub_id}")
    client.post(f"/subscribers/{sub_id}/unsubscribe")
    assert client.get(f"/tags/{tag['id']}/subscribers").json()["subscribers"] == []
    every = client.get(f"/tags/{tag['id']}/subscribers", params={"status": "all"}).json()
    assert [m["id"] for m in every["subscribers"]] == [sub_id]


def test_tagging_an_unknown_subscriber_is_a_404(client: httpx.Client) -> None:
    tag = client.post("/tags", json={"name": "X"}).json()["tag"]
    assert client.post(f"/tags/{tag['id']}/subscribers/5").status_code == 404


def test_custom_field_lifecycle(sim: Simulator, client: httpx.Client) -> None:
    created = client.post("/custom_fields", json={"label": "Favourite Colour"})
    assert created.status_code == 201
    field = created.json()["custom_field"]
    assert field["key"] == "favourite_colour"
    assert field["name"] == f"ck_field_{field['id']}_favourite_colour"
    sub_id = _active(sim)
    client.put(f"/subscribers/{sub_id}", json={"fields": {"favourite_colour": "red"}})
    relabelled = client.put(f"/custom_fields/{field['id']}", json={"label": "Colour"})
    assert relabelled.json()["custom_field"]["key"] == "favourite_colour"
    assert client.delete(f"/custom_fields/{field['id']}").status_code == 204
    fields = client.get(f"/subscribers/{sub_id}").json()["subscriber"]["fields"]
    assert "favourite_colour" not in fields


def test_duplicate_custom_field_label_is_a_422(client: httpx.Client) -> None:
    client.post("/custom_fields", json={"label": "Team"})
    assert client.post("/custom_fields", json={"label": "team"}).status_code == 422


def test_segments_are_listed_read_only(client: httpx.Client) -> None:
    body = client.get("/segments").json()
    assert len(body["segments"]) == 2
    assert client.post("/segments", json={"name": "x"}).status_code == 404
