"""Building blocks shared by provider and resource files."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


@dataclass(frozen=True)
class FieldKind:
    """Marks a string field's meaning for the validator (see `engine.format.walk`)."""

    name: Literal["expression", "template"]


EXPRESSION = FieldKind("expression")
"""Marker of fields holding a JMESPath expression: the validator compiles every one."""
TEMPLATE = FieldKind("template")
"""Marker of fields holding a `{...}` template: the validator parses every one."""

Expression = Annotated[
    str,
    Field(
        description="A JMESPath expression, extended with the Unimap function library "
        "(see docs/functions.md).",
        min_length=1,
    ),
    EXPRESSION,
]
Template = Annotated[
    str,
    Field(
        description="A string with `{...}` placeholders: a bare name (`/subscribers/{id}`) "
        "filled by the call's id, a filter, an item or a credential, or a JMESPath expression "
        "over the same names and `settings` (`/members/{md5(lower(email))}`). In paths each "
        "value is percent-encoded as one segment. `{{` and `}}` are literal braces.",
    ),
    TEMPLATE,
]
HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]


class Strict(BaseModel):
    """Base of every format model: unknown keys are errors, never silently ignored."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, defer_build=True
    )


class RequestSpec(Strict):
    """One HTTP request to the provider, relative to the provider's base URL."""

    method: HttpMethod = Field(description="HTTP method.")
    path: Template = Field(description="Path template relative to the base URL, starting with `/`.")
    query: dict[str, Expression] = Field(
        default_factory=dict,
        description="Query parameters: parameter name → expression over the call input "
        "(the filters for lists, the unified body for writes), `id` (calls with an id) and "
        "`settings`. A parameter whose value is null, or whose input fields are absent, is "
        "not sent.",
    )
    headers: dict[str, Template] = Field(
        default_factory=dict,
        description="Extra headers for this request only (value templates, like the path).",
    )
    body: dict[str, Expression] | None = Field(
        default=None,
        description="Provider body built per key: dotted provider path (`fields.name`) → "
        "expression over the unified body. A key is sent only when the unified fields its "
        "expression reads are present in the input (PATCH semantics); `null` is sent as null.",
    )
    body_always: dict[str, Expression] = Field(
        default_factory=dict,
        description="Body keys sent on every request whatever the input (e.g. a constant).",
    )
