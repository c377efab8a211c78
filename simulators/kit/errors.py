"""Kit's error shape: `{"errors": ["..."]}` with the HTTP status, raised from handlers."""

from __future__ import annotations

from simulators.core.messages import SimResponse, json_response

INVALID_TOKEN = "The access token is invalid"
"""401 message (Kit v4 OpenAPI, every endpoint's 401 example)."""

NOT_FOUND = "Not Found"
"""404 message for an unknown id or route."""


class KitError(Exception):
    """An API error answered as `{"errors": [messages...]}`."""

    def __init__(self, status: int, *messages: str) -> None:
        super().__init__(f"{status}: {'; '.join(messages)}")
        self.status = status
        self.messages = list(messages)

    def response(self) -> SimResponse:
        """The JSON error response."""
        return json_response(self.status, {"errors": self.messages})


def not_found() -> KitError:
    """404 `Not Found`."""
    return KitError(404, NOT_FOUND)


def invalid(*messages: str) -> KitError:
    """422 with the given validation messages."""
    return KitError(422, *messages)
