"""Generated function calls: how each call is written, with the closures' exact semantics.

* `map_value`: the lookup, on the map bound as a constant.
* The Unimap library: for the arguments a function surely takes (a string id, a list to
  compact, a null...), its value inline; otherwise called directly, as the closures call it,
  and a `TypeError` or `AttributeError` retries through JMESPath's checked call for its
  clear error.
* JMESPath's built-ins taking any type (`type`, `to_string`, ...): called directly, since the
  checked call would check nothing but the arity, already checked at load time.
* A few built-ins inlined for the arguments their checked call surely accepts (exact
  types), with the same result; any other argument goes through the checked call.
* Everything else: the checked call.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from engine.expressions.emitter import Emitter
from engine.expressions.functions import FUNCTIONS, LIBRARY_NAMES, PLAIN


def _not_null(values: list[str], _checked: str) -> str:
    expression = "None"
    for value in reversed(values):
        expression = f"{value} if {value} is not None else ({expression})"
    return expression


def _length(values: list[str], checked: str) -> str:
    (value,) = values
    return f"len({value}) if type({value}) in (str, list, dict) else {checked}"


def all_text(items: list[Any]) -> bool:
    """Whether every item is a `str` (exactly: what `join` inline takes)."""
    for item in items:  # noqa: SIM110 (a loop costs a third of `all` over a generator)
        if type(item) is not str:
            return False
    return True


def _join(values: list[str], checked: str) -> str:
    separator, items = values
    pair = f"len({items}) == 2 and type({items}[0]) is str and type({items}[1]) is str"
    return (
        f"{separator}.join({items}) if type({separator}) is str and type({items}) is list "
        f"and ({pair} or _all_text({items})) else {checked}"
    )


_INLINED: dict[str, Callable[[list[str], str], str]] = {
    "not_null": _not_null,
    "length": _length,
    "join": _join,
}

_SMALL_INT = "-1000000000000000000 < {0} < 1000000000000000000"
"""An integer Python writes out in full without a second thought."""


def _library_fast(name: str, values: list[str], out: Emitter) -> list[tuple[str, str]]:
    """(test, expression) pairs giving a library function's value for the arguments it
    surely takes (the function itself answers any other)."""
    first = values[0]
    if name == "coalesce":  # takes anything: the first non-null
        return [("True", _not_null(values, ""))]
    if name == "nonempty":  # takes anything
        empty = f"None if {first} == '' or {first} == [] or {first} == {{}} else {first}"
        return [("True", f"({first} or None) if type({first}) is str else ({empty})")]
    if name == "to_id":
        return [
            (f"type({first}) is str", first),
            (f"{first} is None", "None"),
            (f"type({first}) is int and {_SMALL_INT.format(first)}", f"str({first})"),
        ]
    if name == "compact":
        return [
            (f"type({first}) is list", f"[_item for _item in {first} if _item is not None]"),
            (f"{first} is None", "None"),
        ]
    if name == "entries":
        pair = f"{{{out.const('key')}: _key, {out.const('value')}: _item}}"
        return [
            (f"type({first}) is dict", f"[{pair} for _key, _item in {first}.items()]"),
            (f"{first} is None", "None"),
        ]
    if name == "to_iso8601":
        return [(f"{first} is None", "None")]
    return []


def _takes_anything(name: str, given: int) -> bool:
    """Whether JMESPath's checked call of `name` with `given` arguments checks no type."""
    signature = FUNCTIONS.FUNCTION_TABLE[name]["signature"]
    variadic = bool(signature) and bool(signature[-1].get("variadic"))
    arity_ok = given >= len(signature) if variadic else given == len(signature)
    return arity_ok and all(not spec["types"] for spec in signature)


def call(out: Emitter, name: str, values: list[str], value_map: Any = None) -> str:
    """Emit the call of function `name` on the (cleaned) argument names `values`; the name
    holding its result. `value_map` is the map of a `map_value` call."""
    result = out.temp()
    args = ", ".join(values)
    if name == "map_value":
        default = out.const(value_map.get("_default"))
        found = f"{out.const(value_map)}.get({values[0]}, {default})"
        fallback = f"_lookup({out.const(value_map)}, {values[0]})"
        out.line(f"{result} = {found} if type({values[0]}) is str else {fallback}")
        return result
    checked = f"_call({out.const(name)}, [{args}])"
    inlined = _INLINED.get(name)
    if inlined is not None:
        out.line(f"{result} = {inlined(values, checked)}")
    elif name in LIBRARY_NAMES:
        _library_call(out, name, values, result, checked)
    elif _takes_anything(name, len(values)):
        out.line(f"{result} = {out.const(getattr(FUNCTIONS, '_func_' + name))}({args})")
    else:
        out.line(f"{result} = {checked}")
    return result


def _library_call(out: Emitter, name: str, values: list[str], result: str, checked: str) -> None:
    """A library function: its value inline for the arguments it surely takes, else called
    directly, retried through the checked call for its clear error."""
    fast = _library_fast(name, values, out)
    if fast and fast[0][0] == "True":
        out.line(f"{result} = {fast[0][1]}")
        return
    for index, (test, expression) in enumerate(fast):
        with out.block(("if " if index == 0 else "elif ") + test):
            out.line(f"{result} = {expression}")
    with ExitStack() as stack:
        if fast:
            stack.enter_context(out.block("else"))
        with out.block("try"):
            function = PLAIN.get(name) or getattr(FUNCTIONS, "_func_" + name)
            out.line(f"{result} = {out.const(function)}({', '.join(values)})")
        with out.block("except (TypeError, AttributeError)"):
            out.line(f"{result} = {checked}")


def raw_id(out: Emitter, raw: str, clean: Callable[[str], str]) -> str:
    """`to_id` of a raw value (a `""` not yet read as null), the usual ids first: a text
    is its own id (`""` is null), a small integer its digits; any other value is cleaned
    (`clean(raw)`: the name holding it) and takes the usual call."""
    result = out.temp()
    with out.block(f"if type({raw}) is str"):
        out.line(f"{result} = {raw} or None")
    with out.block(f"elif type({raw}) is int and {_SMALL_INT.format(raw)}"):
        out.line(f"{result} = str({raw})")
    with out.block("else"):
        out.line(f"{result} = {call(out, 'to_id', [clean(raw)])}")
    return result
