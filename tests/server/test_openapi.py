"""`/openapi.json` and `/docs`: generated from the contract and the providers' mappings."""

from __future__ import annotations

import re

from engine.accounts.model import Account
from engine.server.endpoints import endpoints
from tests.server.conftest import RunningServer


def test_the_document_has_every_unified_endpoint(server: RunningServer) -> None:
    with server.anonymous() as client:
        doc = client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    for endpoint in endpoints():
        assert endpoint.verb.lower() in doc["paths"][endpoint.path]


def test_every_reference_resolves_to_a_component(server: RunningServer) -> None:
    with server.anonymous() as client:
        text = client.get("/openapi.json").text
        doc = client.get("/openapi.json").json()
    refs = set(re.findall(r"#/components/schemas/([A-Za-z0-9_.-]+)", text))
    assert refs and refs <= set(doc["components"]["schemas"])


def test_operations_say_which_providers_support_them(server: RunningServer) -> None:
    with server.anonymous() as client:
        doc = client.get("/openapi.json").json()
    upsert = doc["paths"]["/unified/marketing-automation/contacts/bulk"]["post"]
    assert "- mailerlite: supported" in upsert["description"]
    segments = doc["paths"]["/unified/marketing-automation/segments"]
    assert set(segments) == {"get"}


def test_list_results_are_typed_by_the_record_schema(server: RunningServer) -> None:
    with server.anonymous() as client:
        doc = client.get("/openapi.json").json()
    envelope = doc["components"]["schemas"]["contacts_envelope"]
    assert envelope["properties"]["result"]["items"] == {"$ref": "#/components/schemas/contact"}


def test_the_reference_page_renders_every_route(server: RunningServer) -> None:
    with server.anonymous() as client:
        page = client.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for endpoint in endpoints():
        assert f"{endpoint.verb} {endpoint.path}" in page.text
    assert "<script" not in page.text


def test_an_upsert_answer_is_documented_with_created(
    server: RunningServer, account: Account
) -> None:
    with server.anonymous() as client:
        doc = client.get("/openapi.json").json()
    answered = server.client.post(
        "/unified/marketing-automation/contacts",
        params={"integrated_account_id": account.id, "upsert": "true"},
        json={"email": "doc@example.com"},
    ).json()
    upserted = doc["components"]["schemas"]["contact_upserted"]
    assert set(answered) == set(upserted["properties"])
    assert "created" in upserted["required"]
