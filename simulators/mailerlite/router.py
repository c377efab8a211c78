"""Route table: maps `(method, path)` under `/api/` to handler functions.

Unknown paths answer 404 `The route api/... could not be found.`; known paths with another method
answer 405, both before authentication (as Laravel resolves routes before running middleware).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simulators.core.messages import SimRequest, SimResponse
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


@dataclass(slots=True)
class _Route:
    template: str
    pattern: re.Pattern[str]
    handlers: dict[str, Handler]


def normalise_path(path: str) -> str:
    """`/api/subscribers/` -> `api/subscribers` (no leading or trailing slash)."""
    return path.strip("/")


class Router:
    """An ordered list of path templates like `subscribers/{id}/groups/{group}`."""

    def __init__(self) -> None:
        self._routes: list[_Route] = []

    def add(self, method: str, template: str, handler: Handler) -> None:
        """Register `handler` for `method` on `template` (relative to `api/`)."""
        for route in self._routes:
            if route.template == template:
                route.handlers[method] = handler
                return
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
        self._routes.append(_Route(template, re.compile(f"^api/{regex}$"), {method: handler}))

    def resolve(self, method: str, path: str) -> tuple[Handler, dict[str, str]]:
        """The handler and path parameters, or raise the 404/405 `ApiError`."""
        clean = normalise_path(path)
        for route in self._routes:
            match = route.pattern.match(clean)
            if match is None:
                continue
            handler = route.handlers.get(method.upper())
            if handler is None:
                raise method_not_allowed(method.upper(), clean, sorted(route.handlers))
            return handler, match.groupdict()
        raise route_not_found(clean)
