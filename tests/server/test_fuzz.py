"""Schemathesis fuzzes the server from its own OpenAPI document: no 500s, and every response
matches the document (status, content type, body schema; an operation that lists its refusals
answers no other 4xx). Bounded: a few examples per operation, against a real server on
127.0.0.1 with a linked account on a simulator and a webhook forwarder whose host app is an
in-process stand-in (nothing leaves the machine)."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from engine.accounts.model import Account
from engine.accounts.store import MemoryAccountStore
from engine.accounts.tokens import MemoryTokenStore, create_token
from engine.api import Engine
from engine.forwarding import Forwarder, ForwardingSettings, SqliteOutbox
from engine.server.app import create_app
from engine.server.context import ServerContext, ServerSettings
from simulators.core.server import serve_app_in_thread
from simulators.mailerlite import Simulator, serve_in_thread
from tests.server.conftest import SIMULATOR_TOKEN


class Fuzzed:
    """The server under fuzzing: URL, the host token and the linked account."""

    def __init__(self, url: str, token: str, account_id: str) -> None:
        self.url, self.token, self.account_id = url, token, account_id


def _host_app(request: httpx.Request) -> httpx.Response:
    return httpx.Response(204)


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    sim = Simulator(seed=11, token=SIMULATOR_TOKEN, rate_limit=None).seed_data(subscribers=5)
    outbox = SqliteOutbox(tmp_path_factory.mktemp("fuzz") / "unimap.db")
    forwarder = Forwarder(
        outbox,
        FORWARD_SECRET,
        ForwardingSettings(default_url="https://host.example/hooks"),
        transport=httpx.MockTransport(_host_app),
    )
    with serve_in_thread(sim) as provider_url:
        context = ServerContext(
            engine=Engine.load(cursor_key=secrets.token_bytes(32)),
            accounts=MemoryAccountStore(),
            tokens=MemoryTokenStore(),
            scoped_key=secrets.token_bytes(32),
            settings=ServerSettings(allowed_hosts=ALLOWED_HOSTS),
            forwarder=forwarder,
        )
        account = context.accounts.add(
            Account.new("mailerlite", {"api_key": SIMULATOR_TOKEN}, base_url=provider_url)
        )
        _, token = create_token(context.tokens, "fuzz")
        with serve_app_in_thread(create_app(context), lifespan="on") as url:
            # Webhooks subscribed while fuzzing are delivered to this server itself; one is
            # subscribed first, so deliveries reach the signature check and listings a webhook.
            context.settings = ServerSettings(public_url=url, allowed_hosts=ALLOWED_HOSTS)
            subscribed = httpx.post(
                f"{url}/integrated-accounts/{account.id}/webhooks",
                json={"events": ["contact.unsubscribed", "contact.updated"]},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert subscribed.status_code == 201, subscribed.text
            yield Fuzzed(url, token, account.id)
    sim.close()
    outbox.close()


#: The server answers to its loopback address only, as `unimap serve` does by default.
ALLOWED_HOSTS = ("127.0.0.1",)
FORWARD_SECRET = "whsec_" + base64.b64encode(b"fuzzing-forwarding-secret-32byte").decode()
#: Path parameters naming the linked account: fuzzed with the real one, to reach past the
#: lookup (an unknown account is covered by the route tests).
ACCOUNT_PATH_PARAMETERS = ("integrated_account_id", "account_id")


def refusals_are_documented(ctx: Any, response: Any, case: Any) -> None:
    """An operation that lists the statuses it refuses with answers no other 4xx."""
    documented = case.operation.responses.status_codes
    listed = [code for code in documented if code.startswith("4")]
    status = response.status_code
    if listed and 400 <= status < 500 and str(status) not in listed:
        raise AssertionError(f"{case.operation.label} answered {status}; documented: {listed}")


#: What "matching the document" means here: never a 5xx, and status code, content type,
#: headers and body schema as documented. Whether a provider accepts a schema-valid value
#: (an email its own rules refuse) is the provider's business, not checked here.
CHECKS = [
    refusals_are_documented,
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
        max_examples=3,
        deadline=None,
        derandomize=True,  # the same cases every run: a failure reproduces
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        if takes_account:  # the linked account, so calls reach the provider
            case.query = {**(case.query or {}), "integrated_account_id": fuzzed.account_id}
        for name in ACCOUNT_PATH_PARAMETERS:
            if name in (case.path_parameters or {}):
                case.path_parameters[name] = fuzzed.account_id
        response = case.call_and_validate(
            base_url=fuzzed.url, headers=headers, timeout=10, checks=CHECKS
        )
        if response.status_code < 300:
            succeeded.add(operation.label)

    check()


@pytest.fixture(scope="module")
def operations(fuzzed: Fuzzed) -> list[Any]:
    """Every operation of the server's document."""
    return _operations(fuzzed.url)


#: The operations are fuzzed in this many parts (every `PARTS`-th one), so the parts can run
#: side by side on the xdist workers.
PARTS = 4
#: Operations whose fuzzing must reach the provider (a 2xx), not only the refusals.
REACHING = {
    *(f"GET /unified/marketing-automation/{r}" for r in ("contacts", "lists", "segments")),
    "GET /healthz",
    "POST /unified/marketing-automation/contacts",
    "GET /integrated-accounts/{account_id}/webhooks",
    "GET /forwarding/outbox",
}


@pytest.mark.parametrize("part", range(PARTS))
def test_no_route_fails_or_answers_outside_its_document(
    fuzzed: Fuzzed, operations: list[Any], part: int
) -> None:
    assert len(operations) > 20
    assert {operation.label for operation in operations} >= REACHING
    mine = operations[part::PARTS]
    succeeded: set[str] = set()
    for operation in mine:
        _fuzz(operation, fuzzed, succeeded)
    assert REACHING & {operation.label for operation in mine} <= succeeded
