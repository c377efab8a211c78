"""Route table: `(method, path)` under `/v3/` to handler functions.

Unknown paths answer 404 `document_not_found`, known paths with another method 405
`method_not_allowed` (`{"code": "method_not_allowed", "message": "GET Method is not allowed on
this path"}`, the example of the v3 error model).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simulators.brevo.errors import ApiError
from simulators.brevo.state import State
from simulators.core.messages import SimRequest, SimResponse
from simulators.core.router import PathRouter


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


def _method_not_allowed(method: str, _path: str, _allowed: list[str]) -> ApiError:
    return ApiError(405, "method_not_allowed", f"{method} Method is not allowed on this path")


class Router(PathRouter[Handler]):
    """An ordered list of path templates like `contacts/lists/{list_id}/contacts` under `v3/`.

    Path parameters are percent-decoded.
    """

    def __init__(self) -> None:
        super().__init__(
            "v3",
            lambda _path: ApiError(404, "document_not_found", "Invalid route"),
            _method_not_allowed,
            decode_params=True,
        )
