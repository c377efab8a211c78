"""Webhooks and deliveries, rate limits, faults, determinism, sandbox registration."""

from __future__ import annotations

import argparse
import importlib
import json

import httpx

from simulators import SANDBOX_PROVIDERS
from simulators.brevo import FakeClock, Simulator


def test_webhook_crud_and_type_filter(client: httpx.Client) -> None:
    created = client.post(
        "/webhooks",
        json={"url": "https://hooks.test/x", "events": ["contactUpdated"], "type": "marketing"},
    )
    assert created.status_code == 201
    hook_id = created.json()["id"]
    assert client.get("/webhooks").json() == {"webhooks": []}
    listed = client.get("/webhooks", params={"type": "marketing"}).json()["webhooks"]
    assert [h["id"] for h in listed] == [hook_id]
    assert client.delete(f"/webhooks/{hook_id}").status_code == 204
    assert client.get(f"/webhooks/{hook_id}").status_code == 404


def test_marketing_events_are_delivered_unsigned_with_bearer_auth(clock: FakeClock) -> None:
    received: list[httpx.Request] = []

    def receive(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(200)

    sim = Simulator(clock=clock, rate_limit=None, webhook_transport=httpx.MockTransport(receive))
    with sim.client() as client:
        client.post(
            "/webhooks",
            json={
                "url": "https://hooks.test/in",
                "type": "marketing",
                "events": ["contactUpdated", "contactDeleted", "listAddition"],
                "auth": {"type": "bearer", "token": "s3cret"},
            },
        )
        folder = client.post("/contacts/folders", json={"name": "F"}).json()["id"]
        list_id = client.post("/contacts/lists", json={"name": "L", "folderId": folder}).json()[
            "id"
        ]
        cid = client.post("/contacts", json={"email": "w@example.com"}).json()["id"]
        client.put(f"/contacts/{cid}", json={"attributes": {"FIRSTNAME": "W"}})
        client.post(f"/contacts/lists/{list_id}/contacts/add", json={"ids": [cid]})
        client.delete(f"/contacts/{cid}")
    assert sim.webhooks.flush(5)
    sim.close()
    events = [json.loads(r.content)["event"] for r in received]
    assert events == ["contact_updated", "list_addition", "contact_deleted"]
    assert all(r.headers["authorization"] == "Bearer s3cret" for r in received)
    assert not any("signature" in r.headers for r in received)
    assert json.loads(received[1].content)["list_id"] == [list_id]


def test_rate_limit_headers_and_429_without_retry_after(clock: FakeClock) -> None:
    sim = Simulator(clock=clock, rate_limit=(2, 1.0))
    with sim.client() as client:
        first = client.get("/contacts")
        client.get("/contacts")
        refused = client.get("/contacts")
        clock.advance(1.0)
        again = client.get("/contacts")
    assert first.headers["x-sib-ratelimit-limit"] == "2"
    assert first.headers["x-sib-ratelimit-remaining"] == "1"
    assert refused.status_code == 429
    assert refused.headers["x-sib-ratelimit-reset"] == "1"
    assert "retry-after" not in refused.headers
    assert again.status_code == 200


def test_provider_limits_split_contacts_and_other_endpoints(clock: FakeClock) -> None:
    sim = Simulator(clock=clock)
    with sim.client() as client:
        contacts = client.get("/contacts")
        hooks = client.get("/webhooks")
    assert contacts.headers["x-sib-ratelimit-limit"] == "10"
    assert hooks.headers["x-sib-ratelimit-limit"] == "100"


def test_faults_follow_the_seed(clock: FakeClock) -> None:
    def statuses() -> list[int]:
        sim = Simulator(seed=5, clock=clock, rate_limit=None, faults="500:0.3")
        with sim.client() as client:
            return [client.get("/contacts").status_code for _ in range(30)]

    first = statuses()
    assert first == statuses()
    assert 500 in first and 200 in first


def test_same_seed_gives_identical_answers() -> None:
    def snapshot() -> bytes:
        sim = Simulator(seed=11, clock=FakeClock(), rate_limit=None).seed_data(contacts=25)
        with sim.client() as client:
            return client.get("/contacts", params={"limit": 1000}).content

    assert snapshot() == snapshot()


def test_unknown_route_and_wrong_method(client: httpx.Client) -> None:
    assert client.get("/nothing/here").status_code == 404
    wrong = client.patch("/contacts")
    assert wrong.status_code == 405
    assert wrong.json()["code"] == "method_not_allowed"


def test_sandbox_registry_builds_a_seeded_brevo_simulator() -> None:
    module = importlib.import_module(SANDBOX_PROVIDERS["brevo"])
    args = argparse.Namespace(
        seed=1,
        token=module.DEFAULT_TOKEN,
        rate_limit="provider",
        faults=None,
        subscribers=12,
        groups=2,
        segments=1,
        import_limit=None,
    )
    sim = module.build(args)
    assert len(sim.state.contacts) == 12
    assert len(sim.state.lists) == 2
