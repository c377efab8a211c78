"""`POST /batch`: ordering, per-request codes, limits, validation."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from simulators.mailerlite import FakeClock, Simulator


def test_sub_requests_run_in_order_through_the_same_handlers(client: httpx.Client) -> None:
    body = client.post(
        "/batch",
        json={
            "requests": [
                {"method": "POST", "path": "api/subscribers", "body": {"email": "b1@example.com"}},
                {"method": "POST", "path": "api/subscribers", "body": {"email": "b1@example.com"}},
                {"method": "GET", "path": "api/subscribers/b1@example.com"},
                {"method": "POST", "path": "api/subscribers", "body": {"email": "bad"}},
                {"method": "DELETE", "path": "/api/subscribers/b1@example.com"},
            ]
        },
    ).json()
    assert [r["code"] for r in body["responses"]] == [201, 200, 200, 422, 204]
    assert (body["total"], body["successful"], body["failed"]) == (5, 4, 1)
    assert body["responses"][3]["body"]["errors"]["email"]


def test_get_sub_request_body_becomes_query(client: httpx.Client) -> None:
    body = client.post(
        "/batch",
        json={
            "requests": [
                {
                    "method": "GET",
                    "path": "api/subscribers",
                    "body": {"limit": 2, "filter": {"status": "junk"}},
                }
            ]
        },
    ).json()
    rows = body["responses"][0]["body"]["data"]
    assert len(rows) == 2 and {r["status"] for r in rows} == {"junk"}


def test_more_than_fifty_requests_is_422(client: httpx.Client) -> None:
    requests = [{"method": "GET", "path": "api/fields"}] * 51
    response = client.post("/batch", json={"requests": requests})
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "requests": ["The requests may not have more than 50 items."]
    }
    assert client.post("/batch", json={"requests": requests[:50]}).json()["successful"] == 50


@pytest.mark.parametrize(
    ("item", "key"),
    [
        ({"path": "api/fields"}, "requests.0.method"),
        ({"method": "FETCH", "path": "api/fields"}, "requests.0.method"),
        ({"method": "GET"}, "requests.0.path"),
        ({"method": "GET", "path": "fields"}, "requests.0.path"),
        ({"method": "POST", "path": "api/fields", "body": [1]}, "requests.0.body"),
    ],
)
def test_invalid_items_are_422_keyed_by_position(
    client: httpx.Client, item: dict[str, Any], key: str
) -> None:
    response = client.post("/batch", json={"requests": [item]})
    assert response.status_code == 422 and key in response.json()["errors"]


def test_missing_requests_is_422(client: httpx.Client) -> None:
    assert client.post("/batch", json={}).json()["errors"] == {
        "requests": ["The requests field is required."]
    }


def test_webhooks_are_not_available_inside_a_batch(client: httpx.Client) -> None:
    body = client.post("/batch", json={"requests": [{"method": "GET", "path": "api/webhooks"}]})
    assert body.json()["responses"][0] == {
        "code": 404,
        "body": {"message": "The route api/webhooks could not be found."},
    }


def test_a_batch_costs_one_request_of_the_rate_limit() -> None:
    sim = Simulator(seed=1, clock=FakeClock(), rate_limit=(10, 60.0))
    with sim.client() as client:
        client.get("/fields")
        response = client.post(
            "/batch", json={"requests": [{"method": "GET", "path": "api/fields"}] * 5}
        )
    assert response.headers["x-ratelimit-remaining"] == "8"
