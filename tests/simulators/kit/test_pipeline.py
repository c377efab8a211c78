"""Authentication, rate limit, routing, faults and webhooks."""

from __future__ import annotations

import json

import httpx

from simulators.core.clock import FakeClock
from simulators.kit import IN_PROCESS_BASE_URL, Simulator


def _bare(sim: Simulator, headers: dict[str, str]) -> httpx.Client:
    return httpx.Client(transport=sim.transport(), base_url=IN_PROCESS_BASE_URL, headers=headers)


def test_wrong_api_key_is_a_401_in_kit_shape(sim: Simulator) -> None:
    with _bare(sim, {"X-Kit-Api-Key": "nope"}) as client:
        response = client.get("/subscribers")
    assert (response.status_code, response.json()) == (
        401,
        {"errors": ["The access token is invalid"]},
    )


def test_oauth_bearer_token_is_accepted_when_configured() -> None:
    sim = Simulator(oauth_token="oauth-1")
    with _bare(sim, {"Authorization": "Bearer oauth-1"}) as client:
        assert client.get("/tags").status_code == 200


def test_unrouted_path_is_a_404(client: httpx.Client) -> None:
    assert client.get("/lists").json() == {"errors": ["Not Found"]}


def test_api_key_limit_is_120_per_minute_with_plain_text_429() -> None:
    clock = FakeClock()
    sim = Simulator(clock=clock)
    with sim.client() as client:
        statuses = [client.get("/tags").status_code for _ in range(121)]
        refused = client.get("/tags")
        assert statuses[:120] == [200] * 120 and statuses[120] == 429
        assert refused.text == "Retry later"
        assert "retry-after" not in refused.headers
        clock.advance(60)
        assert client.get("/tags").status_code == 200


def test_429_burst_fault_looks_like_kits_429() -> None:
    sim = Simulator(faults="429burst:1x2", rate_limit=None)
    with sim.client() as client:
        response = client.get("/tags")
    assert (response.status_code, response.text) == (429, "Retry later")


def test_500_fault_does_not_apply_the_request() -> None:
    sim = Simulator(faults="500:1", rate_limit=None)
    with sim.client() as client:
        response = client.post("/tags", json={"name": "Never"})
    assert response.status_code == 500
    assert sim.state.tags == {}


def test_tag_add_webhook_is_delivered_unsigned_for_its_tag_only(sim: Simulator) -> None:
    received: list[httpx.Request] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(200)

    hooked = Simulator(seed=1, rate_limit=None, webhook_transport=httpx.MockTransport(receiver))
    with hooked.client() as client:
        tag = client.post("/tags", json={"name": "Hooked"}).json()["tag"]
        other = client.post("/tags", json={"name": "Other"}).json()["tag"]
        created = client.post(
            "/webhooks",
            json={
                "target_url": "https://hooks.example/kit",
                "event": {"name": "subscriber.tag_add", "tag_id": tag["id"]},
            },
        )
        assert created.status_code == 201
        sub = client.post("/subscribers", json={"email_address": "h@example.com"}).json()
        sub_id = sub["subscriber"]["id"]
        client.post(f"/tags/{other['id']}/subscribers/{sub_id}")
        client.post(f"/tags/{tag['id']}/subscribers/{sub_id}")
    hooked.webhooks.flush()
    hooked.close()
    assert len(received) == 1
    assert json.loads(received[0].content)["subscriber"]["id"] == sub_id
    assert not any(h.lower().startswith("x-kit-signature") for h in received[0].headers)


def test_webhook_with_unknown_event_is_a_422(client: httpx.Client) -> None:
    response = client.post(
        "/webhooks", json={"target_url": "https://x.example", "event": {"name": "nope"}}
    )
    assert response.status_code == 422


def test_webhooks_are_listed_and_deleted(client: httpx.Client) -> None:
    hook = client.post(
        "/webhooks",
        json={
            "target_url": "https://x.example",
            "event": {"name": "subscriber.subscriber_unsubscribe"},
        },
    ).json()["webhook"]
    assert [h["id"] for h in client.get("/webhooks").json()["webhooks"]] == [hook["id"]]
    assert client.delete(f"/webhooks/{hook['id']}").status_code == 204
    assert client.delete(f"/webhooks/{hook['id']}").status_code == 404


def test_account_endpoint_answers_for_a_valid_key(client: httpx.Client) -> None:
    assert "account" in client.get("/account").json()
