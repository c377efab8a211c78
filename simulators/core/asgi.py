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
from typing import TYPE_CHECKING

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from simulators.core.messages import Disconnect, SimRequest
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


def build_app(simulator: SimulatedProvider) -> Starlette:
    """The Starlette app serving `simulator` on every path."""

    async def endpoint(request: Request) -> Response:
        url = request.url
        sim_request = SimRequest(
            method=request.method,
            path=url.path,
            query=dict(request.query_params.multi_items()),
            headers={k.lower(): v for k, v in request.headers.items()},
            body=await request.body(),
            base_url=f"{url.scheme}://{url.netloc}",
        )
        result = simulator.handle(sim_request)
        try:
            if result.delay:
                await anyio.sleep(result.delay)
        finally:
            result.finish()
        if result.disconnect is Disconnect.DROP:
            return DroppedResponse()
        return Response(result.body, status_code=result.status, headers=result.headers)

    async def stats(request: Request) -> Response:
        return JSONResponse(simulator.stats())

    return Starlette(
        routes=[
            Route(STATS_PATH, stats, methods=["GET"]),
            Route("/{path:path}", endpoint, methods=ALL_METHODS),
        ]
    )
