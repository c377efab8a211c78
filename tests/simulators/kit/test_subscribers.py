"""Subscribers: listing filters, the upsert, updates, unsubscribing, no deletion."""

from __future__ import annotations

import httpx

from simulators.kit import Simulator


def test_list_defaults_to_active_subscribers_only(sim: Simulator, client: httpx.Client) -> None:
    body = client.get("/subscribers", params={"per_page": 1000}).json()
    active = [s for s in sim.state.subscribers.values() if s.state == "active"]
    assert len(active) < len(sim.state.subscribers)
    assert {s["id"] for s in body["subscribers"]} == {s.id for s in active}


def test_status_all_lists_every_state(sim: Simulator, client: httpx.Client) -> None:
    body = client.get("/subscribers", params={"per_page": 1000, "status": "all"}).json()
    assert len(body["subscribers"]) == len(sim.state.subscribers)


def test_status_filter_selects_one_state(sim: Simulator, client: httpx.Client) -> None:
    sub = next(iter(sim.state.subscribers.values()))
    client.post(f"/subscribers/{sub.id}/unsubscribe")
    body = client.get("/subscribers", params={"status": "cancelled"}).json()
    assert sub.id in {s["id"] for s in body["subscribers"]}
    assert {s["state"] for s in body["subscribers"]} == {"cancelled"}


def test_unknown_status_is_a_422(client: httpx.Client) -> None:
    response = client.get("/subscribers", params={"status": "unsubscribed"})
    assert response.status_code == 422
    assert isinstance(response.json()["errors"][0], str)


def test_email_address_filter_is_exact_and_case_insensitive(client: httpx.Client) -> None:
    body = client.get(
        "/subscribers", params={"email_address": "SUBSCRIBER00003@example.com", "status": "all"}
    ).json()
    assert [s["email_address"] for s in body["subscribers"]] == ["subscriber00003@example.com"]


def test_create_answers_201_then_200_for_the_same_email(client: httpx.Client) -> None:
    first = client.post("/subscribers", json={"email_address": "new@example.com"})
    again = client.post(
        "/subscribers", json={"email_address": "NEW@example.com", "first_name": "Neo"}
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["subscriber"]["id"] == first.json()["subscriber"]["id"]
    assert again.json()["subscriber"]["first_name"] == "Neo"


def test_upsert_never_changes_the_state(client: httpx.Client) -> None:
    created = client.post("/subscribers", json={"email_address": "s@example.com"}).json()
    sub_id = created["subscriber"]["id"]
    client.post(f"/subscribers/{sub_id}/unsubscribe")
    again = client.post("/subscribers", json={"email_address": "s@example.com", "state": "active"})
    assert again.json()["subscriber"]["state"] == "cancelled"


def test_subscriber_fields_list_every_key_with_null_when_unset(
    sim: Simulator, client: httpx.Client
) -> None:
    body = client.post(
        "/subscribers", json={"email_address": "f@example.com", "fields": {"company": "Acme"}}
    ).json()
    keys = {f.key for f in sim.state.fields.values()}
    assert set(body["subscriber"]["fields"]) == keys
    assert body["subscriber"]["fields"]["company"] == "Acme"
    assert body["subscriber"]["fields"]["last_name"] is None


def test_unknown_field_keys_are_ignored_with_a_warning(client: httpx.Client) -> None:
    body = client.post(
        "/subscribers", json={"email_address": "w@example.com", "fields": {"nope": "x"}}
    ).json()
    assert "nope" not in body["subscriber"]["fields"]
    assert len(body["warnings"]) == 1


def test_invalid_email_is_a_422_in_kit_error_shape(client: httpx.Client) -> None:
    response = client.post("/subscribers", json={"email_address": "not-an-email"})
    assert response.status_code == 422
    assert response.json() == {"errors": ["Email address is invalid"]}


def test_get_by_id_and_unknown_id(sim: Simulator, client: httpx.Client) -> None:
    sub = next(iter(sim.state.subscribers.values()))
    assert client.get(f"/subscribers/{sub.id}").json()["subscriber"]["email_address"] == (
        sub.email_address
    )
    missing = client.get("/subscribers/1")
    assert (missing.status_code, missing.json()) == (404, {"errors": ["Not Found"]})


def test_update_changes_email_name_and_fields_but_keeps_tags(
    sim: Simulator, client: httpx.Client
) -> None:
    sub = next(s for s in sim.state.subscribers.values() if s.tags)
    tags_before = dict(sub.tags)
    response = client.put(
        f"/subscribers/{sub.id}",
        json={"email_address": "moved@example.com", "first_name": "Mo", "fields": {"city": "X"}},
    )
    assert response.status_code == 200
    got = response.json()["subscriber"]
    assert (got["email_address"], got["first_name"], got["fields"]["city"]) == (
        "moved@example.com",
        "Mo",
        "X",
    )
    assert sub.tags == tags_before


def test_update_to_an_email_in_use_is_a_422(sim: Simulator, client: httpx.Client) -> None:
    first, second = list(sim.state.subscribers.values())[:2]
    response = client.put(f"/subscribers/{first.id}", json={"email_address": second.email_address})
    assert response.json() == {"errors": ["Email address has already been taken"]}


def test_subscribers_cannot_be_deleted_only_unsubscribed(
    sim: Simulator, client: httpx.Client
) -> None:
    sub = next(s for s in sim.state.subscribers.values() if s.state == "active")
    assert client.delete(f"/subscribers/{sub.id}").status_code == 404
    assert client.post(f"/subscribers/{sub.id}/unsubscribe").status_code == 204
    assert client.get(f"/subscribers/{sub.id}").json()["subscriber"]["state"] == "cancelled"


def test_include_tags_embeds_id_and_name(sim: Simulator, client: httpx.Client) -> None:
    sub = next(s for s in sim.state.subscribers.values() if s.tags and s.state == "active")
    body = client.get(
        "/subscribers", params={"email_address": sub.email_address, "include": "tags"}
    ).json()
    tags = body["subscribers"][0]["tags"]
    assert {t["id"] for t in tags} == set(sub.tags)
    assert all(set(t) == {"id", "name"} for t in tags)


def test_sorting_on_cancelled_at_needs_status_cancelled(client: httpx.Client) -> None:
    response = client.get("/subscribers", params={"sort_field": "cancelled_at"})
    assert response.status_code == 422


def test_same_seed_gives_the_same_account() -> None:
    one = Simulator(seed=3).seed_data(subscribers=5)
    two = Simulator(seed=3).seed_data(subscribers=5)
    assert sorted(one.state.subscribers) == sorted(two.state.subscribers)
    assert sorted(one.state.tags) == sorted(two.state.tags)
