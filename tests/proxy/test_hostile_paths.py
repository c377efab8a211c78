"""Hostile proxy paths are refused with a validation error naming `path`, and nothing is sent."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from engine.api import Connection, Engine
from engine.errors import ValidationError
from engine.proxy import check_path
from tests.proxy.conftest import Counting

HOSTILE = [
    "https://evil.example/api/subscribers",
    "http://connect.mailerlite.com/api/subscribers",
    "HTTPS://EVIL.EXAMPLE/",
    "javascript:alert(1)",
    "file:///etc/passwd",
    "//evil.example/api",
    "///evil.example",
    "/..",
    "/../webhooks",
    "/subscribers/../../etc/passwd",
    "../subscribers",
    "/subscribers/./x",
    "/subscribers/%2e%2e/%2e%2e/admin",
    "/subscribers/%2E%2e/admin",
    "/subscribers/.%2e/admin",
    "/subscribers/%252e%252e/admin",
    "/subscribers/%25252e%25252e/admin",
    "/subscribers%2f..%2f..%2fadmin",
    "/subscribers%2F%2E%2E%2Fadmin",
    "/subscribers/..;/admin",
    "\\\\evil.example\\share",
    "/subscribers\\..\\admin",
    "/subscribers/%5c..%5cadmin",
    "@evil.example/api",
    "/subscribers@evil.example",
    "user:pass@evil.example",
    "/subscribers\r\nX-Injected: 1",
    "/subscribers\nHost: evil.example",
    "/subscribers%0d%0aX-Injected:%201",
    "/subscribers%0AX-Injected",
    "/subscribers%250d%250a",
    "/subscribers\x00",
    "/subscribers%00.json",
    "/subscribers\x7f",
    "/subscribers\t",
    "",
    "   ",
    "/subscribers?limit=1",
    "/subscribers#fragment",
    "/subscribers/ id",
    "/subscribers/\u2025",
    "/subscribers/%c0%ae%c0%ae/admin",
    "/subscribers/%zz",
    "/%2F%2Fevil.example",
    "/%2F/evil.example",
    "/%68ttps://evil.example",
    "/subscribers//groups",
]


def test_there_are_at_least_twenty_hostile_paths() -> None:
    assert len(HOSTILE) >= 20 and len(set(HOSTILE)) == len(HOSTILE)


@pytest.fixture
def counting(engine: Engine) -> Iterator[tuple[Connection, Counting]]:
    transport = Counting()
    with engine.connect("mailerlite", {"api_key": "k"}, transport=transport) as connection:
        yield connection, transport


@pytest.mark.parametrize("path", HOSTILE)
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_refused_before_anything_is_sent(
    counting: tuple[Connection, Counting], path: str, method: str
) -> None:
    connection, transport = counting
    with pytest.raises(ValidationError) as caught:
        connection.proxy(method, path, body={"x": 1} if method == "POST" else None)
    assert [p.field for p in caught.value.details] == ["path"]
    assert "path" in caught.value.message
    assert caught.value.to_dict()["error"] == "validation_error"
    assert transport.sent == []


@pytest.mark.parametrize("path", HOSTILE)
def test_refused_with_paginate_too(counting: tuple[Connection, Counting], path: str) -> None:
    connection, transport = counting
    with pytest.raises(ValidationError):
        connection.proxy("GET", path, paginate=True)
    assert transport.sent == []


@pytest.mark.parametrize("path", HOSTILE)
def test_refused_on_async_connections(engine: Engine, path: str) -> None:
    sent: list[object] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    async def attempt() -> None:
        async with engine.aconnect(
            "mailerlite", {"api_key": "k"}, transport=httpx.MockTransport(handler)
        ) as connection:
            with pytest.raises(ValidationError):
                await connection.proxy("GET", path)

    asyncio.run(attempt())
    assert sent == []


@pytest.mark.parametrize(
    ("path", "sent"),
    [
        ("/subscribers", "/subscribers"),
        ("subscribers", "/subscribers"),
        ("/subscribers/jane%40example.com", "/subscribers/jane%40example.com"),
        ("/groups/123/subscribers", "/groups/123/subscribers"),
        ("/subscribers/a.b", "/subscribers/a.b"),
        ("/subscribers/...", "/subscribers/..."),
        ("/fields/", "/fields/"),
    ],
)
def test_ordinary_paths_pass(path: str, sent: str) -> None:
    assert check_path(path) == sent


def test_unknown_methods_are_refused(counting: tuple[Connection, Counting]) -> None:
    connection, transport = counting
    for method in ("TRACE", "CONNECT", "GET /x HTTP/1.1\r\n", ""):
        with pytest.raises(ValidationError):
            connection.proxy(method, "/subscribers")
    assert transport.sent == []


def test_the_request_stays_on_the_provider_host(counting: tuple[Connection, Counting]) -> None:
    connection, transport = counting
    connection.proxy("GET", "/subscribers", {"limit": 1})
    (request,) = transport.sent
    assert str(request.url) == "https://connect.mailerlite.com/api/subscribers?limit=1"
    assert request.headers["authorization"] == "Bearer k"
