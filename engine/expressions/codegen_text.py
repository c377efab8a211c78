"""Pieces of generated expression code: Python tests and expressions over generated names,
and what the generator reads from AST nodes (no text of a mapping ever enters the code)."""

from __future__ import annotations

from typing import Any


def is_false(name: str) -> str:
    """JMESPath falsiness of the variable `name`, as a Python test: null, false, and the
    empty string, array and object (Python's falsy values but for the numbers zero)."""
    return f"(not {name} and type({name}) is not int and type({name}) is not float)"


def cleaned(name: str) -> str:
    """`name` with a raw `""` read as null, at any depth."""
    return (
        f"({name} or None) if type({name}) is str else {name} if {name} is None "
        f"or type({name}) in _numbers else _blank({name})"
    )


def compacted(values: list[str]) -> str:
    """`compact([a, b, ...])` of the variables `values`: the non-null ones, in order, in a new
    list (no loop when none is null)."""
    present = " and ".join(f"{value} is not None" for value in values)
    listed = ", ".join(values)
    return f"[{listed}] if {present} else [_item for _item in ({listed},) if _item is not None]"


def text_literals(node: dict[str, Any]) -> tuple[str, ...] | None:
    """The strings of an array written as string literals (`['a', 'b']`), else None."""
    if node["type"] != "multi_select_list":
        return None
    children = node["children"]
    if not all(child["type"] == "literal" and type(child["value"]) is str for child in children):
        return None
    return tuple(child["value"] for child in children)


def is_text(node: dict[str, Any]) -> bool:
    """Whether `node` is a string literal."""
    return node["type"] == "literal" and type(node["value"]) is str


def is_null(node: dict[str, Any]) -> bool:
    """Whether `node` is the literal `null`."""
    return node["type"] == "literal" and node["value"] is None
