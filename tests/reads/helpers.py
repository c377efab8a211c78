"""Helpers shared by the read-path tests: synthetic provider URLs, canned pages, sent requests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import respx
from canary_watch import CANARY_KEY

PROVIDERS = Path(__file__).parent / "providers"
"""Folder of synthetic provider folders, one per pagination family or variant."""

TOKEN = CANARY_KEY
"""The API key given to synthetic providers: the canary key, which must never appear in an
explanation, a log record, an output or a file (`tests/canary_watch.py`)."""

Sent = list[tuple[str, list[tuple[str, str]]]]


def base_url(provider: str) -> str:
    """The base URL a synthetic provider declares (`https://api.<name>.test/v1`)."""
    return f"https://api.{provider.replace('_', '-')}.test/v1"


def sent(mock: respx.MockRouter) -> Sent:
    """Every request respx saw, as `(path, query pairs)` in the order they were made."""
    return [
        (call.request.url.path, list(call.request.url.params.multi_items())) for call in mock.calls
    ]


def page(
    records: list[dict[str, Any]],
    status: int = 200,
    headers: dict[str, str] | None = None,
    **body: Any,
) -> httpx.Response:
    """A JSON response `{"data": records, **body}`."""
    return httpx.Response(status, json={"data": records, **body}, headers=headers)


def items(*ids: str) -> list[dict[str, Any]]:
    """Provider records with the given ids (names derived from them)."""
    return [{"id": i, "name": f"List {i}"} for i in ids]


Answer = Callable[[httpx.Request], httpx.Response]


def by_param(param: str, pages: dict[str | None, httpx.Response]) -> Answer:
    """A respx side effect answering from `pages`, keyed by the query parameter `param`.

    A value not in `pages` is answered 418, so a test asking for an unexpected page fails.
    """

    def answer(request: httpx.Request) -> httpx.Response:
        key = request.url.params.get(param)
        response = pages.get(key)
        if response is None:
            return httpx.Response(418, json={"message": f"unexpected {param}={key}"})
        return response

    return answer


class CountingTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Wraps a sync+async transport and records every request's method and raw target."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.requests: list[tuple[str, str]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Record, then pass on (sync)."""
        self.requests.append((request.method, request.url.raw_path.decode()))
        response: httpx.Response = self.inner.handle_request(request)
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Record, then pass on (async)."""
        self.requests.append((request.method, request.url.raw_path.decode()))
        response: httpx.Response = await self.inner.handle_async_request(request)
        return response
