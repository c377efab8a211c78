"""Composite unified ids and parent membership of parent-scoped records (pure).

A composite id is its parts, each percent-encoded (so a part may hold any character), joined
by `:`: `L1:5f4dcc3b`. `decode_id` turns a caller's id back into the path placeholders;
anything that does not decode is a `validation_error` naming `id`, and nothing is sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from engine.errors import FieldProblem, ValidationError
from engine.loader import ProviderMapping
from engine.unified.blanks import blank_to_null

if TYPE_CHECKING:
    from engine.format.resource import ResourceFile
    from engine.format.scope import CompositeId

SEPARATOR = ":"
"""Joins the percent-encoded parts of a composite id."""


_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*", re.ASCII).fullmatch
"""Text percent-encoding leaves as it is."""


def encode_id(parts: list[Any]) -> str:
    """The composite unified id of the given part values."""
    return SEPARATOR.join(_encoded(str(part)) for part in parts)


def _encoded(text: str) -> str:
    return text if _UNRESERVED(text) is not None else quote(text, safe="")


def decode_id(composite: CompositeId, call_id: Any, what: str) -> dict[str, str]:
    """Part name → value of a composite id, or a validation error naming `id`."""
    pieces = str(call_id).split(SEPARATOR)
    values = [unquote(piece) for piece in pieces]
    if len(pieces) != len(composite.parts) or not all(values):
        expected = SEPARATOR.join(f"<{part}>" for part in composite.parts)
        raise ValidationError(
            f"{what}: '{call_id}' is not an id of this resource",
            details=[FieldProblem("id", f"must be an id this engine returned ({expected})")],
        )
    return dict(zip(composite.parts, values, strict=True))


def path_values(
    resource: ResourceFile, values: dict[str, Any], what: str, reads: set[str]
) -> dict[str, Any]:
    """Path values with the parts of a composite `id` added, when the request `reads` a part
    (a route taking another kind of id, e.g. an email, reads none and needs no decoding)."""
    composite = resource.composite_id
    if composite is None or values.get("id") is None or not reads & set(composite.parts):
        return values
    return {**values, **decode_id(composite, values["id"], what)}


@dataclass(frozen=True)
class ParentRef:
    """The parent a record was read under: its unified id and, when known, its name."""

    id: str
    name: str | None = None


class RecordIdentity:
    """Fills the composite `id` and the parent membership field of one resource's records."""

    def __init__(self, mapping: ProviderMapping, resource: ResourceFile) -> None:
        composite = resource.composite_id
        self._parts: list[tuple[str, Callable[[Any], Any]]] = []
        sources = (
            {part: composite.from_record[part] for part in composite.parts} if composite else {}
        )
        self._parts = [
            (part, mapping.expression(source).search) for part, source in sources.items()
        ]
        self._program = mapping.record_program(sources) if sources else None
        parent = resource.parent
        self._filter = parent.filter if parent else None
        self._membership = parent.membership_field if parent else None

    @staticmethod
    def needed(resource: ResourceFile) -> bool:
        """Whether records of `resource` need an identity pass."""
        return resource.composite_id is not None or (
            resource.parent is not None and resource.parent.membership_field is not None
        )

    def part_values(self, record: Any) -> dict[str, Any]:
        """The composite id's parts read from the provider's record as it is (a `""` read as
        null): by the generated function, else by the closures."""
        if self._program is not None:
            try:
                return self._program(record)
            except Exception:  # the closures raise what they raise
                pass
        source = blank_to_null(record)
        return {part: evaluate(source) for part, evaluate in self._parts}

    def apply(self, record: Any, unified: dict[str, Any], parent: ParentRef | None) -> None:
        """Set `id` from the parts of the provider's `record` (None when one is missing) and
        the membership field (`[{id, name}]` of the parent; the name is null unless the
        parent was listed)."""
        values = self.part_values(record)
        if parent is not None and self._filter and values.get(self._filter) in (None, ""):
            values[self._filter] = parent.id
        if self._parts:
            found = [values.get(part) for part, _ in self._parts]
            complete = None not in found and "" not in found
            unified["id"] = encode_id(found) if complete else None
        if self._membership and self._filter:
            parent_id = values.get(self._filter)
            if parent_id in (None, "") and parent is not None:
                parent_id = parent.id
            name = parent.name if parent is not None and str(parent_id) == parent.id else None
            unified[self._membership] = (
                [] if parent_id in (None, "") else [{"id": str(parent_id), "name": name}]
            )
