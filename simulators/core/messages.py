"""Transport-independent request and response types shared by every simulated provider.

The ASGI app and the in-process httpx transports translate to and from these types, so each
simulator's request pipeline (`handle`) never depends on a web framework.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol


def dumps(payload: Any) -> bytes:
    """Compact JSON bytes (non-ASCII kept as UTF-8)."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(slots=True)
class SimRequest:
    """One HTTP request as the pipeline sees it.

    `path` is the URL path (e.g. `/api/subscribers`), `query` the decoded query parameters (the
    last value wins for repeated names), `headers` lower-cased names, `base_url` the scheme and
    host the client used (links in responses point there).
    """

    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    base_url: str = "http://127.0.0.1"

    def json(self) -> Any:
        """The body parsed as JSON; `{}` when empty or not JSON (Laravel treats it as empty)."""
        if not self.body:
            return {}
        try:
            return json.loads(self.body)
        except ValueError:
            return {}


class Disconnect(enum.Enum):
    """How the transport must end the exchange instead of (or after) answering."""

    NONE = "none"
    DROP = "drop"
    """Close the connection without sending any response."""


@dataclass(slots=True)
class SimResponse:
    """One response: status, headers and body bytes, plus transport-level fault instructions.

    `delay` is how long the transport must wait before answering (slow fault); `disconnect`
    tells it to drop the connection instead of answering; `on_finish`, when set, is called once
    by the transport after the delay, whether it answers or drops (a simulator counting
    requests in flight releases its slot there).
    """

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    disconnect: Disconnect = Disconnect.NONE
    on_finish: Callable[[], None] | None = None

    def finish(self) -> None:
        """Run `on_finish` once (transports call it when the exchange ends)."""
        callback, self.on_finish = self.on_finish, None
        if callback is not None:
            callback()

    def json(self) -> Any:
        """The body parsed as JSON (`None` when empty)."""
        return json.loads(self.body) if self.body else None


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> SimResponse:
    """A JSON response."""
    merged = {"content-type": "application/json"}
    merged.update(headers or {})
    return SimResponse(status, dumps(payload), merged)


class SimulatedProvider(Protocol):
    """What the transports and the HTTP server need of a simulator: one request in, one out."""

    base_path: str
    """Path prefix of the API on the simulated host (e.g. `/api`, `/v3`, `/3.0`)."""

    def handle(self, request: SimRequest) -> SimResponse:
        """Answer one request (applying faults, limits and state changes)."""
        ...

    def stats(self) -> dict[str, Any]:
        """Counters for load tests (`GET /_sandbox/stats`): at least `rate_limited`, the
        requests the simulator refused because its rate or connection limit was exceeded."""
        ...
