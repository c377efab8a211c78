"""Fault injection: SPEC grammar, each kind's effect, state safety, counters, determinism."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from simulators.mailerlite import FakeClock, FaultPlan, Simulator, serve_in_thread


def faulty(spec: str, seed: int = 1) -> Simulator:
    sim = Simulator(seed=seed, clock=FakeClock(), rate_limit=None, faults=spec)
    return sim.seed_data(subscribers=20, groups=1, segments=0)


def test_spec_round_trips() -> None:
    spec = "500:0.05,slow:0.02@1.5,truncate:0.01,drop:0.01,429burst:0.01x5"
    plan = FaultPlan.parse(spec)
    assert str(plan) == spec
    assert [(r.kind, r.probability) for r in plan.rules][:2] == [("500", 0.05), ("slow", 0.02)]
    assert plan.rules[1].delay == 1.5 and plan.rules[4].count == 5
    assert FaultPlan.parse("").rules == () == FaultPlan.parse("none").rules


@pytest.mark.parametrize(
    "spec",
    [
        "500",
        "404:0.1",
        "500:1.5",
        "500:0.6,503:0.6",
        "500:x",
        "drop:0.1@2",
        "slow:0.1x3",
        "500:0.1,500:0.1",
        "429burst:0.1x0",
    ],
)
def test_invalid_specs_are_rejected(spec: str) -> None:
    with pytest.raises(ValueError):
        FaultPlan.parse(spec)


@pytest.mark.parametrize(
    ("kind", "status"), [("500", 500), ("502", 502), ("503", 503), ("504", 504)]
)
def test_server_errors_do_not_apply_the_request(kind: str, status: int) -> None:
    sim = faulty(f"{kind}:1")
    with sim.client() as client:
        response = client.post("/subscribers", json={"email": "e@example.com"})
    assert response.status_code == status
    assert "e@example.com" not in sim.state.by_email
    assert sim.fault_counts == {kind: 1}
    if kind in ("500", "503"):
        assert "message" in response.json()
    else:
        assert response.headers["content-type"] == "text/html"


def test_slow_delays_and_applies() -> None:
    sim = faulty("slow:1@0.2")
    with sim.client() as client:
        started = time.perf_counter()
        response = client.post("/subscribers", json={"email": "s@example.com"})
        elapsed = time.perf_counter() - started
    assert response.status_code == 201 and elapsed >= 0.19
    assert "s@example.com" in sim.state.by_email


def test_malformed_is_200_with_a_body_that_is_not_json() -> None:
    sim = faulty("malformed:1")
    with sim.client() as client:
        response = client.get("/subscribers")
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_truncate_cuts_a_real_get_body_and_does_not_apply_writes() -> None:
    sim = faulty("truncate:1")
    reference = faulty("")
    with sim.client() as client, reference.client() as ref:
        cut = client.get("/groups")
        full = ref.get("/groups")
        write = client.post("/subscribers", json={"email": "t@example.com"})
    assert cut.status_code == 200 and full.content.startswith(cut.content)
    assert len(cut.content) < len(full.content)
    with pytest.raises(json.JSONDecodeError):
        cut.json()
    with pytest.raises(json.JSONDecodeError):
        write.json()
    assert "t@example.com" not in sim.state.by_email


def test_drop_raises_a_transport_error_and_does_not_apply() -> None:
    sim = faulty("drop:1")
    with sim.client() as client, pytest.raises(httpx.RemoteProtocolError):
        client.post("/subscribers", json={"email": "d@example.com"})
    assert "d@example.com" not in sim.state.by_email


def test_drop_after_apply_applies_then_drops() -> None:
    sim = faulty("drop_after_apply:1")
    with sim.client() as client, pytest.raises(httpx.RemoteProtocolError):
        client.post("/subscribers", json={"email": "a@example.com"})
    assert "a@example.com" in sim.state.by_email
    assert sim.fault_counts == {"drop_after_apply": 1}


def test_drop_through_httpx_asgi_transport() -> None:
    sim = faulty("drop:1")

    async def call() -> None:
        transport = httpx.ASGITransport(app=sim.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://x/api", headers=sim.auth_headers()
        ) as client:
            await client.get("/subscribers")

    with pytest.raises(httpx.TransportError):
        asyncio.run(call())


def test_drop_over_real_http_closes_the_connection() -> None:
    sim = faulty("drop:1")
    with serve_in_thread(sim) as base_url, pytest.raises(httpx.RemoteProtocolError):
        httpx.get(f"{base_url}/subscribers", headers=sim.auth_headers(), timeout=5)


def test_429_burst_lasts_count_requests() -> None:
    sim = faulty("429burst:0.5x3", seed=4)
    with sim.client() as client:
        responses = [client.get("/fields") for _ in range(40)]
    codes = [r.status_code for r in responses]
    first = codes.index(429)
    assert codes[first : first + 3] == [429, 429, 429]
    burst = responses[first]
    assert burst.json() == {"message": "Too Many Attempts."}
    assert burst.headers["retry-after"] == "1"
    assert sim.fault_counts["429burst"] == codes.count(429)


def test_fault_sequence_is_deterministic_per_seed() -> None:
    spec = "500:0.2,503:0.1,drop:0.1,429burst:0.05x2"

    def run(seed: int) -> list[str]:
        sim = faulty(spec, seed=seed)
        outcomes = []
        with sim.client() as client:
            for _ in range(60):
                try:
                    outcomes.append(str(client.get("/fields").status_code))
                except httpx.TransportError:
                    outcomes.append("drop")
        return outcomes

    assert run(11) == run(11)
    assert run(11) != run(12)


def test_faults_never_corrupt_state() -> None:
    sim = faulty("500:0.2,502:0.1,truncate:0.1,drop:0.1,429burst:0.05x2", seed=9)
    applied: list[str] = []
    with sim.client() as client:
        for n in range(80):
            email = f"user{n}@example.com"
            try:
                response = client.post("/subscribers", json={"email": email})
            except httpx.TransportError:
                continue
            if response.status_code == 201:
                applied.append(email)
    assert sorted(applied) == sorted(e for e in sim.state.by_email if e.startswith("user"))
    assert sum(sim.fault_counts.values()) > 0
