"""The node handlers of the expression compiler: one closure per JMESPath AST node type.

`NodeCompiler.compile(ast)` turns a parsed expression into nested closures with exactly
JMESPath's semantics, checking functions, arity and `map_value` names on the way.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

from engine.expressions.functions import BUILTIN_NAMES, FUNCTIONS, LIBRARY_NAMES, lookup_value
from engine.expressions.limits import MAX_LIST_LENGTH, OutputTooLarge
from engine.expressions.literals import literal_maker

Evaluator = Callable[[Any], Any]
ValueMaps = Mapping[str, dict[str, str | None]]

_ORDERING = {"lt": operator.lt, "gt": operator.gt, "lte": operator.le, "gte": operator.ge}


class ExpressionError(ValueError):
    """An expression that does not parse or does not check; the message is for people."""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _equals(left: Any, right: Any) -> bool:
    """JMESPath equality: `true` never equals `1`, `false` never equals `0`."""
    if isinstance(left, bool) != isinstance(right, bool) and (
        _is_number(left) or _is_number(right)
    ):
        return False
    return bool(left == right)


def _is_comparable(value: Any) -> bool:
    return _is_number(value)


def _is_false(value: Any) -> bool:
    return value == "" or value == [] or value == {} or value is None or value is False


class _Expression:
    """What JMESPath's `sort_by`/`max_by`… expect from an `&expr` argument.

    The class name matters: JMESPath's type checker recognises expression references by it.
    """

    def __init__(self, evaluator: Evaluator) -> None:
        self.expression = None
        self._evaluator = evaluator

    def visit(self, _node: Any, value: Any) -> Any:
        return self._evaluator(value)


class NodeCompiler:
    """Compiles AST nodes into evaluators; records the value maps it used."""

    def __init__(self, value_maps: ValueMaps) -> None:
        self.value_maps = value_maps
        self.maps_used: set[str] = set()

    def compile(self, node: dict[str, Any]) -> Evaluator:
        method = getattr(self, "_" + node["type"], None)
        if method is None:
            raise ExpressionError(f"unsupported JMESPath construct '{node['type']}'")
        result: Evaluator = method(node)
        return result

    def _children(self, node: dict[str, Any]) -> list[Evaluator]:
        return [self.compile(child) for child in node["children"]]

    def _field(self, node: dict[str, Any]) -> Evaluator:
        name = node["value"]

        def field_(value: Any) -> Any:
            return value.get(name) if isinstance(value, dict) else None

        return field_

    def _field_path(self, names: list[str]) -> Evaluator:
        """`a.b.c` made only of field names: one closure instead of one per step."""
        if len(names) == 2:
            first, second = names

            def pair(value: Any) -> Any:
                if isinstance(value, dict):
                    value = value.get(first)
                    if isinstance(value, dict):
                        return value.get(second)
                return None

            return pair

        def path(value: Any) -> Any:
            for name in names:
                if not isinstance(value, dict):
                    return None
                value = value.get(name)
            return value

        return path

    def _chain(self, node: dict[str, Any]) -> Evaluator:
        children = node["children"]
        if node["type"] == "subexpression" and all(c["type"] == "field" for c in children):
            return self._field_path([c["value"] for c in children])
        steps = self._children(node)
        if len(steps) == 2:
            first, second = steps
            return lambda value: second(first(value))

        def chain(value: Any) -> Any:
            for step in steps:
                value = step(value)
            return value

        return chain

    _subexpression = _chain
    _index_expression = _chain
    _pipe = _chain

    def _current(self, _node: dict[str, Any]) -> Evaluator:
        return lambda value: value

    _identity = _current

    def _literal(self, node: dict[str, Any]) -> Evaluator:
        constant = node["value"]
        make = literal_maker(constant)
        if make is not None:  # a list or dict: a new one each time
            return lambda _value: make()
        return lambda _value: constant

    def _index(self, node: dict[str, Any]) -> Evaluator:
        position = node["value"]

        def index(value: Any) -> Any:
            if not isinstance(value, list):
                return None
            try:
                return value[position]
            except IndexError:
                return None

        return index

    def _slice(self, node: dict[str, Any]) -> Evaluator:
        bounds = slice(*node["children"])
        return lambda value: value[bounds] if isinstance(value, list) else None

    def _comparator(self, node: dict[str, Any]) -> Evaluator:
        left, right = self._children(node)
        op = node["value"]
        if op == "eq":
            return lambda value: _equals(left(value), right(value))
        if op == "ne":
            return lambda value: not _equals(left(value), right(value))
        compare = _ORDERING[op]

        def ordering(value: Any) -> Any:
            a, b = left(value), right(value)
            if not (_is_comparable(a) and _is_comparable(b)):
                return None
            return compare(a, b)

        return ordering

    def _or_expression(self, node: dict[str, Any]) -> Evaluator:
        left, right = self._children(node)

        def or_(value: Any) -> Any:
            matched = left(value)
            return right(value) if _is_false(matched) else matched

        return or_

    def _and_expression(self, node: dict[str, Any]) -> Evaluator:
        left, right = self._children(node)

        def and_(value: Any) -> Any:
            matched = left(value)
            return matched if _is_false(matched) else right(value)

        return and_

    def _not_expression(self, node: dict[str, Any]) -> Evaluator:
        (inner,) = self._children(node)

        def not_(value: Any) -> Any:
            result = inner(value)
            if type(result) in (int, float) and result == 0:
                return False
            return not result

        return not_

    def _flatten(self, node: dict[str, Any]) -> Evaluator:
        (inner,) = self._children(node)

        def flatten(value: Any) -> Any:
            base = inner(value)
            if not isinstance(base, list):
                return None
            merged: list[Any] = []
            for element in base:
                if isinstance(element, list):
                    merged.extend(element)
                else:
                    merged.append(element)
            if len(merged) > MAX_LIST_LENGTH:
                raise OutputTooLarge(len(merged))
            return merged

        return flatten

    def _projection(self, node: dict[str, Any]) -> Evaluator:
        left, right = self._children(node)

        def projection(value: Any) -> Any:
            base = left(value)
            if not isinstance(base, list):
                return None
            return [r for r in (right(e) for e in base) if r is not None]

        return projection

    def _value_projection(self, node: dict[str, Any]) -> Evaluator:
        left, right = self._children(node)

        def value_projection(value: Any) -> Any:
            base = left(value)
            if not isinstance(base, dict):
                return None
            return [r for r in (right(e) for e in base.values()) if r is not None]

        return value_projection

    def _filter_projection(self, node: dict[str, Any]) -> Evaluator:
        left, right, condition = self._children(node)

        def filter_projection(value: Any) -> Any:
            base = left(value)
            if not isinstance(base, list):
                return None
            collected = []
            for element in base:
                if not _is_false(condition(element)):
                    current = right(element)
                    if current is not None:
                        collected.append(current)
            return collected

        return filter_projection

    def _multi_select_list(self, node: dict[str, Any]) -> Evaluator:
        items = self._children(node)
        return lambda value: None if value is None else [item(value) for item in items]

    def _multi_select_dict(self, node: dict[str, Any]) -> Evaluator:
        pairs = [(child["value"], self.compile(child["children"][0])) for child in node["children"]]
        return lambda value: None if value is None else {k: ev(value) for k, ev in pairs}

    def _expref(self, node: dict[str, Any]) -> Evaluator:
        shim = _Expression(self.compile(node["children"][0]))
        return lambda _value: shim

    def _function_expression(self, node: dict[str, Any]) -> Evaluator:
        name = node["value"]
        if name not in BUILTIN_NAMES:
            raise ExpressionError(_unknown_function(name))
        if name == "map_value":
            return self._map_value(node)
        spec = FUNCTIONS.FUNCTION_TABLE[name]["signature"]
        _check_arity(name, spec, len(node["children"]))
        args = self._children(node)
        call = FUNCTIONS.call_function
        if name in LIBRARY_NAMES:
            return _direct_call(name, args, call)

        def function(value: Any) -> Any:
            return call(name, [arg(value) for arg in args])

        return function

    def _map_value(self, node: dict[str, Any]) -> Evaluator:
        children = node["children"]
        if len(children) != 2:
            raise ExpressionError("map_value() takes 2 arguments: map_value(value, 'map_name')")
        name_node = children[1]
        if name_node["type"] != "literal" or not isinstance(name_node["value"], str):
            raise ExpressionError("map_value(): the map name must be a literal string")
        map_name = name_node["value"]
        if map_name not in self.value_maps:
            raise ExpressionError(_unknown_map(map_name, self.value_maps))
        self.maps_used.add(map_name)
        value_map = self.value_maps[map_name]
        argument = self.compile(children[0])
        return lambda value: lookup_value(value_map, argument(value))


def _direct_call(
    name: str, args: list[Evaluator], call: Callable[[str, list[Any]], Any]
) -> Evaluator:
    """Call a library function without JMESPath's per-call type checks (they are null-tolerant
    by design); a value of the wrong type falls back to the checked call for its clear error."""
    direct = getattr(FUNCTIONS, "_func_" + name)
    if len(args) == 1:
        (only,) = args

        def unary(value: Any) -> Any:
            argument = only(value)
            try:
                return direct(argument)
            except (TypeError, AttributeError):
                return call(name, [argument])

        return unary

    def function(value: Any) -> Any:
        arguments = [arg(value) for arg in args]
        try:
            return direct(*arguments)
        except (TypeError, AttributeError):
            return call(name, arguments)

    return function


def _check_arity(name: str, signature: tuple[dict[str, Any], ...], given: int) -> None:
    expected = len(signature)
    variadic = bool(signature) and bool(signature[-1].get("variadic"))
    if variadic and given >= expected - 1 and given >= 1:
        return
    if given != expected:
        word = "at least " if variadic else ""
        raise ExpressionError(
            f"{name}() takes {word}{expected} argument{'s' if expected != 1 else ''}, got {given}"
        )


def _unknown_function(name: str) -> str:
    from engine.suggest import did_you_mean

    return f"unknown function '{name}()'{did_you_mean(name, sorted(BUILTIN_NAMES))}"


def _unknown_map(name: str, value_maps: ValueMaps) -> str:
    from engine.suggest import did_you_mean

    return f"unknown value map '{name}'{did_you_mean(name, sorted(value_maps))}"
