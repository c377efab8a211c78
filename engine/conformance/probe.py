"""What a check works with: a connection, the mapping behind it, and assertion helpers."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from engine.errors import NotSupportedError
from engine.unified.validate import validate_envelope, validate_record


class CheckFailed(Exception):
    """A check found the provider (or its mapping) breaking the unified contract."""


class Unsupported(Exception):
    """The mapping declares an operation a check needs as not supported."""

    def __init__(self, resource: str, method: str, reason: str) -> None:
        super().__init__(f"{resource}.{method}: {reason}")
        self.reason = f"{resource}.{method}: {reason}"


@dataclass
class Probe:
    """A connection under test plus the limits a check must stay within.

    `max_records` bounds how many records a listing check reads (page size 1 costs one request
    per record); `allow_writes` permits checks that create, change and delete data (every
    record they create is named `unimap-conformance-*` and removed again where the provider
    can delete it).
    """

    connection: Any
    allow_writes: bool = False
    max_records: int = 200
    run_id: str = field(default_factory=lambda: secrets.token_hex(4))

    @property
    def mapping(self) -> Any:
        """The provider mapping behind the connection."""
        return self.connection.session.mapping

    def require(self, resource: str, *methods: str) -> None:
        """Raise `Unsupported` unless the mapping supports every method of the resource."""
        mapped = self.mapping.resources.get(resource)
        for method in methods:
            if mapped is None:
                raise Unsupported(resource, method, "the provider has no such resource")
            operation = mapped.operations.get(method)
            if operation is None:
                raise Unsupported(resource, method, "not mapped")
            if operation.not_supported is not None:
                raise Unsupported(resource, method, operation.not_supported)

    def filters(self, resource: str) -> list[str]:
        """The filters the mapping's `list` of a resource accepts."""
        operation = self.mapping.resources[resource].operations["list"]
        return list(operation.filters)

    def call(self, resource: str, method: str, *args: Any, **kwargs: Any) -> Any:
        """A unified call; a `not_supported` answer becomes `Unsupported`."""
        try:
            return self.connection.call(resource, method, *args, **kwargs)
        except NotSupportedError as error:
            raise Unsupported(resource, method, error.message) from None

    def valid(self, resource: str, value: Any) -> None:
        """Fail unless `value` (a record or a list envelope) matches the unified schemas."""
        if isinstance(value, dict) and "result" in value and "next_cursor" in value:
            problems = validate_envelope(resource, value)
        else:
            record = {k: v for k, v in dict(value).items() if k != "created"}
            problems = validate_record(resource, record)
        if problems:
            shown = "; ".join(str(p) for p in problems[:5])
            raise CheckFailed(f"{resource}: invalid unified data: {shown}")

    def listing(self, resource: str, limit: int, query: dict[str, Any] | None = None) -> list[Any]:
        """Up to `max_records` records of a list call at page size `limit`, each validated."""
        records: list[Any] = []
        for record in self.connection.iterate(resource, {**(query or {}), "limit": limit}):
            self.valid(resource, record)
            records.append(record)
            if len(records) >= self.max_records:
                break
        return records

    def email(self, label: str) -> str:
        """A fresh address for a record this run creates."""
        return f"unimap-conformance-{self.run_id}-{label}@example.com"

    def name(self, label: str) -> str:
        """A fresh name for a list or field this run creates."""
        return f"unimap conformance {self.run_id} {label}"


def expect(condition: bool, message: str) -> None:
    """Fail the check with `message` unless `condition` holds."""
    if not condition:
        raise CheckFailed(message)
