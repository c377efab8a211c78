"""Form-encoded webhook deliveries and the 10-connection cap."""

from __future__ import annotations

import asyncio
import threading

import httpx

from simulators.core.clock import FakeClock
from simulators.mailchimp import MAX_CONNECTIONS, Simulator, decode, subscriber_hash


def _capturing() -> tuple[Simulator, list[httpx.Request]]:
    received: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        received.append(request)
        return httpx.Response(200)

    sim = Simulator(seed=1, clock=FakeClock(), webhook_transport=httpx.MockTransport(handler))
    sim.seed_data(members=10, audiences=1)
    return sim, received


def test_api_changes_are_delivered_form_encoded_when_api_source_is_on() -> None:
    sim, received = _capturing()
    list_id = next(iter(sim.state.audiences))
    with sim.client() as c:
        c.post(
            f"/lists/{list_id}/webhooks",
            json={"url": "https://hooks.test/mc?token=s3cret", "sources": {"api": True}},
        )
        c.post(
            f"/lists/{list_id}/members",
            json={
                "email_address": "hook@example.com",
                "status": "subscribed",
                "merge_fields": {"FNAME": "Hook"},
            },
        )
    assert sim.webhooks.flush()
    sim.close()
    assert len(received) == 1
    request = received[0]
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.url.params["token"] == "s3cret"
    form = decode(request.content)
    assert form["type"] == "subscribe"
    assert form["fired_at"] == "2025-01-01 00:00:00"
    assert form["data[email]"] == "hook@example.com"
    assert form["data[merges][FNAME]"] == "Hook"
    assert form["data[list_id]"] == list_id
    assert form["data[id]"] == subscriber_hash("hook@example.com")


def test_unsubscribe_and_archive_are_announced_as_unsubscribe_events() -> None:
    sim, received = _capturing()
    list_id = next(iter(sim.state.audiences))
    key = subscriber_hash("u@example.com")
    with sim.client() as c:
        c.post(
            f"/lists/{list_id}/members",
            json={"email_address": "u@example.com", "status": "subscribed"},
        )
        c.post(
            f"/lists/{list_id}/webhooks",
            json={"url": "https://hooks.test/x", "sources": {"api": True}},
        )
        c.patch(f"/lists/{list_id}/members/{key}", json={"status": "unsubscribed"})
        c.delete(f"/lists/{list_id}/members/{key}")
    sim.webhooks.flush()
    sim.close()
    forms = [decode(r.content) for r in received]
    assert [(f["type"], f["data[action]"]) for f in forms] == [
        ("unsubscribe", "unsub"),
        ("unsubscribe", "delete"),
    ]


def test_api_changes_are_not_delivered_by_default() -> None:
    sim, received = _capturing()
    list_id = next(iter(sim.state.audiences))
    with sim.client() as c:
        hook = c.post(f"/lists/{list_id}/webhooks", json={"url": "https://hooks.test/y"}).json()
        c.post(
            f"/lists/{list_id}/members",
            json={"email_address": "quiet@example.com", "status": "subscribed"},
        )
    sim.webhooks.flush()
    sim.close()
    assert hook["sources"] == {"user": True, "admin": True, "api": False}
    assert received == []


def test_more_than_ten_requests_in_flight_get_429() -> None:
    sim = Simulator(seed=2, latency=1.0).seed_data(members=5, audiences=1)
    statuses: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(MAX_CONNECTIONS + 3)

    def call() -> None:
        with sim.client() as c:
            start.wait(10)
            code = c.get("/ping").status_code
        with lock:
            statuses.append(code)

    threads = [threading.Thread(target=call) for _ in range(MAX_CONNECTIONS + 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert statuses.count(200) == MAX_CONNECTIONS
    assert statuses.count(429) == 3
    assert sim.in_flight == 0


def test_async_burst_within_the_cap_is_served() -> None:
    sim = Simulator(seed=2, latency=0.05).seed_data(members=5, audiences=1)

    async def burst() -> list[int]:
        async with sim.async_client() as c:
            responses = await asyncio.gather(*(c.get("/ping") for _ in range(MAX_CONNECTIONS)))
        return [r.status_code for r in responses]

    assert asyncio.run(burst()) == [200] * MAX_CONNECTIONS
    assert sim.peak_in_flight == MAX_CONNECTIONS
    assert sim.in_flight == 0


def test_429_body_names_the_connection_limit() -> None:
    sim = Simulator(seed=2, max_connections=1, latency=1.0).seed_data(members=1, audiences=1)
    results: list[httpx.Response] = []
    start = threading.Barrier(2)

    def call() -> None:
        with sim.client() as c:
            start.wait(10)
            results.append(c.get("/ping"))

    threads = [threading.Thread(target=call) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    refused = [r for r in results if r.status_code == 429]
    assert len(refused) == 1
    assert refused[0].json()["title"] == "Too Many Requests"
    assert (
        "10" not in refused[0].json()["detail"] and "1 simultaneous" in refused[0].json()["detail"]
    )
