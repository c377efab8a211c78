"""`POST /link-tokens`: a host app asks for a link page for one customer and provider."""

from __future__ import annotations

from datetime import datetime, timedelta

import jsonschema
import pytest

from engine.accounts.link_tokens import hash_link_token
from engine.accounts.model import Account, utc_now
from tests.link_page.conftest import GOOD_KEY, LinkServer


def test_a_link_token_names_its_page_expiry_and_target(link_server: LinkServer) -> None:
    before = utc_now()
    answer = link_server.link_token(provider="mailerlite", redirect_uri="https://app.example/cb")
    token = answer["token"]
    assert answer["url"] == f"{link_server.url}/link/{token}"
    expires = datetime.fromisoformat(answer["expires_at"])
    assert before + timedelta(minutes=29) < expires <= utc_now() + timedelta(minutes=30)
    assert {k: answer[k] for k in ("tenant_id", "provider", "integrated_account_id")} == {
        "tenant_id": "t-1",
        "provider": "mailerlite",
        "integrated_account_id": None,
    }
    stored = link_server.context.link_tokens.get(hash_link_token(token))
    assert stored is not None and stored.redirect_uri == "https://app.example/cb"


def test_the_lifetime_can_be_chosen(link_server: LinkServer) -> None:
    answer = link_server.link_token(provider="mailerlite", ttl_seconds=120)
    expires = datetime.fromisoformat(answer["expires_at"])
    assert expires <= utc_now() + timedelta(seconds=120)


def test_a_host_app_token_is_required(link_server: LinkServer) -> None:
    body = {"tenant_id": "t-1", "provider": "mailerlite"}
    assert link_server.browser.post("/link-tokens", json=body).status_code == 401


def test_an_account_scoped_token_may_not_create_link_tokens(link_server: LinkServer) -> None:
    account = link_server.context.accounts.add(
        Account.new("mailerlite", {"api_key": GOOD_KEY}, tenant_id="t-1")
    )
    scoped = link_server.host.post(
        "/account-tokens", json={"integrated_account_id": account.id}
    ).json()["token"]
    answer = link_server.browser.post(
        "/link-tokens",
        json={"tenant_id": "t-1", "provider": "mailerlite"},
        headers={"Authorization": f"Bearer {scoped}"},
    )
    assert answer.status_code == 403


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"tenant_id": "t-1"}, "provider", "required"),
        ({"provider": "mailerlite"}, "tenant_id", "required"),
        ({"tenant_id": "t-1", "provider": "mailerlitee"}, "provider", "did you mean 'mailerlite'"),
        (
            {"tenant_id": "t-1", "provider": "kit", "redirect_uri": "javascript:alert(1)"},
            "redirect_uri",
            "must be an http or https URL",
        ),
        ({"tenant_id": "t-1", "provider": "kit", "ttl_seconds": 0}, "ttl_seconds", "above 0"),
        ({"tenant_id": 5, "provider": "kit"}, "tenant_id", "non-empty string"),
    ],
)
def test_a_bad_request_is_a_validation_error_naming_the_field(
    link_server: LinkServer, body: dict[str, object], field: str, message: str
) -> None:
    answer = link_server.host.post("/link-tokens", json=body)
    assert answer.status_code == 422
    error = answer.json()
    assert error["error"] == "validation_error"
    [problem] = error["fields"]
    assert problem["field"] == field and message in problem["message"]


def test_re_authorising_takes_tenant_and_provider_from_the_account(
    link_server: LinkServer,
) -> None:
    account = link_server.context.accounts.add(
        Account.new("mailerlite", {"api_key": "old"}, tenant_id="t-7")
    )
    answer = link_server.host.post("/link-tokens", json={"integrated_account_id": account.id})
    assert answer.status_code == 201
    body = answer.json()
    assert (body["tenant_id"], body["provider"], body["integrated_account_id"]) == (
        "t-7",
        "mailerlite",
        account.id,
    )


def test_re_authorising_refuses_another_tenant_and_an_unknown_account(
    link_server: LinkServer,
) -> None:
    account = link_server.context.accounts.add(
        Account.new("mailerlite", {"api_key": "old"}, tenant_id="t-7")
    )
    other = {"integrated_account_id": account.id, "tenant_id": "t-8"}
    assert link_server.host.post("/link-tokens", json=other).status_code == 422
    unknown = {"integrated_account_id": "acc_missing"}
    assert link_server.host.post("/link-tokens", json=unknown).status_code == 404


def test_webhook_events_need_a_server_that_receives_webhooks(link_server: LinkServer) -> None:
    assert link_server.context.forwarder is None
    body = {"tenant_id": "t-1", "provider": "mailerlite", "webhook_events": ["contact.bounced"]}
    answer = link_server.host.post("/link-tokens", json=body)
    assert answer.status_code == 422
    [problem] = answer.json()["fields"]
    assert problem == {
        "field": "webhook_events",
        "message": "this server does not receive webhooks",
    }


def test_the_openapi_document_describes_link_tokens_as_answered(link_server: LinkServer) -> None:
    document = link_server.browser.get("/openapi.json").json()
    operation = document["paths"]["/link-tokens"]["post"]
    asked = operation["requestBody"]["content"]["application/json"]["schema"]
    assert asked["properties"]["webhook_events"]["items"] == {"type": "string"}
    schema = operation["responses"]["201"]["content"]["application/json"]["schema"]
    answer = link_server.link_token(provider="mailerlite", redirect_uri="https://app.example/cb")
    jsonschema.validate(answer, schema)
    assert answer["webhook_events"] == []
