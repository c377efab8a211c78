"""`/integrated-accounts`: import (checked by the provider), list by tenant, read, remove."""

from __future__ import annotations

import httpx

from engine.accounts.model import Account, AccountStatus
from tests.server.conftest import SIMULATOR_TOKEN, RunningServer


def _import(
    server: RunningServer, url: str, key: str = SIMULATOR_TOKEN, **extra: object
) -> httpx.Response:
    body = {"provider": "mailerlite", "credentials": {"api_key": key}, "base_url": url, **extra}
    return server.client.post("/integrated-accounts", json=body)


def test_importing_checks_the_key_and_never_returns_it(
    server: RunningServer, mailerlite_url: str
) -> None:
    response = _import(server, mailerlite_url, tenant_id="cust-9", label="Main")
    assert response.status_code == 201
    body = response.json()
    assert body["tenant_id"] == "cust-9" and body["credentials"] == ["api_key"]
    assert SIMULATOR_TOKEN not in response.text
    stored = server.context.accounts.get(body["id"])
    assert stored.credentials["api_key"].reveal() == SIMULATOR_TOKEN


def test_a_refused_key_stores_nothing(server: RunningServer, mailerlite_url: str) -> None:
    response = _import(server, mailerlite_url, key="wrong-key")
    assert response.status_code == 401
    assert response.json()["remote"] is True
    assert server.context.accounts.list() == []
    assert "wrong-key" not in response.text


def test_a_missing_credential_names_the_field(server: RunningServer) -> None:
    response = server.client.post("/integrated-accounts", json={"provider": "mailerlite"})
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "credentials"


def test_listing_filters_by_tenant_provider_and_status(server: RunningServer) -> None:
    store = server.context.accounts
    a = store.add(Account.new("mailerlite", {"api_key": "k"}, tenant_id="t1"))
    store.add(Account.new("kit", {"api_key": "k"}, tenant_id="t1"))
    b = store.add(Account.new("mailerlite", {"api_key": "k"}, tenant_id="t2"))
    store.update_status(b.id, AccountStatus.NEEDS_REAUTH)

    def ids(**params: str) -> list[str]:
        response = server.client.get("/integrated-accounts", params=params)
        assert response.status_code == 200
        return [row["id"] for row in response.json()["result"]]

    assert ids(tenant_id="t1", provider="mailerlite") == [a.id]
    assert ids(status="needs_reauth") == [b.id]
    assert len(ids()) == 3
    refused = server.client.get("/integrated-accounts", params={"status": "sleepy"})
    assert refused.status_code == 422 and refused.json()["fields"][0]["field"] == "status"


def test_read_and_remove_an_account(server: RunningServer) -> None:
    account = server.context.accounts.add(Account.new("mailerlite", {"api_key": "secret-v"}))
    read = server.client.get(f"/integrated-accounts/{account.id}")
    assert read.status_code == 200 and "secret-v" not in read.text
    assert server.client.delete(f"/integrated-accounts/{account.id}").json() == {"id": account.id}
    assert server.client.get(f"/integrated-accounts/{account.id}").status_code == 404


def test_a_scoped_token_reads_its_account_but_cannot_list_or_remove(
    server: RunningServer,
) -> None:
    account = server.context.accounts.add(Account.new("mailerlite", {"api_key": "k"}))
    scoped = server.client.post(
        "/account-tokens", json={"integrated_account_id": account.id}
    ).json()["token"]
    with server.anonymous() as client:
        client.headers["Authorization"] = f"Bearer {scoped}"
        assert client.get(f"/integrated-accounts/{account.id}").status_code == 200
        assert client.get("/integrated-accounts").status_code == 403
        assert client.delete(f"/integrated-accounts/{account.id}").status_code == 403
