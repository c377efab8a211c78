"""Compile JMESPath expressions into fast Python closures, checked at load time.

JMESPath's reference interpreter walks the AST for every evaluation; mapping tens of
thousands of records field by field makes that the hot path. Here each expression is parsed
once, checked (functions exist, arity, `map_value` names), and turned into nested closures
with exactly JMESPath's semantics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jmespath import exceptions as jp_exceptions

from engine.expressions.limits import ExpressionLimitError, parse_bounded
from engine.expressions.lookups import (
    FIRST_CHILD_ONLY,
    SAME_INPUT,
    ValueLookup,
    value_lookups,
)
from engine.expressions.nodes import Evaluator, ExpressionError, NodeCompiler, ValueMaps

__all__ = [
    "CompiledExpression",
    "Evaluator",
    "ExpressionError",
    "ValueMaps",
    "compile_expression",
    "root_fields",
]


@dataclass(frozen=True)
class CompiledExpression:
    """A checked expression: `search(data)` evaluates it, `root_fields` says what it reads."""

    source: str
    search: Evaluator = field(repr=False, compare=False)
    root_fields: frozenset[str] = frozenset()
    reads_whole_input: bool = False
    value_maps_used: frozenset[str] = frozenset()
    value_lookups: tuple[ValueLookup, ...] = ()
    ast: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """The parsed expression (what `engine.expressions.programs` generates code from)."""


def compile_expression(source: str, value_maps: ValueMaps | None = None) -> CompiledExpression:
    """Parse, check and compile `source`; raise `ExpressionError` naming the problem."""
    try:
        ast = parse_bounded(source)
    except ExpressionLimitError as exc:
        raise ExpressionError(str(exc)) from None
    except jp_exceptions.ParseError as exc:
        raise ExpressionError(f"invalid JMESPath: {_parse_message(exc)}") from None
    except jp_exceptions.JMESPathError as exc:
        raise ExpressionError(f"invalid JMESPath: {exc}") from None
    except (RecursionError, ValueError) as exc:  # e.g. a literal nested beyond json's reach
        detail = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise ExpressionError(f"invalid JMESPath: {detail}") from None
    compiler = NodeCompiler(value_maps or {})
    evaluator = compiler.compile(ast)
    roots, whole = root_fields(ast)
    return CompiledExpression(
        source=source,
        search=evaluator,
        root_fields=frozenset(roots),
        reads_whole_input=whole,
        value_maps_used=frozenset(compiler.maps_used),
        value_lookups=tuple(value_lookups(ast, compiler.compile)),
        ast=ast,
    )


def _parse_message(exc: jp_exceptions.ParseError) -> str:
    detail = str(exc).split("\n", 1)[0]
    if isinstance(exc, jp_exceptions.IncompleteExpressionError):
        detail = "incomplete expression"
    elif isinstance(exc, jp_exceptions.LexerError):
        detail = getattr(exc, "message", detail)
    elif getattr(exc, "msg", None):
        detail = exc.msg
    return f"{detail} at character {exc.lex_position + 1}"


def root_fields(ast: dict[str, Any]) -> tuple[set[str], bool]:
    """The top-level input fields an expression reads, and whether it reads `@` itself."""
    roots: set[str] = set()
    whole = False

    def walk(node: dict[str, Any]) -> None:
        nonlocal whole
        kind = node["type"]
        children = node.get("children", [])
        if kind == "field":
            roots.add(node["value"])
        elif kind == "current":
            whole = True
        elif kind in FIRST_CHILD_ONLY:
            if children and isinstance(children[0], dict):
                walk(children[0])
        elif kind in SAME_INPUT:
            for child in children:
                if isinstance(child, dict):
                    walk(child)

    walk(ast)
    return roots, whole
