"""Authentication: host API tokens, account-scoped tokens, and the unified 401/403 errors."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.accounts.model import Account, utc_now
from engine.accounts.scoped_tokens import sign_scoped_token
from engine.errors import UnauthorizedError
from engine.server.context import ServerContext
from tests.server.conftest import RunningServer


def _account(server: RunningServer, tenant: str = "t1") -> Account:
    return server.context.accounts.add(
        Account.new("mailerlite", {"api_key": "k"}, tenant_id=tenant)
    )


def test_healthz_answers_without_a_token(server: RunningServer) -> None:
    with server.anonymous() as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_a_request_without_a_bearer_token_gets_the_unified_401(server: RunningServer) -> None:
    with server.anonymous() as client:
        response = client.post("/account-tokens", json={"integrated_account_id": "acc_x"})
    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "unauthorized"
    assert body["status_code"] == 401
    assert body["remote"] is False
    assert "Bearer" in body["message"]


def test_a_revoked_token_is_refused(server: RunningServer) -> None:
    record_id = server.token.removeprefix("unimap_").partition(".")[0]
    server.context.tokens.revoke(record_id, utc_now())
    response = server.client.post("/account-tokens", json={"integrated_account_id": "acc_x"})
    assert response.status_code == 401
    assert response.json()["message"] == "the API token is invalid or revoked"


def test_a_token_revoked_in_the_server_process_is_refused_at_the_next_call(
    server: RunningServer,
) -> None:
    account = _account(server)
    assert server.client.get(f"/integrated-accounts/{account.id}").status_code == 200
    assert server.context.token_cache.cached(server.token) is not None  # the check is cached
    record_id = server.token.removeprefix("unimap_").partition(".")[0]
    server.context.tokens.revoke(record_id, utc_now())
    response = server.client.get(f"/integrated-accounts/{account.id}")
    assert (response.status_code, response.json()["error"]) == (401, "unauthorized")


def test_a_token_with_a_wrong_secret_is_refused(server: RunningServer) -> None:
    forged = server.token[:-4] + ("AAAA" if not server.token.endswith("AAAA") else "BBBB")
    with server.anonymous() as client:
        response = client.post(
            "/account-tokens",
            json={"integrated_account_id": "acc_x"},
            headers={"Authorization": f"Bearer {forged}"},
        )
    assert response.status_code == 401


def test_a_host_token_creates_an_account_scoped_token(server: RunningServer) -> None:
    account = _account(server)
    response = server.client.post(
        "/account-tokens", json={"integrated_account_id": account.id, "ttl_seconds": 60}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["integrated_account_id"] == account.id
    assert body["token"].startswith("unimap_s.")
    caller = server.context.caller_for(body["token"])
    assert caller.account_id == account.id
    assert not caller.is_host


def test_an_account_token_for_an_unknown_account_is_not_found(server: RunningServer) -> None:
    response = server.client.post("/account-tokens", json={"integrated_account_id": "acc_nope"})
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_a_too_long_ttl_names_the_field(server: RunningServer) -> None:
    account = _account(server)
    response = server.client.post(
        "/account-tokens", json={"integrated_account_id": account.id, "ttl_seconds": 10**6}
    )
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "ttl_seconds"


def test_a_scoped_token_cannot_mint_more_tokens(server: RunningServer) -> None:
    account = _account(server)
    scoped = server.client.post(
        "/account-tokens", json={"integrated_account_id": account.id}
    ).json()["token"]
    with server.anonymous() as client:
        response = client.post(
            "/account-tokens",
            json={"integrated_account_id": account.id},
            headers={"Authorization": f"Bearer {scoped}"},
        )
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"


def test_an_expired_scoped_token_is_refused(server_context: ServerContext) -> None:
    token = sign_scoped_token(server_context.scoped_key, "acc_1", utc_now() + timedelta(seconds=5))
    assert server_context.caller_for(token).account_id == "acc_1"
    with pytest.raises(UnauthorizedError, match="expired"):
        server_context.caller_for(token, now=utc_now() + timedelta(seconds=10))


def test_a_scoped_token_signed_with_another_key_is_refused(server_context: ServerContext) -> None:
    token = sign_scoped_token(b"x" * 32, "acc_1", utc_now() + timedelta(seconds=60))
    with pytest.raises(UnauthorizedError):
        server_context.caller_for(token)


def test_a_scoped_token_reaches_only_its_own_account(server_context: ServerContext) -> None:
    token = sign_scoped_token(server_context.scoped_key, "acc_1", utc_now() + timedelta(60))
    caller = server_context.caller_for(token)
    caller.require_account("acc_1")
    with pytest.raises(Exception, match="another integrated account"):
        caller.require_account("acc_2")
