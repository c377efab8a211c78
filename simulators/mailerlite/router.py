"""Route table: maps `(method, path)` under `/api/` to handler functions.

Unknown paths answer 404 `The route api/... could not be found.`; known paths with another method
answer 405, both before authentication (as Laravel resolves routes before running middleware).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simulators.core.messages import SimRequest, SimResponse
from simulators.core.router import PathRouter
from simulators.mailerlite.messages import method_not_allowed, route_not_found
from simulators.mailerlite.state import State


@dataclass(slots=True)
class Context:
    """What a handler gets: the account state, the request, and the path parameters."""

    state: State
    request: SimRequest
    params: dict[str, str] = field(default_factory=dict)

    @property
    def query(self) -> dict[str, str]:
        """The query parameters."""
        return self.request.query

    @property
    def api_url(self) -> str:
        """The API base URL as the client sees it (e.g. `http://127.0.0.1:8765/api`)."""
        return f"{self.request.base_url}/api"

    def body(self) -> dict[str, Any]:
        """The JSON body as an object (`{}` when absent or not an object)."""
        data = self.request.json()
        return data if isinstance(data, dict) else {}


Handler = Callable[[Context], SimResponse]


def normalise_path(path: str) -> str:
    """`/api/subscribers/` -> `api/subscribers` (no leading or trailing slash)."""
    return path.strip("/")


class Router(PathRouter[Handler]):
    """An ordered list of path templates like `subscribers/{id}/groups/{group}` under `api/`."""

    def __init__(self) -> None:
        super().__init__("api", route_not_found, method_not_allowed)
