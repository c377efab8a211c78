"""Rate limiting: headers, 429 with Retry-After, window reset, import limit, disabling."""

from __future__ import annotations

import httpx

from simulators.mailerlite import FakeClock, Simulator

IMPORT_BATCH = {
    "requests": [{"method": "POST", "path": "api/subscribers", "body": {"email": "i@example.com"}}]
}


def test_headers_count_down_then_429_with_retry_after() -> None:
    clock = FakeClock()
    sim = Simulator(seed=1, clock=clock, rate_limit=(3, 60.0))
    with sim.client() as client:
        remaining = [client.get("/fields").headers["x-ratelimit-remaining"] for _ in range(3)]
        clock.advance(20.5)
        refused = client.get("/fields")
    assert remaining == ["2", "1", "0"]
    assert refused.status_code == 429
    assert refused.json() == {"message": "Too Many Attempts."}
    assert refused.headers["x-ratelimit-limit"] == "3"
    assert refused.headers["x-ratelimit-remaining"] == "0"
    assert refused.headers["retry-after"] == "40"


def test_retry_after_is_at_least_one_and_the_window_resets() -> None:
    clock = FakeClock()
    sim = Simulator(seed=1, clock=clock, rate_limit=(1, 2.0))
    with sim.client() as client:
        client.get("/fields")
        clock.advance(1.9)
        assert client.get("/fields").headers["retry-after"] == "1"
        clock.advance(0.1)
        assert client.get("/fields").status_code == 200


def test_a_refused_request_is_not_applied() -> None:
    sim = Simulator(seed=1, clock=FakeClock(), rate_limit=(1, 60.0))
    with sim.client() as client:
        client.get("/fields")
        assert client.post("/subscribers", json={"email": "x@example.com"}).status_code == 429
    assert "x@example.com" not in sim.state.by_email


def test_limits_are_per_token() -> None:
    sim = Simulator(seed=1, clock=FakeClock(), rate_limit=(1, 60.0))
    with sim.client() as client:
        assert client.get("/fields").status_code == 200
        assert client.get("/fields").status_code == 429
    sim.token = "second-token"
    with sim.client() as other:
        assert other.get("/fields").status_code == 200


def test_import_only_batches_have_their_own_limit() -> None:
    clock = FakeClock()
    sim = Simulator(seed=1, clock=clock, import_limit=(5, 60.0))
    with sim.client() as client:
        codes = [client.post("/batch", json=IMPORT_BATCH).status_code for _ in range(6)]
        refused = client.post("/batch", json=IMPORT_BATCH)
        mixed = client.post(
            "/batch",
            json={"requests": IMPORT_BATCH["requests"] + [{"method": "GET", "path": "api/fields"}]},
        )
        clock.advance(60)
        again = client.post("/batch", json=IMPORT_BATCH)
    assert codes == [200] * 5 + [429]
    assert refused.json() == {"message": "You're being rate limited on import creation."}
    assert int(refused.headers["retry-after"]) >= 1
    assert mixed.status_code == 200
    assert again.status_code == 200


def test_limits_can_be_disabled() -> None:
    sim = Simulator(seed=1, rate_limit=None, import_limit=None)
    with sim.client() as client:
        responses = [client.post("/batch", json=IMPORT_BATCH) for _ in range(10)]
    assert {r.status_code for r in responses} == {200}
    assert "x-ratelimit-limit" not in responses[0].headers


def test_unauthenticated_requests_do_not_spend_the_budget() -> None:
    sim = Simulator(seed=1, clock=FakeClock(), rate_limit=(1, 60.0))
    with httpx.Client(transport=sim.transport(), base_url="http://x/api") as anonymous:
        for _ in range(3):
            assert anonymous.get("/fields").status_code == 401
    with sim.client() as client:
        assert client.get("/fields").status_code == 200
