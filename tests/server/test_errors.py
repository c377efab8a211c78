"""Routing refusals and failures are answered with the unified error object."""

from __future__ import annotations

from engine.unified.schemas import schema_by_name, validator_for
from tests.server.conftest import RunningServer


def test_an_unknown_route_is_a_unified_not_found(server: RunningServer) -> None:
    response = server.client.get("/no/such/route")
    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "not_found"
    validator_for(schema_by_name("error.json")).validate(body)


def test_a_wrong_method_is_a_unified_405(server: RunningServer) -> None:
    response = server.client.delete("/healthz")
    assert response.status_code == 405
    assert response.json()["status_code"] == 405


def test_a_body_that_is_not_json_names_the_problem(server: RunningServer) -> None:
    response = server.client.post("/account-tokens", content=b"{not json")
    assert response.status_code == 422
    assert response.json()["message"].endswith("not valid JSON")
