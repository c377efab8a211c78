"""Error shapes: 401, 404 per model and per route, 405."""

from __future__ import annotations

import httpx
import pytest

from simulators.mailerlite import Simulator


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": "Basic sim-token"},
        {"Authorization": "Bearer "},
    ],
)
def test_missing_or_wrong_token_is_401(sim: Simulator, headers: dict[str, str]) -> None:
    with httpx.Client(transport=sim.transport(), base_url="http://x/api") as client:
        response = client.get("/subscribers", headers=headers)
    assert (response.status_code, response.json()) == (401, {"message": "Unauthenticated."})


@pytest.mark.parametrize(
    ("path", "model"),
    [
        ("/groups/121212", "App\\Models\\Group\\Group"),
        ("/segments/121212", "App\\Models\\Segment"),
        ("/webhooks/121212", "App\\Models\\Webhook"),
    ],
)
def test_404_bodies_name_the_model_and_id(client: httpx.Client, path: str, model: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.json() == {"message": f"No query results for model [{model}] 121212"}


def test_field_404_names_the_model(client: httpx.Client) -> None:
    response = client.put("/fields/121212", json={"name": "x"})
    assert response.json() == {"message": "No query results for model [App\\Models\\Field] 121212"}


def test_unknown_route_is_404_with_the_path(client: httpx.Client) -> None:
    response = client.get("/campaigns/list")
    assert response.status_code == 404
    assert response.json() == {"message": "The route api/campaigns/list could not be found."}
    assert client.get("http://mailerlite.sim/other").json() == {
        "message": "The route other could not be found."
    }


def test_wrong_method_is_405(client: httpx.Client) -> None:
    response = client.patch("/subscribers")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert "PATCH method is not supported" in response.json()["message"]
