"""Mapping provider records to unified records: one generated function per field mapping.

The function (`ProviderMapping.record_program`) evaluates every field's expression inline,
over the provider's record as it is (reading `""` as null where it is used);
the per-field closures stay as the reference: a record the function fails on is mapped
again by them, so a failure reads exactly as before (naming the field), and a mapping whose
code cannot be generated runs on them alone.

The unified contract never holds the empty string: the field expressions read a provider's
`""` (at any depth of its record) as null. `remote_data` keeps the provider's record
untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jmespath.exceptions import JMESPathError

from engine.errors import RemoteError
from engine.loader import ProviderMapping
from engine.plan.scope import ParentRef, RecordIdentity
from engine.unified.blanks import blank_to_null


class RecordMapper:
    """Maps provider records of one resource to unified records (compiled once).

    With an `identity` (parent-scoped resources, composite ids) the `id` and membership fields
    are filled from the record's parts, `scope` (the parent being listed) filling any gap.
    `generated=False` keeps to the per-field closures (the reference, for comparisons).
    """

    def __init__(
        self,
        mapping: ProviderMapping,
        resource: str,
        fields: Mapping[str, str],
        identity: RecordIdentity | None = None,
        scope: ParentRef | None = None,
        *,
        generated: bool = True,
    ) -> None:
        self.resource = resource
        self._identity = identity
        self._scope = scope
        self._fields: list[tuple[str, Callable[[Any], Any]]] = [
            (name, mapping.expression(source).search) for name, source in fields.items()
        ]
        self._program = mapping.record_program(fields) if generated else None

    def map(self, record: Any, *, remote_data: bool = True) -> dict[str, Any]:
        """The unified record for one provider record; `remote_data` keeps the raw record."""
        unified = None
        if self._program is not None:
            try:
                unified = self._program(record)
            except Exception:  # the closures below say what went wrong, naming the field
                unified = None
        if unified is None:
            unified = self.interpret(blank_to_null(record))
        if self._identity is not None:
            self._identity.apply(record, unified, self._scope)
        if remote_data:
            unified["remote_data"] = record
        return unified

    def interpret(self, source: Any) -> dict[str, Any]:
        """The unified fields of a record (blanks already read as null) by the per-field
        closures: the reference the generated function is checked against."""
        unified: dict[str, Any] = {}
        for name, evaluate in self._fields:
            try:
                unified[name] = evaluate(source)
            except JMESPathError as exc:
                raise RemoteError(
                    f"cannot map {self.resource}.{name} from the provider's record: {exc}",
                    remote=False,
                ) from None
        return unified

    def map_many(self, records: list[Any], *, remote_data: bool = True) -> list[dict[str, Any]]:
        """Map a page of records."""
        return [self.map(record, remote_data=remote_data) for record in records]

