"""Templates: text with `{...}` placeholders, each a bare name or a JMESPath expression.

`/lists/{list_id}/members/{md5(lower(email))}`: `{list_id}` is a bare name (the value of that
name), `{md5(lower(email))}` an expression evaluated over the same names. Braces nest, and
quoted strings inside a placeholder may hold any brace, so `{ {a: b}.a }` is one placeholder
(a placeholder starting with a brace needs a space: `{{` and `}}` outside a placeholder are
a literal `{` and `}`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jmespath

from engine.expressions.compiler import CompiledExpression, compile_expression

_BARE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_QUOTES = frozenset("'\"`")


class TemplateError(ValueError):
    """A template that does not parse; the message is for people."""


@dataclass(frozen=True)
class Placeholder:
    """One `{...}` of a template: its source text and whether it is a bare name."""

    source: str

    @property
    def bare(self) -> bool:
        """A plain name (`{list_id}`), not an expression."""
        return _BARE.fullmatch(self.source) is not None


Part = tuple[str, Placeholder | None]
"""A literal text followed by the placeholder after it (None at the end)."""


@lru_cache(maxsize=2048)
def parse_template(template: str) -> tuple[Part, ...]:
    """The template as (literal, placeholder) parts; raise `TemplateError` when malformed."""
    parts: list[Part] = []
    literal: list[str] = []
    index, size = 0, len(template)
    while index < size:
        char = template[index]
        if char in "{}" and template[index + 1 : index + 2] == char:
            literal.append(char)
            index += 2
            continue
        if char == "}":
            raise TemplateError(f"single '}}' at character {index + 1}")
        if char != "{":
            literal.append(char)
            index += 1
            continue
        end = _closing(template, index)
        source = template[index + 1 : end].strip()
        if not source:
            raise TemplateError("empty placeholder '{}': name what fills it, e.g. '{id}'")
        parts.append(("".join(literal), Placeholder(source)))
        literal = []
        index = end + 1
    if literal or not parts:
        parts.append(("".join(literal), None))
    return tuple(parts)


def _closing(template: str, start: int) -> int:
    """Index of the `}` closing the placeholder opened at `start` (nesting, quotes skipped)."""
    depth, quote, index = 0, "", start
    while index < len(template):
        char = template[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif char in _QUOTES:
            quote = char
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    raise TemplateError("expected '}' before end of string")


def placeholders(template: str) -> list[Placeholder]:
    """The placeholders of a template, in order."""
    return [placeholder for _, placeholder in parse_template(template) if placeholder]


@lru_cache(maxsize=2048)
def compile_cached(source: str) -> CompiledExpression:
    """`compile_expression` without value maps, cached (templates outside a mapping)."""
    return compile_expression(source)


def names_read(
    template: str, compile: Callable[[str], CompiledExpression] = compile_cached
) -> set[str]:
    """Every top-level name the template's placeholders read (bare names and expressions)."""
    names: set[str] = set()
    for placeholder in placeholders(template):
        if placeholder.bare:
            names.add(placeholder.source)
        else:
            names |= compile(placeholder.source).root_fields
    return names


def placeholder_value(
    placeholder: Placeholder,
    scope: Mapping[str, Any],
    compile: Callable[[str], CompiledExpression] = compile_cached,
) -> tuple[Any, list[str]]:
    """The placeholder's value over `scope`, and the names to report when it is missing."""
    if placeholder.bare:
        return scope.get(placeholder.source), [placeholder.source]
    compiled = compile(placeholder.source)
    absent = sorted(name for name in compiled.root_fields if scope.get(name) in (None, ""))
    return compiled.search(dict(scope)), absent or [placeholder.source]


def as_text(source: str, value: Any) -> str:
    """A placeholder value as text: strings as they are, numbers and booleans as JSON writes
    them; arrays and objects are refused (a template fills one value)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    kind = "an array" if isinstance(value, list) else "an object"
    raise TypeError(f"placeholder '{{{source}}}' gives {kind}, not one value")


def settings_read(source: str) -> set[str]:
    """The names an expression reads as `settings.<name>` (for load-time checks)."""
    names: set[str] = set()

    def walk(node: Any) -> None:
        if not isinstance(node, dict):
            return
        children = node.get("children", [])
        if node.get("type") == "subexpression" and len(children) >= 2:
            first, second = children[0], children[1]
            if (first.get("type"), first.get("value"), second.get("type")) == (
                "field",
                "settings",
                "field",
            ):
                names.add(second["value"])
        for child in children:
            walk(child)

    walk(jmespath.compile(source).parsed)
    return names
