"""Schemathesis fuzzes the server from its own OpenAPI document: no 500s, and every response
matches the document (status, content type, body schema). Bounded: a few examples per
operation, against a real server on 127.0.0.1 with a linked account on a simulator."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from engine.accounts.model import Account
from engine.accounts.store import MemoryAccountStore
from engine.accounts.tokens import MemoryTokenStore, create_token
from engine.api import Engine
from engine.server.app import create_app
from engine.server.context import ServerContext
from simulators.core.server import serve_app_in_thread
from simulators.mailerlite import Simulator, serve_in_thread
from tests.server.conftest import SIMULATOR_TOKEN


class Fuzzed:
    """The server under fuzzing: URL, the host token and the linked account."""

    def __init__(self, url: str, token: str, account_id: str) -> None:
        self.url, self.token, self.account_id = url, token, account_id


@pytest.fixture(scope="module")
def fuzzed() -> Iterator[Fuzzed]:
    sim = Simulator(seed=11, token=SIMULATOR_TOKEN, rate_limit=None).seed_data(subscribers=5)
    with serve_in_thread(sim) as provider_url:
        context = ServerContext(
            engine=Engine.load(cursor_key=secrets.token_bytes(32)),
            accounts=MemoryAccountStore(),
            tokens=MemoryTokenStore(),
            scoped_key=secrets.token_bytes(32),
        )
        account = context.accounts.add(
            Account.new("mailerlite", {"api_key": SIMULATOR_TOKEN}, base_url=provider_url)
        )
        _, token = create_token(context.tokens, "fuzz")
        with serve_app_in_thread(create_app(context), lifespan="on") as url:
            yield Fuzzed(url, token, account.id)
    sim.close()


#: What "matching the document" means here: never a 5xx, and status code, content type,
#: headers and body schema as documented. Whether a provider accepts a schema-valid value
#: (an email its own rules refuse) is the provider's business, not checked here.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


def _operations(url: str) -> list[Any]:
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    return [result.ok() for result in schema.get_all_operations()]


def _fuzz(operation: Any, fuzzed: Fuzzed, succeeded: set[str]) -> None:
    """Run a few generated requests of one operation through the checks."""
    headers = {"Authorization": f"Bearer {fuzzed.token}"}
    takes_account = any(p.name == "integrated_account_id" for p in operation.query)

    @given(case=operation.as_strategy())
    @settings(
        max_examples=4,
        deadline=None,
        derandomize=True,  # the same cases every run: a failure reproduces
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        if takes_account:  # the linked account, so calls reach the provider
            case.query = {**(case.query or {}), "integrated_account_id": fuzzed.account_id}
        response = case.call_and_validate(
            base_url=fuzzed.url, headers=headers, timeout=10, checks=CHECKS
        )
        if response.status_code < 300:
            succeeded.add(operation.label)

    check()


def test_no_route_fails_or_answers_outside_its_document(fuzzed: Fuzzed) -> None:
    operations = _operations(fuzzed.url)
    assert len(operations) > 20
    succeeded: set[str] = set()
    for operation in operations:
        _fuzz(operation, fuzzed, succeeded)
    # The fuzzing reached the provider, not only the refusals.
    lists = {f"GET /unified/marketing-automation/{r}" for r in ("contacts", "lists", "segments")}
    assert {*lists, "GET /healthz", "POST /unified/marketing-automation/contacts"} <= succeeded
