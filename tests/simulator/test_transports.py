"""The same simulator through every way of reaching it: sync and async in-process transports,
httpx.ASGITransport, and real HTTP on loopback via uvicorn."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx

from simulators.mailerlite import IN_PROCESS_BASE_URL, Simulator, serve_in_thread


def test_one_transport_serves_sync_and_async_clients(sim: Simulator) -> None:
    transport = sim.transport()
    with httpx.Client(
        transport=transport, base_url=IN_PROCESS_BASE_URL, headers=sim.auth_headers()
    ) as client:
        sync_total = client.get("/subscribers", params={"limit": 0}).json()

    async def fetch() -> object:
        async with httpx.AsyncClient(
            transport=transport, base_url=IN_PROCESS_BASE_URL, headers=sim.auth_headers()
        ) as client:
            return (await client.get("/subscribers", params={"limit": 0})).json()

    assert sync_total == asyncio.run(fetch()) == {"total": 300}


def test_httpx_asgi_transport_works_with_the_app(sim: Simulator) -> None:
    async def fetch() -> httpx.Response:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=sim.app),
            base_url="http://testserver/api",
            headers=sim.auth_headers(),
        ) as client:
            return await client.get("/subscribers", params={"limit": 2})

    response = asyncio.run(fetch())
    assert response.status_code == 200
    assert response.json()["links"]["next"].startswith("http://testserver/api/subscribers?cursor=")


def test_served_on_loopback_with_links_pointing_back(sim: Simulator) -> None:
    with serve_in_thread(sim) as base_url:
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/api")
        with httpx.Client(base_url=base_url, headers=sim.auth_headers(), timeout=5) as client:
            first = client.get("/subscribers", params={"limit": 3})
            follow = client.get(first.json()["links"]["next"])
            created = client.post("/subscribers", json={"email": "net@example.com"})
    assert first.status_code == 200 and follow.status_code == 200
    assert first.json()["meta"]["path"] == f"{base_url}/subscribers"
    assert created.status_code == 201


def test_served_on_loopback_answers_without_a_delayed_ack_stall(sim: Simulator) -> None:
    # Nagle's algorithm on the server's socket held each response's body until the client's
    # delayed ACK: about 40 ms per request, 0.8 s for these 20 (now a few milliseconds).
    with (
        serve_in_thread(sim) as base_url,
        httpx.Client(base_url=base_url, headers=sim.auth_headers(), timeout=5) as client,
    ):
        client.get("/subscribers", params={"limit": 1})  # connect and warm up
        started = time.perf_counter()
        for _ in range(20):
            assert client.get("/subscribers", params={"limit": 1}).status_code == 200
        elapsed = time.perf_counter() - started
    assert elapsed < 0.6


def test_concurrent_in_process_writers_keep_state_consistent(sim: Simulator) -> None:
    def writer(n: int) -> None:
        with sim.client() as client:
            for i in range(20):
                client.post("/subscribers", json={"email": f"w{n}-{i}@example.com"})

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(sim.state.subscribers) == 380
    assert sim.state.order == sorted(sim.state.subscribers)
