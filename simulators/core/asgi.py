"""The ASGI face of the simulator (a Starlette app with one catch-all route).

Every request but `GET /_sandbox/stats` (the simulator's counters) is translated to a
`SimRequest` and answered by the simulator's `handle`. Two fault effects need the raw ASGI
channel:

* slow responses sleep with `anyio.sleep` (the event loop keeps serving others);
* a dropped connection sends a response start with an invalid header name, which makes uvicorn
  close the socket without writing a byte, then raises `ConnectionDropped` (an
  `httpx.RemoteProtocolError`), which is what `httpx.ASGITransport` clients see.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from simulators.core.guard import MAX_BODY_BYTES, refusal, screened
from simulators.core.hosts import host_allowed
from simulators.core.messages import Disconnect, SimRequest, SimResponse
from simulators.core.transport import ConnectionDropped

if TYPE_CHECKING:
    from simulators.core.messages import SimulatedProvider

ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
STATS_PATH = "/_sandbox/stats"
"""The simulator's own counters (`simulator.stats()`, JSON): `rate_limited` and more, for load
tests that must show the provider's limit was never exceeded. Outside every provider's API."""


class DroppedResponse(Response):
    """A 'response' that closes the connection instead of answering."""

    def __init__(self) -> None:
        super().__init__(status_code=500)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Make the server abort the connection, then raise `ConnectionDropped`."""
        # The server refusing the header (and closing the socket) is the point.
        with contextlib.suppress(Exception):
            await send(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [(b"x-simulated drop", b"1")],
                }
            )
        raise ConnectionDropped()


def build_app(simulator: SimulatedProvider, allowed_hosts: Iterable[str] = ()) -> Starlette:
    """The Starlette app serving `simulator` on every path.

    A request whose `Host` is not loopback (or one of `allowed_hosts`) is refused with 400
    (`simulators.core.hosts`); a body over `MAX_BODY_BYTES` with 413 without reading the rest;
    then the limits of `simulators.core.guard` apply.
    """
    extra = tuple(allowed_hosts)

    async def endpoint(request: Request) -> Response:
        url = request.url
        if not _host_ok(request, extra):
            return _answer(refusal(400, _host_message(request.headers.get("host"))))
        body = await _bounded_body(request)
        if body is None:
            too_large = f"the request body is larger than {MAX_BODY_BYTES} bytes"
            return _answer(refusal(413, too_large))
        sim_request = SimRequest(
            method=request.method,
            path=url.path,
            query=dict(request.query_params.multi_items()),
            headers={k.lower(): v for k, v in request.headers.items()},
            body=body,
            base_url=f"{url.scheme}://{url.netloc}",
        )
        result = screened(simulator, sim_request)
        try:
            if result.delay:
                await anyio.sleep(result.delay)
        finally:
            result.finish()
        if result.disconnect is Disconnect.DROP:
            return DroppedResponse()
        return _answer(result)

    async def stats(request: Request) -> Response:
        if not _host_ok(request, extra):
            return _answer(refusal(400, _host_message(request.headers.get("host"))))
        return JSONResponse(simulator.stats())

    return Starlette(
        routes=[
            Route(STATS_PATH, stats, methods=["GET"]),
            Route("/{path:path}", endpoint, methods=ALL_METHODS),
        ]
    )


def _host_ok(request: Request, allowed: tuple[str, ...]) -> bool:
    return host_allowed(request.headers.get("host"), request.scope.get("server"), allowed)


def _answer(result: SimResponse) -> Response:
    return Response(result.body, status_code=result.status, headers=result.headers)


def _host_message(host: str | None) -> str:
    shown = repr(host[:100]) if host else "no Host header"
    return (
        f"Host {shown} is not allowed: the sandbox answers only 127.0.0.1, localhost and "
        "[::1] on its own port (add names with --allow-host)"
    )


async def _bounded_body(request: Request) -> bytes | None:
    """The request body, or None as soon as it is known to exceed `MAX_BODY_BYTES`."""
    declared = request.headers.get("content-length", "")
    if declared.isdecimal() and len(declared) < 20 and int(declared) > MAX_BODY_BYTES:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
