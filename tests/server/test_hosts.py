"""The `Host` header check (DNS-rebinding protection): a server with allowed hosts refuses any
other name with the unified error, before any route runs; `unimap serve` derives the default
from `--host` and `--public-url`."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
from collections.abc import Iterator

import httpx
import pytest
from starlette.types import Message, Receive, Scope, Send

from engine.accounts.tokens import create_token
from engine.cli import build_parser
from engine.server.app import create_app, settings_from_environment
from engine.server.context import ServerContext
from engine.server.hosts import HostCheck, default_allowed_hosts, host_name
from simulators.core.server import serve_app_in_thread


@pytest.fixture
def guarded(server_context: ServerContext) -> Iterator[tuple[str, str]]:
    """A server answering to 127.0.0.1 and localhost only: its URL and a host token."""
    server_context.settings = dataclasses.replace(
        server_context.settings, allowed_hosts=("127.0.0.1", "localhost")
    )
    _, token = create_token(server_context.tokens, "host")
    with serve_app_in_thread(create_app(server_context), lifespan="on") as url:
        yield url, token


def test_a_request_naming_a_foreign_host_is_refused_with_the_unified_error(
    guarded: tuple[str, str],
) -> None:
    url, token = guarded
    response = httpx.get(
        f"{url}/integrated-accounts",
        headers={"Host": "rebound.example", "Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    body = response.json()
    assert (body["error"], body["status_code"], body["remote"]) == ("validation_error", 400, False)
    assert body["fields"] == [
        {
            "field": "Host",
            "message": "is not a name this server answers to (unimap serve --allowed-host)",
        }
    ]


def test_the_allowed_names_are_served_whatever_the_port(guarded: tuple[str, str]) -> None:
    url, token = guarded
    port = httpx.URL(url).port
    for host in (f"127.0.0.1:{port}", f"LOCALHOST:{port}", "localhost"):
        response = httpx.get(
            f"{url}/integrated-accounts",
            headers={"Host": host, "Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200, host


def test_without_allowed_hosts_any_name_is_served(server_context: ServerContext) -> None:
    with serve_app_in_thread(create_app(server_context), lifespan="on") as url:
        response = httpx.get(f"{url}/healthz", headers={"Host": "anything.example"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("listen", "public_url", "expected"),
    [
        ("127.0.0.1", "http://127.0.0.1:8000", ("localhost", "127.0.0.1", "::1")),
        ("::1", None, ("localhost", "127.0.0.1", "::1")),
        (
            "127.0.0.1",
            "https://unimap.example.com",
            ("localhost", "127.0.0.1", "::1", "unimap.example.com"),
        ),
        ("0.0.0.0", "https://unimap.example.com", ()),
        ("192.168.1.10", None, ()),
    ],
)
def test_serve_answers_to_its_loopback_names_and_public_host_by_default(
    listen: str, public_url: str | None, expected: tuple[str, ...]
) -> None:
    assert default_allowed_hosts(listen, public_url) == expected


@pytest.mark.parametrize(
    ("header", "name"),
    [("Example.COM:8000", "example.com"), ("[::1]:8000", "::1"), ("::1", "::1"), ("a.b", "a.b")],
)
def test_the_host_name_drops_port_brackets_and_case(header: str, name: str) -> None:
    assert host_name(header) == name


def _serve_args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["serve", *argv])


def test_serve_options_reach_every_worker_through_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from engine.cli.serve import _export

    for name in ("UNIMAP_PUBLIC_URL", "UNIMAP_ALLOWED_HOSTS"):
        monkeypatch.setenv(name, "")  # restored (unset) after the test; `_export` sets them
    _export(_serve_args("--allowed-host", "api.example.com", "--allowed-host", "*.example.org"))
    assert settings_from_environment().allowed_hosts == ("api.example.com", "*.example.org")
    _export(_serve_args("--public-url", "https://unimap.example.com"))
    assert "unimap.example.com" in settings_from_environment().allowed_hosts
    _export(_serve_args("--host", "0.0.0.0"))
    assert settings_from_environment().allowed_hosts == ()


def test_a_websocket_naming_a_foreign_host_is_closed() -> None:
    sent: list[Message] = []
    reached: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        reached.append("app")

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:
        return {"type": "websocket.connect"}

    scope = {"type": "websocket", "headers": [(b"host", b"rebound.example")]}
    asyncio.run(HostCheck(app, ["127.0.0.1"])(scope, receive, send))
    assert sent == [{"type": "websocket.close", "code": 1008}] and reached == []
