"""`/openapi.json` and `/docs`: generated from the contract and the providers' mappings."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import pytest

from engine.accounts.model import Account
from engine.forwarding import Forwarder, SqliteOutbox
from engine.server import forwarding, webhooks
from engine.server.context import ServerContext
from engine.server.endpoints import endpoints
from tests.server.conftest import RunningServer

SECRET = "whsec_" + base64.b64encode(b"openapi-test-forwarding-secret!!").decode()


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


@pytest.mark.parametrize("module", [webhooks, forwarding])
def test_every_webhook_and_forwarding_route_is_documented(
    module: Any, server_context: ServerContext, tmp_path: Path
) -> None:
    server_context.forwarder = Forwarder(SqliteOutbox(tmp_path / "unimap.db"), SECRET)
    documented = module.openapi_paths(server_context)
    served = {
        (route.path, method.lower())
        for route in module.routes(server_context)
        for method in route.methods - {"HEAD"}
    }
    assert served and served == {(path, verb) for path, ops in documented.items() for verb in ops}


def test_without_a_forwarder_no_webhook_route_is_documented(server: RunningServer) -> None:
    with server.anonymous() as client:
        paths = client.get("/openapi.json").json()["paths"]
    assert not [path for path in paths if "webhooks" in path or path.startswith("/forwarding")]


def test_webhook_routes_document_each_refusal_with_the_error_object(
    server_context: ServerContext, tmp_path: Path
) -> None:
    server_context.forwarder = Forwarder(SqliteOutbox(tmp_path / "unimap.db"), SECRET)
    delivery = webhooks.openapi_paths(server_context)[
        "/webhooks/{provider}/{integrated_account_id}"
    ]
    responses = delivery["post"]["responses"]
    assert {"200", "401", "404", "413", "422"} <= set(responses)
    error = {"$ref": "#/components/schemas/error"}
    assert responses["401"]["content"]["application/json"]["schema"] == error
    assert delivery["post"]["security"] == []
    requeue = forwarding.openapi_paths(server_context)["/forwarding/dead/{message_id}/requeue"]
    assert {"401", "403", "404"} <= set(requeue["post"]["responses"])
    assert "security" not in requeue["post"]  # the document's bearer scheme applies
