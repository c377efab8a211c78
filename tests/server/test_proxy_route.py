"""`/proxy/{path}`: the provider's API 1-to-1 through the server, with the proxy's guards."""

from __future__ import annotations

import pytest

from engine.accounts.model import Account
from tests.server.conftest import RunningServer


def _params(account: Account, **extra: object) -> dict[str, object]:
    return {"integrated_account_id": account.id, **extra}


def test_a_get_passes_the_providers_status_and_body_through(
    server: RunningServer, account: Account
) -> None:
    response = server.client.get("/proxy/subscribers", params=_params(account, limit=2))
    assert response.status_code == 200
    assert len(response.json()["data"]) == 2


def test_a_post_creates_at_the_provider(server: RunningServer, account: Account) -> None:
    response = server.client.post(
        "/proxy/groups", params=_params(account), json={"name": "From the proxy"}
    )
    assert response.status_code == 201
    assert response.json()["data"]["name"] == "From the proxy"


def test_paginate_wraps_a_list_in_the_unified_envelope(
    server: RunningServer, account: Account
) -> None:
    first = server.client.get(
        "/proxy/subscribers",
        params=_params(account, limit=3),
        headers={"X-Unimap-Paginate": "true"},
    ).json()
    assert first["result_count"] == 3 and first["next_cursor"]
    second = server.client.get(
        "/proxy/subscribers",
        params=_params(account, next_cursor=first["next_cursor"]),
        headers={"X-Unimap-Paginate": "true"},
    ).json()
    assert {r["id"] for r in first["result"]}.isdisjoint(r["id"] for r in second["result"])


@pytest.mark.parametrize(
    "path", ["/proxy/%2e%2e/admin", "/proxy/a/%252e%252e/b", "/proxy/x%0d%0aHost:%20evil"]
)
def test_escaping_paths_are_refused_as_sent(
    server: RunningServer, account: Account, path: str
) -> None:
    response = server.client.get(server.url + path, params=_params(account))
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "path"


def test_a_provider_error_is_the_unified_error_with_the_providers_body(
    server: RunningServer, account: Account
) -> None:
    response = server.client.get("/proxy/subscribers/999999999", params=_params(account))
    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "not_found" and body["remote"] is True
    assert body["remote_status"] == 404 and body["raw_response"] is not None


def test_a_body_that_is_not_json_is_refused(server: RunningServer, account: Account) -> None:
    response = server.client.post(
        "/proxy/groups", params=_params(account), content=b"name=x"
    )
    assert response.status_code == 422
