"""Webhook CRUD and deliveries: signatures, flat/nested/batched shapes, loopback delivery."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from simulators.mailerlite import FakeClock, Simulator, sign
from tests.simulator.conftest import Receiver


class Captor:
    """An httpx.MockTransport handler recording every delivery."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200)

    def bodies(self) -> list[Any]:
        return [json.loads(r.content) for r in self.requests]


@pytest.fixture
def captor() -> Captor:
    return Captor()


@pytest.fixture
def hooked(captor: Captor) -> Iterator[Simulator]:
    sim = Simulator(
        seed=5, clock=FakeClock(), rate_limit=None, webhook_transport=httpx.MockTransport(captor)
    )
    sim.seed_data(subscribers=20, groups=2, segments=0)
    yield sim
    sim.close()


def register(client: httpx.Client, events: list[str], **extra: Any) -> dict[str, Any]:
    response = client.post(
        "/webhooks", json={"url": "http://receiver.test/hook", "events": events, **extra}
    )
    assert response.status_code == 201, response.text
    return dict(response.json()["data"])


def test_sign_matches_the_fact_sheet_test_vector() -> None:
    assert sign(b'{"events":[{"type":"subscriber.created"}]}', "test-secret-key-12345") == (
        "12339eeb74101f7166729ab5480539b73820a99c5569bf4c87353816bd34cc15"
    )


def test_create_generates_a_ten_character_secret(client: httpx.Client) -> None:
    hook = register(client, ["subscriber.created"], name="Mine")
    assert len(hook["secret"]) == 10 and hook["secret"].isalnum()
    assert (hook["enabled"], hook["batchable"], hook["version"]) == (True, False, "2022-01")


def test_webhook_crud(client: httpx.Client) -> None:
    hook = register(client, ["subscriber.created"])
    assert client.get(f"/webhooks/{hook['id']}").json()["data"] == hook
    updated = client.put(f"/webhooks/{hook['id']}", json={"enabled": False, "name": "Off"})
    assert updated.json()["data"]["enabled"] is False and updated.json()["data"]["name"] == "Off"
    assert client.delete(f"/webhooks/{hook['id']}").status_code == 204
    missing = client.get(f"/webhooks/{hook['id']}")
    assert missing.json() == {
        "message": f"No query results for model [App\\Models\\Webhook] {hook['id']}"
    }


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ({"events": ["subscriber.created"]}, "url"),
        ({"url": "not a url", "events": ["subscriber.created"]}, "url"),
        ({"url": "http://x.test"}, "events"),
        ({"url": "http://x.test", "events": ["subscriber.create"]}, "events.0"),
        ({"url": "http://x.test", "events": ["subscriber.deleted"]}, "batchable"),
    ],
)
def test_webhook_validation(client: httpx.Client, body: dict[str, Any], key: str) -> None:
    response = client.post("/webhooks", json=body)
    assert response.status_code == 422
    assert key in response.json()["errors"]


def test_flat_event_is_signed_with_the_secret(hooked: Simulator, captor: Captor) -> None:
    with hooked.client() as client:
        hook = register(client, ["subscriber.created"])
        client.post("/subscribers", json={"email": "Hook@Example.com"})
    assert hooked.webhooks.flush(5)
    (request,) = captor.requests
    expected = hmac.new(hook["secret"].encode(), request.content, hashlib.sha256).hexdigest()
    assert request.headers["signature"] == expected
    body = json.loads(request.content)
    assert (body["event"], body["email"], body["account_id"]) == (
        "subscriber.created",
        "hook@example.com",
        hooked.state.account_id,
    )
    assert body["created_at"] == "2025-01-01T00:00:00.000000Z"
    assert "groups" not in body and body["api_version"] == "2025-05"


def test_group_events_use_the_nested_shape(hooked: Simulator, captor: Captor) -> None:
    with hooked.client() as client:
        register(client, ["subscriber.added_to_group", "subscriber.removed_from_group"])
        gid = client.get("/groups").json()["data"][0]["id"]
        sid = client.post("/subscribers", json={"email": "n@example.com", "groups": [gid]}).json()[
            "data"
        ]["id"]
        client.delete(f"/subscribers/{sid}/groups/{gid}")
    assert hooked.webhooks.flush(5)
    bodies = captor.bodies()
    assert [b["type"] for b in bodies] == [
        "subscriber.added_to_group",
        "subscriber.removed_from_group",
    ]
    assert bodies[0]["group"]["id"] == gid and bodies[0]["subscriber"]["id"] == sid
    assert set(bodies[0]) == {"type", "subscriber", "group", "account_id", "api_version"}


