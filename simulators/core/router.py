"""A route table shared by the provider simulators: `(method, path template)` -> handler.

Templates such as `lists/{list_id}/members` sit under a fixed prefix (`api`, `3.0`, `v3`, ...).
Each provider supplies its own error builders, so a 404 or 405 keeps the provider's own shape.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import unquote

H = TypeVar("H")

MAX_PATH_PARAM = 512
"""The longest path parameter routed (ids and emails are far shorter); longer is a 404."""

NotFound = Callable[[str], Exception]
"""Builds the error for a path no template matches; gets the path without outer slashes."""

MethodNotAllowed = Callable[[str, str, list[str]], Exception]
"""Builds the 405 error from the upper-case method, the clean path and the allowed methods."""


@dataclass(slots=True)
class _Route(Generic[H]):
    template: str
    pattern: re.Pattern[str]
    handlers: dict[str, H]


class PathRouter(Generic[H]):
    """An ordered list of path templates under `prefix`; the first matching template wins.

    Without `method_not_allowed`, a matching template lacking the method is skipped (and an
    unrouted request ends as `not_found`). With `decode_params`, path parameters are
    percent-decoded. The empty template matches the bare prefix.
    """

    def __init__(
        self,
        prefix: str,
        not_found: NotFound,
        method_not_allowed: MethodNotAllowed | None = None,
        *,
        decode_params: bool = False,
    ) -> None:
        self._prefix = re.escape(prefix)
        self._not_found = not_found
        self._method_not_allowed = method_not_allowed
        self._decode = decode_params
        self._routes: list[_Route[H]] = []

    def add(self, method: str, template: str, handler: H) -> None:
        """Register `handler` for `method` on `template` (relative to the prefix)."""
        for route in self._routes:
            if route.template == template:
                route.handlers[method.upper()] = handler
                return
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
        source = f"^{self._prefix}/{regex}$" if template else f"^{self._prefix}$"
        self._routes.append(_Route(template, re.compile(source), {method.upper(): handler}))

    def resolve(self, method: str, path: str) -> tuple[H, dict[str, str]]:
        """The handler and path parameters, or raise the provider's 404/405 error."""
        clean = path.strip("/")
        verb = method.upper()
        for route in self._routes:
            match = route.pattern.match(clean)
            if match is None:
                continue
            handler = route.handlers.get(verb)
            if handler is None:
                if self._method_not_allowed is None:
                    continue
                raise self._method_not_allowed(verb, clean, sorted(route.handlers))
            params = match.groupdict()
            if any(len(value) > MAX_PATH_PARAM for value in params.values()):
                raise self._not_found(clean[:200])  # no record has such an id
            if self._decode:
                params = {key: unquote(value) for key, value in params.items()}
            return handler, params
        raise self._not_found(clean)
