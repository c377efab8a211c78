"""Contract tests: for every recorded MailerLite response, the simulator's answer to the same
request has the same keys, nesting and value types (and the same status code)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from simulators.mailerlite import FakeClock, Simulator
from tests.simulator.conftest import load
from tests.simulator.shape import mismatches


def assert_shape(expected: Any, actual: Any, **options: Any) -> None:
    problems = mismatches(expected, actual, **options)
    assert not problems, "\n".join(problems)


def first_id(client: httpx.Client, path: str) -> str:
    return str(client.get(path, params={"limit": 1}).json()["data"][0]["id"])


@pytest.mark.parametrize("name", ["subscribers-list.recorded.json", "subscribers-list.docs.json"])
def test_subscribers_list_matches_recording(
    recordings: Path, client: httpx.Client, name: str
) -> None:
    first = client.get("/subscribers", params={"filter[status]": "active", "limit": 5})
    second = client.get("/subscribers", params={"cursor": first.json()["meta"]["next_cursor"]})
    assert first.status_code == second.status_code == 200
    for response in (first, second):
        assert_shape(load(recordings, name), response.json())


@pytest.mark.parametrize("name", ["subscriber-get.recorded.json", "subscriber-get.docs.json"])
def test_subscriber_get_matches_recording(
    recordings: Path, client: httpx.Client, name: str
) -> None:
    response = client.get(f"/subscribers/{first_id(client, '/subscribers')}")
    assert response.status_code == 200
    assert_shape(load(recordings, name), response.json())


def test_subscriber_create_201_matches_recording(recordings: Path, client: httpx.Client) -> None:
    body = {
        "email": "test5@email.com",
        "fields": {"name": "John", "last_name": "Doe"},
        "ip_address": "1.1.1.1",
    }
    response = client.post("/subscribers", json=body)
    assert response.status_code == 201
    assert_shape(load(recordings, "subscriber-create-201.recorded.json"), response.json())


def test_subscriber_forget_matches_recording(recordings: Path, client: httpx.Client) -> None:
    response = client.post(f"/subscribers/{first_id(client, '/subscribers')}/forget")
    assert response.status_code == 200
    recorded = load(recordings, "subscriber-forget.recorded.json")
    assert_shape(recorded, response.json())
    assert list(response.json()) == list(recorded)
    assert list(response.json()["data"]) == list(recorded["data"])


@pytest.mark.parametrize(
    ("name", "path", "params", "optional"),
    [
        ("groups-list.recorded.json", "/groups", {"limit": 10, "page": 1}, ()),
        ("groups-list.docs.json", "/groups", {"limit": 10, "page": 1}, ()),
        ("segments-list.recorded.json", "/segments", {"limit": 10, "page": 1}, ()),
        (
            "segments-list.docs.json",
            "/segments",
            {"limit": 10, "page": 1},
            ("automations_using_segment_count",),
        ),
        ("fields-list.recorded.json", "/fields", {"limit": 10, "page": 1, "sort": "name"}, ()),
        (
            "fields-list.docs.json",
            "/fields",
            {"limit": 10, "page": 1, "sort": "name"},
            ("is_default", "used_in_automations"),
        ),
    ],
)
def test_page_lists_match_recordings(
    recordings: Path,
    client: httpx.Client,
    name: str,
    path: str,
    params: dict[str, Any],
    optional: tuple[str, ...],
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == 200
    assert_shape(load(recordings, name), response.json(), optional=frozenset(optional))


def test_segment_subscribers_matches_current_recording(
    recordings: Path, client: httpx.Client
) -> None:
    segment_id = client.get("/segments").json()["data"][1]["id"]
    response = client.get(f"/segments/{segment_id}/subscribers")
    assert response.status_code == 200
    body = response.json()
    assert body["data"], "the seeded segment should have active members"
    assert_shape(load(recordings, "segment-subscribers.recorded.json"), body)
    assert body["meta"]["per_page"] == 50


def test_webhooks_list_matches_recording(recordings: Path, client: httpx.Client) -> None:
    for name in ("test_webhook", "other"):
        created = client.post(
            "/webhooks",
            json={"name": name, "url": "http://foobar.hook", "events": ["subscriber.created"]},
        )
        assert created.status_code == 201
    response = client.get("/webhooks")
    assert response.status_code == 200
    assert_shape(load(recordings, "webhooks-list.recorded.json"), response.json())
    assert response.json()["meta"]["per_page"] == 50


def test_batch_recorded_response_is_reproduced_exactly(
    recordings: Path, client: httpx.Client
) -> None:
    response = client.post(
        "/batch",
        json={
            "requests": [
                {"method": "GET", "path": "api/subscribers/list"},
                {"method": "GET", "path": "api/campaigns/list"},
            ]
        },
    )
    assert response.status_code == 200
    assert response.json() == load(recordings, "batch-response.recorded.json")


def test_batch_docs_response_shape(recordings: Path, client: httpx.Client) -> None:
    response = client.post("/batch", json={"requests": [{"method": "GET", "path": "api/fields"}]})
    assert response.status_code == 200
    assert_shape(load(recordings, "batch-response.docs.json"), response.json(), allow_extra=True)


def test_batch_with_422_shape(recordings: Path, client: httpx.Client) -> None:
    request = {"method": "POST", "path": "api/fields", "body": {"name": "Name", "type": "text"}}
    response = client.post(
        "/batch",
        json={"requests": [request, request, {"method": "GET", "path": "/api/forms/popup"}]},
    )
    assert response.status_code == 200
    recorded = load(recordings, "batch-with-422.recorded.json")
    body = response.json()
    assert [r["code"] for r in body["responses"]][:2] == [422, 422]
    assert body["responses"][:2] == recorded["responses"][:2]
    assert {k: body[k] for k in ("total", "failed")} == {"total": 3, "failed": 3}
    # The simulator has no forms; the third answer is a route 404 but keeps the item shape.
    assert set(body["responses"][2]) == set(recorded["responses"][2])


@pytest.mark.parametrize("name", ["error-401.recorded.json", "error-401.docs.json"])
def test_401_matches_recording(recordings: Path, sim: Simulator, name: str) -> None:
    with httpx.Client(transport=sim.transport(), base_url="http://x/api") as anonymous:
        response = anonymous.get("/subscribers")
    assert response.status_code == 401
    assert response.json() == load(recordings, name)
    assert "x-ratelimit-limit" not in response.headers


def test_404_matches_recording(recordings: Path, client: httpx.Client) -> None:
    response = client.delete("/subscribers/123123")
    assert response.status_code == 404
    assert response.json() == load(recordings, "error-404.recorded.json")


def test_422_matches_docs(recordings: Path, client: httpx.Client) -> None:
    response = client.post("/subscribers", json={"email": "not-an-email"})
    assert response.status_code == 422
    assert response.json() == load(recordings, "error-422.docs.json")


def test_429_matches_docs(recordings: Path) -> None:
    sim = Simulator(seed=1, clock=FakeClock(), rate_limit=(2, 60.0))
    with sim.client() as client:
        codes = [client.get("/fields").status_code for _ in range(3)]
        response = client.get("/fields")
    assert codes == [200, 200, 429]
    assert response.json() == load(recordings, "error-429.docs.json")


@pytest.mark.parametrize(
    ("name", "action"),
    [
        ("webhook-subscriber-created.thirdparty.json", "create"),
        ("webhook-subscriber-unsubscribed.thirdparty.json", "unsubscribe"),
        ("webhook-subscriber-added-to-group.thirdparty.json", "assign"),
    ],
)
def test_webhook_payloads_match_thirdparty_captures(
    recordings: Path, name: str, action: str
) -> None:
    captured: list[httpx.Request] = []

    def capture(request: httpx.Request) -> httpx.Response:
        captured.append(request)
        return httpx.Response(200)

    sim = Simulator(seed=3, clock=FakeClock(), webhook_transport=httpx.MockTransport(capture))
    sim.seed_data(subscribers=5, groups=1, segments=0)
    recorded = load(recordings, name)
    event = recorded.get("event") or recorded["type"]
    with sim.client() as client:
        client.post("/webhooks", json={"url": "http://receiver.test/h", "events": [event]})
        sid = client.post(
            "/subscribers", json={"email": "hook@example.com", "fields": {"name": "Hook"}}
        ).json()["data"]["id"]
        if action == "unsubscribe":
            client.put(f"/subscribers/{sid}", json={"status": "unsubscribed"})
        elif action == "assign":
            gid = client.get("/groups").json()["data"][0]["id"]
            client.post(f"/subscribers/{sid}/groups/{gid}")
    assert sim.webhooks.flush(5)
    sim.close()
    assert len(captured) == 1
    assert_shape(recorded, json.loads(captured[0].read()))
