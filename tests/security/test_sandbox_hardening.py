"""The simulators behind `unimap sandbox` refuse hostile requests with 4xx, never 500: deep or
huge JSON, huge fields and numbers, huge ids and query values, and (over HTTP) requests whose
`Host` is not loopback — DNS rebinding."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulators.brevo import Simulator as Brevo
from simulators.core.guard import MAX_BODY_BYTES
from simulators.core.hosts import host_allowed
from simulators.kit import Simulator as Kit
from simulators.mailchimp import Simulator as Mailchimp
from simulators.mailerlite import Simulator as MailerLite
from simulators.mailerlite import serve_in_thread
from tests.budget import examples

SIMULATORS: dict[str, tuple[Any, str, str]] = {
    # name: (simulator class, a create path, a get-by-id path prefix)
    "mailerlite": (MailerLite, "/subscribers", "/subscribers/"),
    "mailchimp": (Mailchimp, "/lists", "/lists/"),
    "brevo": (Brevo, "/contacts", "/contacts/"),
    "kit": (Kit, "/subscribers", "/subscribers/"),
}


@pytest.fixture(params=sorted(SIMULATORS), scope="module")
def simulator(request: pytest.FixtureRequest) -> Iterator[tuple[httpx.Client, str, str]]:
    """Each simulator in process: a client, its create path and its by-id path prefix."""
    kind, create, by_id = SIMULATORS[request.param]
    with kind(seed=1).client() as client:
        yield client, create, by_id


HOSTILE_BODIES = {
    "deep array": b"[" * 100_000 + b"]" * 100_000,
    "deep object": b'{"a":' * 5_000 + b"1" + b"}" * 5_000,
    "just over the depth": b"[" * 65 + b"]" * 65,
    "a 70,000-character field": json.dumps({"email": "a@b.co", "name": "x" * 70_000}).encode(),
    "a 2,000-digit number": b'{"email": "a@b.co", "id": ' + b"9" * 2_000 + b"}",
    "a 2,000-digit text": json.dumps({"email": "a@b.co", "id": "9" * 2_000}).encode(),
}


@pytest.mark.parametrize("body", sorted(HOSTILE_BODIES))
def test_a_hostile_json_body_is_a_422(simulator: tuple[httpx.Client, str, str], body: str) -> None:
    client, create, _ = simulator
    answer = client.post(create, content=HOSTILE_BODIES[body])
    assert answer.status_code == 422
    assert answer.json()["message"].startswith("the JSON body ")


def test_a_body_over_the_limit_is_a_413(simulator: tuple[httpx.Client, str, str]) -> None:
    client, create, _ = simulator
    answer = client.post(create, content=b'{"name": "' + b"x" * MAX_BODY_BYTES + b'"}')
    assert answer.status_code == 413


@pytest.mark.parametrize("id_", ["9" * 5_000, "x" * 600, "\u00b2", "\u0663" * 3])
def test_a_hostile_id_is_not_a_server_error(
    simulator: tuple[httpx.Client, str, str], id_: str
) -> None:
    client, _, by_id = simulator
    assert client.get(by_id + id_).status_code in (400, 404)


def test_a_huge_query_value_is_a_414(simulator: tuple[httpx.Client, str, str]) -> None:
    client, create, _ = simulator
    assert client.get(create, params={"limit": "9" * 5_000}).status_code == 414


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=20,
)


@settings(
    max_examples=examples(quick=40, long=450),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(body=JSON, segment=st.text(min_size=1, max_size=40).map(lambda s: quote(s, safe="")))
def test_no_body_or_id_makes_a_simulator_fail(
    simulator: tuple[httpx.Client, str, str], body: Any, segment: str
) -> None:
    client, create, by_id = simulator
    assert client.post(create, content=json.dumps(body).encode()).status_code < 500
    patch = json.dumps({"fields": body}).encode()
    assert client.patch(by_id + segment, content=patch).status_code < 500
    assert client.get(by_id + segment).status_code < 500


# ----------------------------------------------------------------------- over HTTP


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    """The MailerLite simulator over loopback HTTP, answering `sandbox.test` too."""
    sim = MailerLite(seed=2, rate_limit=None)
    with serve_in_thread(sim, allowed_hosts=["sandbox.test"]) as base_url:
        yield base_url
    sim.close()


def _status(base_url: str, host: str | None = None) -> int:
    port = httpx.URL(base_url).port
    headers = {}
    if host is not None:
        headers["Host"] = host.replace("PORT", str(port))
    return httpx.get(base_url + "/subscribers", headers=headers, timeout=10).status_code


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1:PORT", "localhost:PORT", "LOCALHOST:PORT", "[::1]:PORT", "sandbox.test:PORT"],
)
def test_a_loopback_or_configured_host_is_answered(served: str, host: str) -> None:
    assert _status(served, host) == 401  # answered: the request simply has no token


@pytest.mark.parametrize(
    "host", ["evil.test:PORT", "evil.test", "127.0.0.1:1", "127.0.0.1.evil.test:PORT", ""]
)
def test_a_foreign_host_is_refused_against_dns_rebinding(served: str, host: str) -> None:
    assert _status(served, host) == 400


def test_a_streamed_body_over_the_limit_is_refused_without_reading_it_all(served: str) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(12):
            yield b"x" * (1024 * 1024)

    answer = httpx.post(served + "/subscribers", content=chunks(), timeout=30)
    assert answer.status_code == 413


@pytest.mark.parametrize(
    ("host", "server", "allowed"),
    [
        ("127.0.0.1:8765", ("127.0.0.1", 8765), True),
        ("[::1]:8765", ("::1", 8765), True),
        ("mailerlite.sim", ("mailerlite.sim", 80), True),
        ("mailerlite.sim:8765", ("127.0.0.1", 8765), False),
        ("localhost:9999", ("127.0.0.1", 8765), False),
        (None, ("127.0.0.1", 8765), False),
    ],
)
def test_host_rules(host: str | None, server: tuple[str, int], allowed: bool) -> None:
    assert host_allowed(host, server) is allowed
