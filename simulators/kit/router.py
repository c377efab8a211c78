"""Route table for `/v4/...`: `(method, template)` -> handler.

Kit is a Rails application: a path or method it does not route answers 404 `Not Found` (checked
before authentication, like any unrouted request).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simulators.core.messages import SimRequest, SimResponse
from simulators.core.router import PathRouter
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


class Router(PathRouter[Handler]):
    """Templates like `tags/{tag_id}/subscribers/{id}` under `v4/`; no 405, only 404."""

    def __init__(self) -> None:
        super().__init__("v4", lambda _path: not_found())
