"""Route table: `(method, path)` under `/v3/` to handler functions.

Unknown paths answer 404 `document_not_found`, known paths with another method 405
`method_not_allowed` (`{"code": "method_not_allowed", "message": "GET Method is not allowed on
this path"}`, the example of the v3 error model).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simulators.brevo.errors import ApiError
from simulators.brevo.state import State
from simulators.core.messages import SimRequest, SimResponse


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

    def body(self) -> dict[str, Any]:
        """The JSON body as an object; a body that is not a JSON object is a 400."""
        if not self.request.body:
            return {}
        data = self.request.json()
        if not isinstance(data, dict):
            raise ApiError(400, "invalid_parameter", "Invalid JSON body")
        return data


Handler = Callable[[Context], SimResponse]


@dataclass(slots=True)
class _Route:
    template: str
    pattern: re.Pattern[str]
    handlers: dict[str, Handler]


class Router:
    """An ordered list of path templates like `contacts/lists/{list_id}/contacts`."""

    def __init__(self) -> None:
        self._routes: list[_Route] = []

    def add(self, method: str, template: str, handler: Handler) -> None:
        """Register `handler` for `method` on `template` (relative to `v3/`)."""
        for route in self._routes:
            if route.template == template:
                route.handlers[method] = handler
                return
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
        self._routes.append(_Route(template, re.compile(f"^v3/{regex}$"), {method: handler}))

    def resolve(self, method: str, path: str) -> tuple[Handler, dict[str, str]]:
        """The handler and (percent-decoded) path parameters, or raise the 404/405 error."""
        from urllib.parse import unquote

        clean = path.strip("/")
        for route in self._routes:
            match = route.pattern.match(clean)
            if match is None:
                continue
            handler = route.handlers.get(method.upper())
            if handler is None:
                raise ApiError(
                    405,
                    "method_not_allowed",
                    f"{method.upper()} Method is not allowed on this path",
                )
            return handler, {k: unquote(v) for k, v in match.groupdict().items()}
        raise ApiError(404, "document_not_found", "Invalid route")
