"""The unified API over HTTP, as a host app calls it: envelopes, cursors, writes, errors."""

from __future__ import annotations

from engine.accounts.model import Account, AccountStatus
from engine.unified.schemas import (
    envelope_validator,
    record_validator,
    schema_by_name,
    validator_for,
)
from tests.server.conftest import RunningServer

BASE = "/unified/marketing-automation"


def _params(account: Account, **extra: object) -> dict[str, object]:
    return {"integrated_account_id": account.id, **extra}


def test_list_returns_the_unified_envelope_and_its_cursor_continues(
    server: RunningServer, account: Account
) -> None:
    first = server.client.get(f"{BASE}/contacts", params=_params(account, limit=2))
    assert first.status_code == 200
    page = first.json()
    envelope_validator("contacts").validate(page)
    assert page["result_count"] == 2 and page["next_cursor"]
    second = server.client.get(
        f"{BASE}/contacts", params=_params(account, next_cursor=page["next_cursor"])
    )
    emails = {c["email"] for c in page["result"]} | {c["email"] for c in second.json()["result"]}
    assert len(emails) == 4


def test_the_account_may_be_named_by_header(server: RunningServer, account: Account) -> None:
    response = server.client.get(
        f"{BASE}/lists", headers={"X-Integrated-Account-Id": account.id}
    )
    assert response.status_code == 200
    assert response.json()["result_count"] == 2


def test_filters_are_query_parameters(server: RunningServer, account: Account) -> None:
    everyone = server.client.get(f"{BASE}/contacts", params=_params(account)).json()["result"]
    email = everyone[0]["email"]
    found = server.client.get(f"{BASE}/contacts", params=_params(account, email=email)).json()
    assert [c["email"] for c in found["result"]] == [email]


def test_create_get_update_delete_a_contact(server: RunningServer, account: Account) -> None:
    created = server.client.post(
        f"{BASE}/contacts", params=_params(account), json={"email": "ada@example.com"}
    )
    assert created.status_code == 201
    record = created.json()
    record_validator("contacts").validate(record)
    url = f"{BASE}/contacts/{record['id']}"
    assert server.client.get(url, params=_params(account)).json()["email"] == "ada@example.com"
    updated = server.client.patch(url, params=_params(account), json={"first_name": "Ada"})
    assert updated.status_code == 200 and updated.json()["first_name"] == "Ada"
    deleted = server.client.delete(url, params=_params(account))
    assert deleted.status_code == 200 and deleted.json() == {"id": record["id"]}
    gone = server.client.get(url, params=_params(account))
    assert gone.status_code == 404 and gone.json()["error"] == "not_found"


def test_upsert_answers_201_when_created_and_200_when_updated(
    server: RunningServer, account: Account
) -> None:
    params = _params(account, upsert="true")
    body = {"email": "grace@example.com", "first_name": "Grace"}
    first = server.client.post(f"{BASE}/contacts", params=params, json=body)
    again = server.client.post(f"{BASE}/contacts", params=params, json=body)
    assert (first.status_code, first.json()["created"]) == (201, True)
    assert (again.status_code, again.json()["created"]) == (200, False)


def test_bulk_upsert_answers_one_result_per_contact(
    server: RunningServer, account: Account
) -> None:
    contacts = [{"email": "a@example.com"}, {"email": "not-an-email"}]
    response = server.client.post(
        f"{BASE}/contacts/bulk", params=_params(account), json={"contacts": contacts}
    )
    assert response.status_code == 200
    results = response.json()["result"]
    assert [r["success"] for r in results] == [True, False]
    assert results[1]["error"]["error"] == "validation_error"


def test_list_membership_adds_contacts(server: RunningServer, account: Account) -> None:
    lists = server.client.get(f"{BASE}/lists", params=_params(account)).json()["result"]
    contact = server.client.post(
        f"{BASE}/contacts", params=_params(account), json={"email": "m@example.com"}
    ).json()
    added = server.client.post(
        f"{BASE}/lists/{lists[0]['id']}/add_contacts",
        params=_params(account),
        json={"contact_ids": [contact["id"]]},
    )
    assert added.status_code == 200
    assert [r["success"] for r in added.json()["result"]] == [True]
    members = server.client.get(
        f"{BASE}/contacts", params=_params(account, list_id=lists[0]["id"])
    ).json()["result"]
    assert contact["id"] in {m["id"] for m in members}


def test_an_invalid_body_is_refused_before_anything_is_sent(
    server: RunningServer, account: Account
) -> None:
    response = server.client.post(
        f"{BASE}/contacts", params=_params(account), json={"email": "x@example.com", "bogus": 1}
    )
    assert response.status_code == 422
    body = response.json()
    validator_for(schema_by_name("error.json")).validate(body)
    assert body["remote"] is False
    assert "bogus" in {problem["field"] for problem in body["fields"]}


def test_a_missing_account_id_names_the_parameter(server: RunningServer) -> None:
    response = server.client.get(f"{BASE}/contacts")
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "integrated_account_id"


def test_an_unknown_account_is_not_found(server: RunningServer) -> None:
    response = server.client.get(f"{BASE}/contacts", params={"integrated_account_id": "acc_no"})
    assert response.status_code == 404


def test_a_disabled_account_is_forbidden(server: RunningServer, account: Account) -> None:
    server.context.accounts.update_status(account.id, AccountStatus.DISABLED)
    response = server.client.get(f"{BASE}/contacts", params=_params(account))
    assert response.status_code == 403 and response.json()["error"] == "forbidden"


def test_a_scoped_token_reads_its_own_account_only(
    server: RunningServer, account: Account
) -> None:
    other = server.context.accounts.add(Account.new("mailerlite", {"api_key": "k"}))
    scoped = server.client.post(
        "/account-tokens", json={"integrated_account_id": account.id}
    ).json()["token"]
    with server.anonymous() as client:
        client.headers["Authorization"] = f"Bearer {scoped}"
        mine = client.get(f"{BASE}/lists", params=_params(account))
        theirs = client.get(f"{BASE}/lists", params=_params(other))
    assert mine.status_code == 200
    assert theirs.status_code == 403


def test_a_refused_provider_key_is_a_remote_401_and_marks_needs_reauth(
    server: RunningServer, account: Account
) -> None:
    server.context.accounts.set_credentials(account.id, {"api_key": "wrong"})
    response = server.client.get(f"{BASE}/contacts", params=_params(account))
    assert response.status_code == 401
    assert response.json()["remote"] is True
    assert server.context.accounts.get(account.id).status is AccountStatus.NEEDS_REAUTH


def test_a_method_the_route_lacks_is_405(server: RunningServer, account: Account) -> None:
    response = server.client.post(f"{BASE}/segments", params=_params(account), json={})
    assert response.status_code == 405
