"""An httpx transport that records what the provider received, then lets the simulator answer."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One HTTP request as the provider received it.

    `path` is the full URL path (e.g. `/api/subscribers`), `query` the query parameters (a
    repeated name keeps its last value), `body` the parsed JSON body, the form fields of a
    form body, the raw text of any other body, or None when there was none.
    """

    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


def _parse_body(raw: bytes, content_type: str) -> Any:
    if not raw:
        return None
    if "json" in content_type:
        try:
            return json.loads(raw)
        except ValueError:
            pass
    if "x-www-form-urlencoded" in content_type:
        return dict(httpx.QueryParams(raw.decode()).multi_items())
    return raw.decode("utf-8", "replace")


class RecordingTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Wraps a sync-and-async transport and appends each request to `requests` first."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.requests: list[RecordedRequest] = []
        """Every request sent through this transport, in order."""

    def _record(self, request: httpx.Request, raw: bytes) -> None:
        headers = {k.lower(): v for k, v in request.headers.items()}
        self.requests.append(
            RecordedRequest(
                request.method,
                request.url.path,
                dict(request.url.params.items()),
                _parse_body(raw, headers.get("content-type", "")),
                headers,
            )
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Record, then let the inner transport answer (sync)."""
        self._record(request, request.read())
        response: httpx.Response = self.inner.handle_request(request)
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Record, then let the inner transport answer (async)."""
        self._record(request, await request.aread())
        response: httpx.Response = await self.inner.handle_async_request(request)
        return response
