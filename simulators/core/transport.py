"""In-process httpx transports: run requests through the simulator without sockets.

`SimulatorTransport` implements both `httpx.BaseTransport` and `httpx.AsyncBaseTransport`, so
one object serves `httpx.Client(transport=...)` and `httpx.AsyncClient(transport=...)`. It calls
the framework-free pipeline (`handle`) directly; slow faults sleep (`time.sleep` or
`anyio.sleep`) and dropped connections raise `httpx.RemoteProtocolError`, as a real server would
make httpx do.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import anyio
import httpx

from simulators.core.guard import screened
from simulators.core.messages import Disconnect, SimRequest, SimResponse

if TYPE_CHECKING:
    from simulators.core.messages import SimulatedProvider


class ConnectionDropped(httpx.RemoteProtocolError):
    """The simulated server closed the connection without answering."""

    def __init__(self, request: httpx.Request | None = None) -> None:
        super().__init__("Server disconnected without sending a response.", request=request)


def to_sim_request(request: httpx.Request, body: bytes) -> SimRequest:
    """Translate an httpx request."""
    url = request.url
    return SimRequest(
        method=request.method,
        path=url.path,
        query=dict(url.params.multi_items()),
        headers={k.lower(): v for k, v in request.headers.items()},
        body=body,
        base_url=f"{url.scheme}://{url.netloc.decode()}",
    )


def to_httpx_response(response: SimResponse, request: httpx.Request) -> httpx.Response:
    """Translate a simulator response (raising for a dropped connection)."""
    if response.disconnect is Disconnect.DROP:
        raise ConnectionDropped(request)
    return httpx.Response(
        response.status, headers=response.headers, content=response.body, request=request
    )


class SimulatorTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """A sync and async httpx transport bound to one simulator."""

    def __init__(self, simulator: SimulatedProvider) -> None:
        self._simulator = simulator

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Serve a request from a sync `httpx.Client`."""
        response = screened(self._simulator, to_sim_request(request, request.read()))
        try:
            if response.delay:
                time.sleep(response.delay)
            return to_httpx_response(response, request)
        finally:
            response.finish()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Serve a request from an `httpx.AsyncClient`."""
        response = screened(self._simulator, to_sim_request(request, await request.aread()))
        try:
            if response.delay:
                await anyio.sleep(response.delay)
            return to_httpx_response(response, request)
        finally:
            response.finish()
