"""Expressions: JMESPath plus the Unimap function library, compiled once and checked."""

from engine.expressions.compiler import (
    CompiledExpression,
    ExpressionError,
    compile_expression,
)

__all__ = ["CompiledExpression", "ExpressionError", "compile_expression"]
