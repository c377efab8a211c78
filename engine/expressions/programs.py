"""Whole mappings as one generated Python function each, compiled once.

`record_program` turns a resource's field mapping (unified field → checked expression) into
one function building the unified record from the provider's record as it is: every field's
code inlined, the reads of the record's fields shared between fields, and a provider's `""`
read as null where it is used (the function gives what the fields' expressions give over
`blank_to_null(record)`, without walking the whole record). `search_program` does the same for one
expression, `select_program` for a filter over a list, and `body_program` for a request body's
keys. Each gives None when the code
cannot be generated (the caller keeps the closures), and the generated code never holds
text taken from a mapping (see `emitter`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any, cast

from engine.expressions.codegen import Generator
from engine.expressions.codegen_text import is_false
from engine.expressions.compiler import CompiledExpression
from engine.expressions.emitter import Emitter
from engine.expressions.nodes import NodeCompiler, ValueMaps

Program = Callable[[Any], Any]
RecordProgram = Callable[[Any], dict[str, Any]]
Selector = Callable[[list[Any]], list[Any]]
_INPUT = "_x"
_log = logging.getLogger(__name__)


def record_program(
    fields: Sequence[tuple[str, CompiledExpression]],
    value_maps: ValueMaps | None = None,
    keep_input: str | None = None,
) -> RecordProgram | None:
    """One function mapping a raw provider record to `{field: value}`, in `fields` order,
    then `keep_input: record` (the record itself, untouched) when a key is given; None when
    the code cannot be generated."""

    def body(generator: Generator, out: Emitter) -> None:
        generator.raw.add(_INPUT)
        generator.hoist([compiled.ast for _, compiled in fields], _INPUT)
        values = [
            (out.const(name), generator.clean(generator.value(c.ast, _INPUT)))
            for name, c in fields
        ]
        if keep_input is not None:
            values.append((out.const(keep_input), _INPUT))
        out.line("return {" + ", ".join(f"{key}: {value}" for key, value in values) + "}")

    return cast("RecordProgram | None", _generate(body, value_maps, "map_record"))


@dataclass(frozen=True)
class BodyEntry:
    """One key of a request body, in the order keys are set."""

    path: tuple[str, ...]
    """The key's dotted path, split (`fields.name` → `("fields", "name")`)."""
    compiled: CompiledExpression
    needs: tuple[str, ...] | None
    """The key is set only when the input holds one of these names; None: always."""
    skip_null: bool
    """A null value is left out."""


def body_program(
    entries: Sequence[BodyEntry],
    set_path: Callable[[dict[str, Any], tuple[str, ...], Any], None],
    value_maps: ValueMaps | None = None,
) -> Program | None:
    """One function building a request body from its input: each entry's value evaluated
    when the input gives what it `needs`, and stored with `set_path(body, path, value)`
    unless it is a null to skip; None when the code cannot be generated."""

    def body(generator: Generator, out: Emitter) -> None:
        generator.hoist([entry.compiled.ast for entry in entries], _INPUT)
        out.line("_body = {}")
        store = out.const(set_path)
        for entry in entries:
            with ExitStack() as stack:
                if entry.needs is not None:
                    given = " or ".join(f"{out.const(name)} in {_INPUT}" for name in entry.needs)
                    stack.enter_context(out.block(f"if {given}"))
                value = generator.value(entry.compiled.ast, _INPUT)
                if entry.skip_null:
                    stack.enter_context(out.block(f"if {value} is not None"))
                out.line(f"{store}(_body, {out.const(entry.path)}, {value})")
        out.line("return _body")

    return _generate(body, value_maps, "build_body")


def search_program(
    compiled: CompiledExpression, value_maps: ValueMaps | None = None
) -> Program | None:
    """One function evaluating `compiled` as its `search` does; None when the code cannot be
    generated."""

    def body(generator: Generator, out: Emitter) -> None:
        generator.hoist([compiled.ast], _INPUT)
        out.line(f"return {generator.value(compiled.ast, _INPUT)}")

    return _generate(body, value_maps, "search")


def select_program(
    compiled: CompiledExpression, value_maps: ValueMaps | None = None
) -> Selector | None:
    """One function keeping, in order, the items of a list for which `compiled` is true
    (JMESPath truth: all but null, false and the empty string, array and object); None when
    the code cannot be generated."""

    def body(generator: Generator, out: Emitter) -> None:
        out.line("_kept = []")
        with out.block(f"for {_INPUT} in _items"):
            generator.hoist([compiled.ast], _INPUT)
            value = generator.value(compiled.ast, _INPUT)
            with out.block(f"if not {is_false(value)}"):
                out.line(f"_kept.append({_INPUT})")
        out.line("return _kept")

    return cast("Selector | None", _generate(body, value_maps, "select", "_items"))


def is_true(value: Any) -> bool:
    """JMESPath truth: anything but null, false, `""`, `[]` and `{}` (a `0` is true)."""
    if value is True:
        return True
    return value is not None and value is not False and value not in ("", [], {})


def _generate(
    body: Callable[[Generator, Emitter], None],
    value_maps: ValueMaps | None,
    name: str,
    argument: str = _INPUT,
) -> Program | None:
    out = Emitter()
    try:
        body(Generator(out, NodeCompiler(value_maps or {})), out)
        return out.function(name, argument)
    except (SyntaxError, RecursionError, MemoryError, ValueError, KeyError, TypeError) as exc:
        _log.debug("kept the closures: cannot generate %s: %s", name, exc)
        return None
