"""The `map_value` lookups of an expression whose argument is read from the expression's input.

A write checks each such lookup before sending: a unified value the provider's value map has
no entry for (and no `_default`) is refused, naming the unified field it came from.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Evaluator = Callable[[Any], Any]

SAME_INPUT = frozenset(
    {
        "function_expression",
        "or_expression",
        "and_expression",
        "not_expression",
        "comparator",
        "multi_select_list",
        "multi_select_dict",
        "key_val_pair",
    }
)
"""Nodes whose children are all evaluated over the node's own input."""
FIRST_CHILD_ONLY = frozenset(
    {
        "subexpression",
        "index_expression",
        "pipe",
        "projection",
        "value_projection",
        "filter_projection",
        "flatten",
    }
)
"""Nodes whose first child alone is evaluated over the node's own input."""


@dataclass(frozen=True)
class ValueLookup:
    """`map_value(argument, 'map_name')` evaluated on the same input as its expression."""

    field: str
    map_name: str
    argument: Evaluator = dataclasses.field(repr=False, compare=False)


def argument_name(node: dict[str, Any]) -> str | None:
    """`status` or `address.country` for a plain field path; None for anything else."""
    if node["type"] == "field":
        return str(node["value"])
    if node["type"] == "subexpression" and all(c["type"] == "field" for c in node["children"]):
        return ".".join(str(c["value"]) for c in node["children"])
    return None


def value_lookups(
    ast: dict[str, Any], compile_node: Callable[[Any], Evaluator]
) -> list[ValueLookup]:
    """Every `map_value` whose argument is a field path of the expression's own input (not
    one inside a projection or after a pipe, where the input is another value)."""
    found: list[ValueLookup] = []

    def walk(node: dict[str, Any]) -> None:
        kind = node["type"]
        children = [c for c in node.get("children", []) if isinstance(c, dict)]
        if kind == "function_expression" and node["value"] == "map_value" and len(children) == 2:
            name = argument_name(children[0])
            map_name = children[1].get("value")
            if name is not None and isinstance(map_name, str):
                found.append(ValueLookup(name, map_name, compile_node(children[0])))
                return
        if kind in SAME_INPUT:
            for child in children:
                walk(child)
        elif kind in FIRST_CHILD_ONLY and children:
            walk(children[0])

    walk(ast)
    return found
