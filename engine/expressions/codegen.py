"""Generate Python statements from JMESPath ASTs, with exactly the closure compiler's semantics.

`Generator.value(node, input)` emits the statements that evaluate `node` over the variable
`input` and returns the name holding the result. Each handler mirrors its closure in
`nodes.py` (which mirrors JMESPath's reference interpreter); a node it has no handler for, or
one nested deeper than `MAX_BLOCK_DEPTH`, runs as that closure, bound as a constant, so
whatever is generated behaves as the closure path does.

Raw input. A record program reads the provider's record as it is, though its expressions are
specified over the record with every `""` read as null (`blank_to_null`). The generator
tracks which names may hold raw data (`raw`): navigating (fields, indexes, slices,
projections, flattening) and testing truth work on raw data unchanged, and every other use
(function arguments, equality, multi-select members, the program's results) first cleans
the value: a `""` becomes null and a container holding one is cleaned as `blank_to_null`
cleans it. So a record is cleaned only where it is used, not walked whole.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from engine.expressions.codegen_calls import all_text, call, raw_id
from engine.expressions.codegen_text import (
    cleaned,
    compacted,
    is_false,
    is_null,
    is_text,
    text_literals,
)
from engine.expressions.emitter import Emitter
from engine.expressions.functions import FUNCTIONS, lookup_value
from engine.expressions.keeping import KEEPING
from engine.expressions.limits import MAX_LIST_LENGTH, OutputTooLarge
from engine.expressions.literals import literal_maker
from engine.expressions.lookups import FIRST_CHILD_ONLY, SAME_INPUT
from engine.expressions.nodes import NodeCompiler, _equals, _is_comparable
from engine.unified.blanks import blank_to_null

MAX_BLOCK_DEPTH = 12
MAX_HOIST_DEPTH = 6
"""Field paths read ahead are at most this deep (each level is one more nested block)."""
"""Python allows 20 statically nested blocks; a subtree starting deeper runs as a closure."""

_ORDERING = {"lt": "<", "gt": ">", "lte": "<=", "gte": ">="}
_HELPERS: dict[str, Any] = {
    "_equals": _equals,
    "_comparable": _is_comparable,
    "_lookup": lookup_value,
    "_call": FUNCTIONS.call_function,
    "_blank": blank_to_null,
    "_numbers": frozenset({int, float, bool}),
    "_all_text": all_text,
}


class Generator:
    """Emits the code of JMESPath nodes into an `Emitter`."""

    def __init__(self, out: Emitter, closures: NodeCompiler) -> None:
        self.out = out
        self.closures = closures
        self.raw: set[str] = set()
        """Names that may hold raw provider data (a `""` not yet read as null)."""
        self.blank_free: set[str] = set()
        """Names of literals holding no `""`: cleaning them changes nothing."""
        self._memo: dict[tuple[str, Any], str] = {}
        self._clean_memo: dict[str, str] = {}
        out.namespace.update(_HELPERS)

    def clean(self, name: str) -> str:
        """`name` itself when it holds no raw data, else a name holding it cleaned."""
        if name not in self.raw:
            return name
        known = self._clean_memo.get(name)
        if known is not None:
            return known
        result = self._assign(cleaned(name))
        if self.out.depth == 1:
            self._clean_memo[name] = result
        return result

    def _raw_if(self, name: str, *sources: str) -> str:
        """Mark `name` raw when any of `sources` is; return it."""
        if self.raw.intersection(sources):
            self.raw.add(name)
        return name

    def _null_test(self, name: str) -> str:
        """`name` reads as null (a raw `""` does too)."""
        if name not in self.raw:
            return f"{name} is None"
        return f"({name} is None or type({name}) is not dict and {name} == '')"

    def value(self, node: dict[str, Any], source: str) -> str:
        """Emit `node` evaluated over `source`; the name holding its value."""
        handler = getattr(self, "_" + node["type"], None)
        if handler is None or self.out.depth > MAX_BLOCK_DEPTH:
            return self._closure(node, source)
        name: str = handler(node, source)
        return name

    def hoist(self, nodes: list[dict[str, Any]], source: str) -> None:
        """Emit, unconditionally and first, every field read `nodes` make of `source` (and of
        the fields read from it), one type test per object read; every later read of the same
        field, in any branch, reuses them. Reading a field is pure and never fails, so reading
        it ahead changes nothing."""
        tree: Tree = {}
        for node in nodes:
            _collect(node, tree)
        if tree:
            self._read_tree(source, tree)

    def _read_tree(self, source: str, tree: Tree) -> list[str]:
        """`source`'s fields of `tree`, and theirs, read; every name assigned (null when
        `source` is no object)."""
        assigned: list[str] = []
        out = self.out
        with out.block(f"if isinstance({source}, dict)"):
            for field, below in tree.items():
                name = self._assign(f"{source}.get({out.const(field)})")
                self._memo[(source, field)] = self._raw_if(name, source)
                assigned.append(name)
                if below:
                    assigned += self._read_tree(name, below)
        with out.block("else"):
            out.line(" = ".join(assigned) + " = None")
        return assigned

    def _assign(self, expression: str) -> str:
        name = self.out.temp()
        self.out.line(f"{name} = {expression}")
        return name

    def _closure(self, node: dict[str, Any], source: str) -> str:
        evaluator = self.out.const(self.closures.compile(node))
        return self._assign(f"{evaluator}({self.clean(source)})")

    def _field(self, node: dict[str, Any], source: str) -> str:
        key = (source, node["value"])
        known = self._memo.get(key)
        if known is not None:
            return known
        field = self.out.const(node["value"])
        name = self._assign(f"{source}.get({field}) if isinstance({source}, dict) else None")
        self._raw_if(name, source)
        if self.out.depth == 1:  # unconditionally evaluated: later statements may reuse it
            self._memo[key] = name
        return name

    def _chain(self, node: dict[str, Any], source: str) -> str:
        current = source
        for child in node["children"]:
            current = self.value(child, current)
        return current

    _subexpression = _chain
    _index_expression = _chain
    _pipe = _chain

    def _current(self, _node: dict[str, Any], source: str) -> str:
        return source

    _identity = _current

    def _literal(self, node: dict[str, Any], _source: str) -> str:
        value = node["value"]
        make = literal_maker(value)
        if make is None:
            name = self.out.const(value)
        elif not value:  # `[]` or `{}`: a fresh one, written out
            name = self._assign("[]" if type(value) is list else "{}")
        else:  # a copy of the constant: no result shares a container with another
            name = self._assign(f"{self.out.const(make)}()")
        if blank_to_null(value) is value:
            self.blank_free.add(name)
        return name

    def _index(self, node: dict[str, Any], source: str) -> str:
        at = self.out.const(node["value"])
        name = self._assign(
            f"{source}[{at}] if isinstance({source}, list) "
            f"and -len({source}) <= {at} < len({source}) else None"
        )
        return self._raw_if(name, source)

    def _slice(self, node: dict[str, Any], source: str) -> str:
        bounds = self.out.const(slice(*node["children"]))
        name = self._assign(f"{source}[{bounds}] if isinstance({source}, list) else None")
        return self._raw_if(name, source)

    def _comparator(self, node: dict[str, Any], source: str) -> str:
        left, right = (self.value(child, source) for child in node["children"])
        op = node["value"]
        if op in ("eq", "ne"):
            left, right = self.clean(left), self.clean(right)
            negate = "not " if op == "ne" else ""
            if any(is_text(child) for child in node["children"]):  # no number/boolean case
                return self._assign(f"{negate}({left} == {right})")
            if any(is_null(child) for child in node["children"]):  # only null equals null
                other = right if is_null(node["children"][0]) else left
                return self._assign(f"{negate}({other} is None)")
            return self._assign(f"{negate}_equals({left}, {right})")
        symbol = _ORDERING[op]  # raw or clean, a `""` is no number: no need to clean
        return self._assign(
            f"({left} {symbol} {right}) if _comparable({left}) and _comparable({right}) else None"
        )

    def _or_expression(self, node: dict[str, Any], source: str) -> str:
        return self._short_circuit(node, source, "if ")

    def _and_expression(self, node: dict[str, Any], source: str) -> str:
        return self._short_circuit(node, source, "if not ")

    def _short_circuit(self, node: dict[str, Any], source: str, test: str) -> str:
        """`||` and `&&`: one side's value. A raw side mixed with a clean one is cleaned in
        its branch, so a name is raw only when all of its value comes from the input (a
        literal without blanks reads the same cleaned or not: it never forces cleaning)."""
        left, right = node["children"]
        first = self.value(left, source)
        name = self._assign(first)
        with self.out.block(test + is_false(name)):
            second = self.value(right, source)
            raw_first, raw_second = first in self.raw, second in self.raw
            if {first, second} & self.blank_free:
                raw_first = raw_second = raw_first or raw_second
            mixed = raw_first != raw_second
            self.out.line(f"{name} = {self.clean(second) if mixed else second}")
        if mixed and raw_first:
            with self.out.block("else"):
                self.out.line(f"{name} = {cleaned(name)}")
        elif raw_first:
            self.raw.add(name)
        return name

    def _not_expression(self, node: dict[str, Any], source: str) -> str:
        inner = self.value(node["children"][0], source)
        return self._assign(
            f"False if type({inner}) in (int, float) and {inner} == 0 else not {inner}"
        )

    def _flatten(self, node: dict[str, Any], source: str) -> str:
        base = self.value(node["children"][0], source)
        name, item, out = self.out.temp(), self.out.temp(), self.out
        with out.block(f"if isinstance({base}, list)"):
            out.line(f"{name} = []")
            with out.block(f"for {item} in {base}"):
                with out.block(f"if isinstance({item}, list)"):
                    out.line(f"{name}.extend({item})")
                with out.block("else"):
                    out.line(f"{name}.append({item})")
            with out.block(f"if len({name}) > {out.const(MAX_LIST_LENGTH)}"):
                out.line(f"raise {out.const(OutputTooLarge)}(len({name}))")
        with out.block("else"):
            out.line(f"{name} = None")
        return self._raw_if(name, base)

    def _projection(self, node: dict[str, Any], source: str) -> str:
        return self._project(node, source, "list", "")

    def _value_projection(self, node: dict[str, Any], source: str) -> str:
        return self._project(node, source, "dict", ".values()")

    def _filter_projection(self, node: dict[str, Any], source: str) -> str:
        return self._project(node, source, "list", "")

    def _project(self, node: dict[str, Any], source: str, kind: str, items: str) -> str:
        """`[*]`, `*` and `[?...]`: the right side over each item, nulls dropped."""
        children = node["children"]
        base = self.value(children[0], source)
        name, item, out = self.out.temp(), self.out.temp(), self.out
        self._raw_if(item, base)
        with out.block(f"if isinstance({base}, {kind})"):
            if children[1]["type"] == "identity" and len(children) == 2:
                keep = self._null_test(item)
                out.line(f"{name} = [{item} for {item} in {base}{items} if not {keep}]")
                self._raw_if(name, item)
            else:
                out.line(f"{name} = []")
                with out.block(f"for {item} in {base}{items}"), ExitStack() as stack:
                    self.hoist(children[1:], item)
                    if len(children) == 3:
                        condition = self.value(children[2], item)
                        stack.enter_context(out.block("if not " + is_false(condition)))
                    result = self.value(children[1], item)
                    with out.block(f"if not {self._null_test(result)}"):
                        out.line(f"{name}.append({result})")
                    self._raw_if(name, result)
        with out.block("else"):
            out.line(f"{name} = None")
        return name

    def _multi_select_list(self, node: dict[str, Any], source: str) -> str:
        return self._multi_select(source, node["children"], lambda values: ", ".join(values))

    def _multi_select_dict(self, node: dict[str, Any], source: str) -> str:
        pairs = node["children"]
        keys = [self.out.const(pair["value"]) for pair in pairs]

        def entries(values: list[str]) -> str:
            return ", ".join(f"{k}: {v}" for k, v in zip(keys, values, strict=True))

        return self._multi_select(source, [pair["children"][0] for pair in pairs], entries, "{}")

    def _multi_select(
        self,
        source: str,
        members: list[dict[str, Any]],
        items: Callable[[list[str]], str],
        brackets: str = "[]",
    ) -> str:
        """`[a, b]` and `{k: a}`: null for a null input, else every member evaluated."""
        name, out = self.out.temp(), self.out
        with out.block(f"if {self._null_test(source)}"):
            out.line(f"{name} = None")
        with out.block("else"):
            values = [self.clean(self.value(member, source)) for member in members]
            out.line(f"{name} = {brackets[0]}{items(values)}{brackets[1]}")
        return name

    def _expref(self, node: dict[str, Any], _source: str) -> str:
        return self.out.const(self.closures.compile(node)(None))

    def _function_expression(self, node: dict[str, Any], source: str) -> str:
        name = node["value"]
        children = node["children"]
        if name == "map_value":
            argument = self.clean(self.value(children[0], source))
            return call(self.out, name, [argument], self.closures.value_maps[children[1]["value"]])
        if name == "compact" and len(children) == 1 and children[0]["type"] == "multi_select_list":
            return self._multi_select(source, children[0]["children"], compacted, "()")
        values = [self.value(child, source) for child in children[:1]]
        if values and values[0] in self.raw:  # arities were checked at load
            if name == "to_id":
                return raw_id(self.out, values[0], self.clean)
            if name in KEEPING:
                return self._keeping(name, values[0], children[1], source)
        values += [self.value(child, source) for child in children[1:]]
        return call(self.out, name, [self.clean(value) for value in values])

    def _keeping(self, name: str, obj: str, keys_node: dict[str, Any], source: str) -> str:
        """`omit`/`pick` of a raw object: its kept values cleaned in the same pass (the usual
        call, then the result cleaned, for arguments of other types). Keys written as an
        array of strings are a constant (the array is null only over a null input)."""
        result, out = self.out.temp(), self.out
        literal = text_literals(keys_node)
        if literal is not None:
            keys = out.const(frozenset(literal) if name == "omit" else literal)
            test = f"type({obj}) is dict and not {self._null_test(source)}"
        else:
            keys = self.clean(self.value(keys_node, source))
            test = f"type({obj}) is dict and type({keys}) is list"
        with out.block("if " + test):
            if name == "omit" and literal is not None:  # the comprehension inline
                kept = f"{cleaned('_item')} for _key, _item in {obj}.items() if _key not in {keys}"
                out.line(f"{result} = {{_key: {kept}}}")
            else:
                out.line(f"{result} = {out.const(KEEPING[name])}({obj}, {keys})")
        with out.block("else"):
            if literal is not None:
                keys = self.clean(self.value(keys_node, source))
            # omit/pick never look at the values they keep: clean what is left afterwards
            first = self._assign(f"None if {obj} == '' else {obj}")
            kept = call(self.out, name, [first, keys])
            out.line(f"{result} = {cleaned(kept)}")
        return result


Tree = dict[str, "Tree"]
"""Field names read from a value, each with the field names read from it."""


def _collect(node: dict[str, Any], tree: Tree, depth: int = 0) -> None:
    """Add the field paths `node` reads from its own input to `tree` (up to
    `MAX_HOIST_DEPTH` fields deep: deeper ones are read where they are used)."""
    if depth >= MAX_HOIST_DEPTH:
        return
    kind = node["type"]
    children = [child for child in node.get("children", []) if isinstance(child, dict)]
    if kind == "field":
        tree.setdefault(node["value"], {})
    elif kind == "subexpression":
        for child in children:
            if child["type"] != "field":
                _collect(child, tree, depth)
                break
            if depth >= MAX_HOIST_DEPTH:
                return
            tree = tree.setdefault(child["value"], {})
            depth += 1
    elif kind in FIRST_CHILD_ONLY and children:
        _collect(children[0], tree, depth)
    elif kind in SAME_INPUT:
        for child in children:
            _collect(child, tree, depth)
