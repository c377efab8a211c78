"""Route table for `/v4/...`: `(method, template)` -> handler.

Kit is a Rails application: a path or method it does not route answers 404 `Not Found` (checked
before authentication, like any unrouted request).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simulators.core.messages import SimRequest, SimResponse
from simulators.kit.errors import KitError, not_found
from simulators.kit.state import State


@dataclass(slots=True)
class Context:
    """What a handler gets: the account state, the request and the path parameters."""

    state: State
    request: SimRequest
    params: dict[str, str] = field(default_factory=dict)

    @property
    def query(self) -> dict[str, str]:
        """The query parameters."""
        return self.request.query

    def body(self) -> dict[str, Any]:
        """The JSON body as an object; a body that is not a JSON object is a 400."""
        if not self.request.body.strip():
            return {}
        data = self.request.json()
        if not isinstance(data, dict):
            raise KitError(400, "Request body must be a JSON object")
        return data


Handler = Callable[[Context], SimResponse]


class Router:
    """Templates like `tags/{tag_id}/subscribers/{id}` relative to `v4/`."""

    def __init__(self) -> None:
        self._routes: list[tuple[re.Pattern[str], dict[str, Handler]]] = []
        self._templates: dict[str, dict[str, Handler]] = {}

    def add(self, method: str, template: str, handler: Handler) -> None:
        """Register `handler` for `method` on `template`."""
        handlers = self._templates.get(template)
        if handlers is None:
            handlers = self._templates[template] = {}
            regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
            self._routes.append((re.compile(f"^v4/{regex}$"), handlers))
        handlers[method.upper()] = handler

    def resolve(self, method: str, path: str) -> tuple[Handler, dict[str, str]]:
        """The handler and path parameters, or raise 404."""
        clean = path.strip("/")
        for pattern, handlers in self._routes:
            match = pattern.match(clean)
            if match is not None and method.upper() in handlers:
                return handlers[method.upper()], match.groupdict()
        raise not_found()
