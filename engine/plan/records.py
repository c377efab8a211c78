"""Mapping provider records to unified records, one compiled expression per field."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jmespath.exceptions import JMESPathError

from engine.errors import RemoteError
from engine.loader import ProviderMapping


class RecordMapper:
    """Maps provider records of one resource to unified records (compiled once)."""

    def __init__(self, mapping: ProviderMapping, resource: str, fields: Mapping[str, str]) -> None:
        self.resource = resource
        self._fields: list[tuple[str, Callable[[Any], Any]]] = [
            (name, mapping.expression(source).search) for name, source in fields.items()
        ]

    def map(self, record: Any, *, remote_data: bool = True) -> dict[str, Any]:
        """The unified record for one provider record; `remote_data` keeps the raw record."""
        unified: dict[str, Any] = {}
        for name, evaluate in self._fields:
            try:
                unified[name] = evaluate(record)
            except JMESPathError as exc:
                raise RemoteError(
                    f"cannot map {self.resource}.{name} from the provider's record: {exc}",
                    remote=False,
                ) from None
        if remote_data:
            unified["remote_data"] = record
        return unified

    def map_many(self, records: list[Any], *, remote_data: bool = True) -> list[dict[str, Any]]:
        """Map a page of records."""
        return [self.map(record, remote_data=remote_data) for record in records]
