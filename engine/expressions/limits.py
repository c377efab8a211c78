"""Limits on mapping expressions, checked before and after parsing.

Mappings may come from others, so an expression is refused (an `ExpressionError`, a located
problem in `unimap validate`) when it is too long, nested too deeply for the recursive parser
and compiler (parentheses, brackets, literals, chains of pipes), or when its output can grow
exponentially with its input (`[@, @][]` repeated doubles the data at every step).
"""

from __future__ import annotations

from typing import Any

import jmespath
from jmespath.exceptions import JMESPathError

MAX_EXPRESSION_CHARS = 4_000
"""The longest expression (characters); the bundled mappings' longest is a few hundred."""
MAX_NESTING = 64
"""The deepest nesting of brackets, braces and parentheses (JSON literals included)."""
MAX_AST_DEPTH = 100
"""The deepest parsed expression (a chain of 100 pipes or dots is 100 deep)."""
MAX_GROWTH = 1_000
"""The largest factor by which an expression's output may outgrow its input (an estimate:
ten doublings pass it, a mapping of a few hundred fields does not)."""
MAX_LIST_LENGTH = 100_000
"""The longest list an evaluation may build by flattening: the run-time bound."""

_OPENING = frozenset("([{")
_CLOSING = frozenset(")]}")


class ExpressionLimitError(ValueError):
    """An expression beyond one of the limits; the message says which."""


class OutputTooLarge(JMESPathError):
    """An evaluation that built a list longer than `MAX_LIST_LENGTH` (a per-record error at
    run time: the record mapper maps that field to null with a warning)."""

    def __init__(self, length: int) -> None:
        super().__init__(
            f"the expression built a list of {length} values (the limit is {MAX_LIST_LENGTH})"
        )


def check_source(source: str) -> None:
    """Refuse a source that is too long or nested too deeply, before parsing it."""
    depth = 0
    for position, char in enumerate(source):
        if char in _OPENING:
            depth += 1
            if depth > MAX_NESTING:
                raise ExpressionLimitError(
                    f"expression nested more than {MAX_NESTING} levels deep "
                    f"(at character {position + 1})"
                )
        elif char in _CLOSING:
            depth = max(0, depth - 1)
    if len(source) > MAX_EXPRESSION_CHARS:
        raise ExpressionLimitError(
            f"expression too long ({len(source)} characters; the limit is {MAX_EXPRESSION_CHARS})"
        )


def parse_bounded(source: str) -> dict[str, Any]:
    """The JMESPath tree of `source`, within the limits: `ExpressionLimitError` beyond them,
    JMESPath's own errors for what does not parse."""
    check_source(source)
    try:
        ast: dict[str, Any] = jmespath.compile(source).parsed  # type: ignore[assignment]
    except RecursionError:
        raise ExpressionLimitError("expression nested too deeply") from None
    check_ast(ast)
    return ast


def check_ast(ast: dict[str, Any]) -> None:
    """Refuse a parsed expression that is too deep or whose output can grow exponentially."""
    stack: list[tuple[Any, int]] = [(ast, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_AST_DEPTH:
            raise ExpressionLimitError(
                f"expression nested more than {MAX_AST_DEPTH} levels deep (pipes, dots, "
                "operators and brackets all count)"
            )
        stack.extend((child, depth + 1) for child in _children(node))
    factor, _ = growth(ast)
    if factor > MAX_GROWTH:
        raise ExpressionLimitError(
            f"the expression's output can grow to {factor:g} times its input (the limit is "
            f"{MAX_GROWTH}): repeated multi-selects such as `[@, @][]` double the data at "
            "every step"
        )


def _children(node: Any) -> list[dict[str, Any]]:
    if not isinstance(node, dict):
        return []
    return [child for child in node.get("children", []) if isinstance(child, dict)]


_SAME_SIZE = frozenset({"current", "field", "identity", "index", "slice", "flatten", "expref"})
_COMPOSED = frozenset({"subexpression", "pipe", "index_expression"})
_PROJECTIONS = frozenset({"projection", "value_projection", "filter_projection"})
_SCALARS = frozenset({"comparator", "not_expression"})
_EITHER = frozenset({"or_expression", "and_expression"})


def growth(node: dict[str, Any]) -> tuple[float, float]:
    """`(k, c)` such that the expression's output holds at most `k * n + c` values for an
    input of `n` values (an over-estimate; functions count as the sum of their arguments).
    Call on a tree whose depth `check_ast` bounded."""
    kind = node.get("type")
    children = _children(node)
    if kind in _SAME_SIZE and len(children) <= 1:
        return growth(children[0]) if children else (1.0, 0.0)
    if kind == "literal":
        return 0.0, float(len(str(node.get("value"))))
    if kind in _SCALARS:
        return 0.0, 1.0
    if kind in _EITHER:  # the value of one side or the other
        parts = [growth(child) for child in children]
        return max(k for k, _ in parts), max(c for _, c in parts)
    if kind in _COMPOSED and len(children) == 2:
        (k_left, c_left), (k_right, c_right) = growth(children[0]), growth(children[1])
        return k_right * k_left, k_right * c_left + c_right
    if kind in _PROJECTIONS:
        left, right = children[0], children[-1]
        (k_left, c_left), (k_right, c_right) = growth(left), growth(right)
        per_value = k_right + c_right
        return k_left * per_value, c_left * per_value + 1
    parts = [growth(child) for child in children]
    return sum(k for k, _ in parts), sum(c for _, c in parts) + 1
