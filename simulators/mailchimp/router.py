"""Route table under `/3.0/`: `(method, path template)` → handler, with paging helpers.

Unknown paths answer 404 `Resource Not Found`, known paths with another method 405.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from simulators.core.messages import SimRequest, SimResponse
from simulators.core.router import PathRouter
from simulators.mailchimp.errors import (
    ApiError,
    invalid_resource,
    json_parse_error,
    method_not_allowed,
    not_found,
)
from simulators.mailchimp.models import Audience
from simulators.mailchimp.state import State

T = TypeVar("T")

DEFAULT_COUNT = 10
MAX_COUNT = 1000
"""`count` defaults to 10 and may be at most 1000."""


@dataclass(slots=True)
class Context:
    """What a handler gets: state, request, path parameters."""

    state: State
    request: SimRequest
    params: dict[str, str] = field(default_factory=dict)

    @property
    def query(self) -> dict[str, str]:
        """The query parameters."""
        return self.request.query

    @property
    def api_url(self) -> str:
        """The API root as the client sees it (e.g. `https://us21.api.mailchimp.com/3.0`)."""
        return f"{self.request.base_url}/3.0"

    def body(self) -> dict[str, Any]:
        """The JSON body as an object; 400 `JSON Parse Exception` when it is not JSON."""
        if not self.request.body.strip():
            return {}
        try:
            data = json.loads(self.request.body)
        except ValueError:
            raise json_parse_error() from None
        if not isinstance(data, dict):
            raise invalid_resource(
                [{"field": "", "message": "Schema describes object, array found instead"}]
            )
        return data

    def audience(self) -> Audience:
        """The audience named by `{list_id}`, or 404."""
        audience = self.state.audiences.get(self.params["list_id"])
        if audience is None:
            raise not_found()
        return audience

    def page(self, items: Sequence[T]) -> list[T]:
        """The `offset`/`count` window of `items` (count capped at 1000)."""
        count = _int(self.query.get("count"), "count", DEFAULT_COUNT)
        offset = _int(self.query.get("offset"), "offset", 0)
        if count > MAX_COUNT:
            raise invalid_resource(
                [{"field": "count", "message": f"Value must be at most {MAX_COUNT}."}]
            )
        return list(items[offset : offset + count])


def _int(raw: str | None, name: str, default: int) -> int:
    if raw is None or raw == "":
        return default
    if not raw.isdecimal():
        raise invalid_resource(
            [{"field": name, "message": "Value must be a non-negative integer."}]
        )
    return int(raw)


Handler = Callable[[Context], SimResponse]


def _method_not_allowed(_method: str, _path: str, allowed: list[str]) -> ApiError:
    return method_not_allowed(allowed)


class Router(PathRouter[Handler]):
    """Ordered path templates like `lists/{list_id}/members/{subscriber_hash}` under `3.0/`."""

    def __init__(self) -> None:
        super().__init__("3.0", lambda _path: not_found(), _method_not_allowed)


__all__ = ["ApiError", "Context", "Handler", "Router"]
