"""Stepping a plan by hand: assert each request it yields, answer it with a canned response or
throw an error into it, and read its result. No transport, no simulator: the sans-I/O seam."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from engine.loader import ProviderMapping, load_mappings
from engine.plan.calls import CallContext, ConnectionCache, resolve
from engine.plan.dispatch import plan_call
from engine.plan.messages import Plan, ProviderRequest, ProviderResponse

TESTS = Path(__file__).parent.parent
FOLDERS = {
    "reads": TESTS / "reads" / "providers",
    "writes": TESTS / "writes" / "providers",
    "plan": TESTS / "plan" / "providers",
}
"""Synthetic provider folders the plan tests load (YAML only)."""

CURSOR_KEY = b"plan-tests-cursor-key-0123456789"
_UNSET: Any = object()


@cache
def mapping(provider: str) -> ProviderMapping:
    """The mapping of a synthetic provider, from whichever test folder declares it."""
    for folder in FOLDERS.values():
        if (folder / provider).is_dir():
            loaded = load_mappings([folder / provider])
            assert loaded.ok, loaded.problems
            return loaded.providers[provider]
    raise LookupError(provider)


def context(provider: str, resource: str, method: str) -> CallContext:
    """The call context of `resource.method` on a synthetic provider (a fresh cache)."""
    return resolve(mapping(provider), resource, method, CURSOR_KEY, ConnectionCache(), False)


def plan(
    provider: str,
    resource: str,
    method: str,
    call_id: Any = None,
    query: dict[str, Any] | None = None,
    body: Any = None,
) -> Stepper:
    """A stepper over the plan of one unified call."""
    ctx = context(provider, resource, method)
    return Stepper(plan_call(ctx, call_id, query, body))


class Stepper:
    """Drives a plan one request at a time; every request must be checked before answered."""

    def __init__(self, generator: Plan[Any]) -> None:
        self._plan = generator
        self._request: ProviderRequest | None = None
        self._checked = False
        self._done = False
        self._result: Any = None
        self._advance(lambda: next(generator))

    def _advance(self, step: Any) -> None:
        try:
            self._request = step()
        except StopIteration as stop:
            self._request, self._done, self._result = None, True, stop.value
        self._checked = False

    @property
    def request(self) -> ProviderRequest:
        """The request the plan is waiting on."""
        assert self._request is not None, f"the plan has finished with {self._result!r}"
        return self._request

    def expect(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, str] | None = _UNSET,
        body: Any = _UNSET,
        buckets: tuple[str, ...] | None = None,
        idempotent: bool | None = None,
        url: str | None = None,
    ) -> Stepper:
        """Assert the pending request (query compared as a dict; `None` means no query)."""
        request = self.request
        assert (request.method, request.path) == (method, path), request
        if query is not _UNSET:
            assert dict(request.query) == (query or {}), request.query
        if body is not _UNSET:
            assert request.body == body, request.body
        if buckets is not None:
            assert request.buckets == buckets, request.buckets
        if idempotent is not None:
            assert request.idempotent is idempotent, request
        if url is not None:
            assert request.url == url, request.url
        self._checked = True
        return self

    def answer(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        """Send the checked request's canned response into the plan."""
        assert self._checked, f"unchecked request {self.request}"
        response = ProviderResponse(status, headers or {}, body)
        self._advance(lambda: self._plan.send(response))

    def throw(self, error: BaseException) -> None:
        """Throw a failure (as a driver does for a request that failed for good)."""
        assert self._checked, f"unchecked request {self.request}"
        self._advance(lambda: self._plan.throw(error))

    @property
    def result(self) -> Any:
        """The plan's result; fails while it still wants to send something."""
        assert self._done, f"the plan still wants {self._request}"
        return self._result
