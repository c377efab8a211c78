"""Parent-scoped resources: records that live under a parent collection, and composite ids."""

from __future__ import annotations

from pydantic import Field, model_validator

from engine.format.common import Expression, Strict


class ParentScope(Strict):
    """Records of this resource live under one record of another resource (e.g. members under
    an audience: `/lists/{list_id}/members`).

    A list call giving `filter` lists that parent only; without it the engine lists every parent
    (with the parent resource's own `list`) and the records of each, behind one unified cursor.
    """

    resource: str = Field(
        description="Unified resource whose records are the parents (its `list` is used)."
    )
    filter: str = Field(
        description="List filter (and path placeholder) naming one parent; its value is the "
        "parent's unified `id`."
    )
    membership_field: str | None = Field(
        default=None,
        description="Unified list field of this resource filled with the parent's id on every "
        "record read under a parent (e.g. `lists`).",
    )


class CompositeId(Strict):
    """A unified id made of several parts (e.g. the parent's id and the record's own key).

    The unified id is the parts, each percent-encoded, joined by `:` (`L1:5f4d...`); callers
    treat it as opaque. Paths of `get`, `update`, `delete` and item requests read each part as
    a `{part}` placeholder; an id that does not decode is a `validation_error` naming `id`.
    """

    parts: list[str] = Field(
        min_length=2, description="Names of the parts, in order; each is a path placeholder."
    )
    from_record: dict[str, Expression] = Field(
        description="Part name → expression over the provider record giving that part (the "
        "record's unified `id` is built from them)."
    )

    @model_validator(mode="after")
    def _parts_distinct(self) -> CompositeId:
        if len(set(self.parts)) != len(self.parts):
            raise ValueError("composite id parts must be distinct")
        if "id" in self.parts:
            raise ValueError("'id' cannot be a part name (it is the whole composite id)")
        return self