def test_batchable_webhook_gets_one_events_envelope_per_request(
    hooked: Simulator, captor: Captor
) -> None:
    with hooked.client() as client:
        register(
            client,
            ["subscriber.created", "subscriber.added_to_group", "subscriber.deleted"],
            batchable=True,
        )
        gids = [g["id"] for g in client.get("/groups").json()["data"]]
        sid = client.post("/subscribers", json={"email": "b@example.com", "groups": gids}).json()[
            "data"
        ]["id"]
        client.delete(f"/subscribers/{sid}")
    assert hooked.webhooks.flush(5)
    first, second = captor.bodies()
    assert first["total"] == 3 and len(first["events"]) == 3
    assert [e.get("event") or e.get("type") for e in first["events"]] == [
        "subscriber.created",
        "subscriber.added_to_group",
        "subscriber.added_to_group",
    ]
    assert second["events"][0]["event"] == "subscriber.deleted"
    assert second["events"][0]["deleted_at"] == "2025-01-01T00:00:00.000000Z"


def test_status_transitions_fire_their_events(hooked: Simulator, captor: Captor) -> None:
    with hooked.client() as client:
        register(
            client,
            [
                "subscriber.updated",
                "subscriber.unsubscribed",
                "subscriber.bounced",
                "subscriber.active",
            ],
        )
        sid = client.post(
            "/subscribers", json={"email": "s@example.com", "status": "unconfirmed"}
        ).json()["data"]["id"]
        client.put(f"/subscribers/{sid}", json={"status": "active"})
        client.put(f"/subscribers/{sid}", json={"fields": {"name": "N"}})
        client.put(f"/subscribers/{sid}", json={"status": "unsubscribed"})
        client.put(f"/subscribers/{sid}", json={"status": "bounced"})
        client.put(f"/subscribers/{sid}", json={"status": "active"})
    assert hooked.webhooks.flush(5)
    assert [b["event"] for b in captor.bodies()] == [
        "subscriber.active",
        "subscriber.updated",
        "subscriber.unsubscribed",
        "subscriber.bounced",
    ]


def test_disabled_and_unsubscribed_webhooks_receive_nothing(
    hooked: Simulator, captor: Captor
) -> None:
    with hooked.client() as client:
        register(client, ["subscriber.created"], enabled=False)
        register(client, ["subscriber.unsubscribed"])
        client.post("/subscribers", json={"email": "q@example.com"})
    assert hooked.webhooks.flush(5)
    assert captor.requests == []


def test_delivery_outcome_is_recorded_on_the_webhook(hooked: Simulator) -> None:
    with hooked.client() as client:
        hook = register(client, ["subscriber.created"])
        client.post("/subscribers", json={"email": "r@example.com"})
        assert hooked.webhooks.flush(5)
        data = client.get(f"/webhooks/{hook['id']}").json()["data"]
    assert data["response_code"] == 200 and data["last_fired_at"] == "2025-01-01 00:00:00"
    assert hooked.webhooks.results[0].status_code == 200


def test_signed_delivery_to_a_loopback_receiver(receiver: Receiver) -> None:
    sim = Simulator(seed=2, rate_limit=None)
    try:
        with sim.client() as client:
            hook = client.post(
                "/webhooks", json={"url": receiver.url, "events": ["subscriber.created"]}
            ).json()["data"]
            client.post("/subscribers", json={"email": "loop@example.com"})
        assert sim.webhooks.flush(10)
    finally:
        sim.close()
    ((headers, body),) = receiver.requests
    assert headers["content-type"] == "application/json"
    expected = hmac.new(hook["secret"].encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["signature"], expected)
    assert json.loads(body)["email"] == "loop@example.com"


def test_failed_delivery_is_recorded_not_raised() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    sim = Simulator(seed=2, rate_limit=None, webhook_transport=httpx.MockTransport(refuse))
    with sim.client() as client:
        client.post("/webhooks", json={"url": "http://down.test", "events": ["subscriber.created"]})
        assert client.post("/subscribers", json={"email": "e@example.com"}).status_code == 201
    assert sim.webhooks.flush(5)
    assert sim.webhooks.results[0].status_code is None
    assert "ConnectError" in (sim.webhooks.results[0].error or "")
    sim.close()


def test_async_drain_waits_for_deliveries(hooked: Simulator, captor: Captor) -> None:
    async def scenario() -> None:
        async with hooked.async_client() as client:
            await client.post(
                "/webhooks",
                json={"url": "http://receiver.test/h", "events": ["subscriber.created"]},
            )
            for n in range(5):
                await client.post("/subscribers", json={"email": f"a{n}@example.com"})
        assert await hooked.webhooks.drain(5)

    asyncio.run(scenario())
    assert len(captor.requests) == 5
