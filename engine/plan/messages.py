"""The two messages exchanged between a plan and a driver."""

from __future__ import annotations

from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class ProviderRequest:
    """One request to the provider, before credentials are added.

    `path` is relative to the provider's base URL and already percent-encoded; `url` is set
    instead only for a next-page link, which the driver checks against the base URL.
    """

    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    body: Any = None
    buckets: tuple[str, ...] = ()
    idempotent: bool = True
    url: str | None = None
    purpose: str = ""

    def describe(self) -> dict[str, Any]:
        """Plain data for `--explain` (no credentials are ever part of a plan)."""
        described: dict[str, Any] = {"method": self.method, "path": self.url or self.path}
        if self.query:
            described["query"] = [list(pair) for pair in self.query]
        if self.headers:
            described["headers"] = dict(self.headers)
        if self.body is not None:
            described["body"] = self.body
        described["rate_limit_buckets"] = list(self.buckets)
        described["idempotent"] = self.idempotent
        if self.purpose:
            described["purpose"] = self.purpose
        return described


@dataclass
class ProviderResponse:
    """What came back: status, headers (lower-cased names) and the parsed JSON body."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Any = None

    @property
    def ok(self) -> bool:
        """True for a 2xx status."""
        return 200 <= self.status < 300


Plan = Generator[ProviderRequest, ProviderResponse, T]
