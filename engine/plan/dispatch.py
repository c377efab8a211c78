"""Choosing the plan for a unified call (shared by the sync and async connections)."""

from __future__ import annotations

from typing import Any

from engine.errors import FieldProblem, ValidationError
from engine.plan import operations
from engine.plan.calls import CallContext
from engine.plan.each import each
from engine.plan.messages import Plan
from engine.plan.writes import write


def split_list_query(query: dict[str, Any] | None) -> tuple[dict[str, Any], int | None, str | None]:
    """Filters, limit and cursor of a list call's query (`limit` may arrive as text)."""
    filters = dict(query or {})
    limit = filters.pop("limit", None)
    cursor = filters.pop("next_cursor", None) or filters.pop("cursor", None)
    if isinstance(limit, str):
        if not limit.strip().isdigit():
            raise ValidationError(
                "limit must be a positive integer",
                details=[FieldProblem("limit", "must be a positive integer")],
            )
        limit = int(limit)
    return filters, limit, cursor


def plan_call(
    ctx: CallContext, call_id: Any = None, query: dict[str, Any] | None = None, body: Any = None
) -> Plan[Any]:
    """The plan of one unified call."""
    method = ctx.method
    if method == "list":
        filters, limit, cursor = split_list_query(query)
        return operations.list_page(ctx, filters, limit, cursor)
    if query:
        raise ValidationError(
            f"{ctx.name} takes no query parameters",
            details=[FieldProblem(name, "is not accepted here") for name in query],
        )
    if method == "get":
        return operations.get(ctx, call_id)
    if method == "delete":
        return operations.delete(ctx, call_id)
    if body is None:
        raise ValidationError(
            f"{ctx.name} needs a body", details=[FieldProblem("", "a body is required")]
        )
    if ctx.operation.each is not None:
        return each(ctx, call_id, body)
    return write(ctx, call_id, body)
