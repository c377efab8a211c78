"""Differential tests on generated inputs: random expressions from a JMESPath grammar over
random JSON documents.

* Expressions of JMESPath's own functions: the generated code gives what the reference
  `jmespath` interpreter gives (same value and type, or the same class of error).
* Expressions using the Unimap library too: the generated code gives what the closures give
  (the library is called directly, as the closures call it).
* As a record program over a raw record (blanks `""` anywhere): what the closures give over
  the record with its blanks read as null.
* As a filter over a list of documents: the items the closures' value is true for.

Bounded: 100 examples each (900 with `UNIMAP_LONG_TESTS=1`, see `tests/budget.py`),
derandomized, so the suite stays fast and repeatable.
"""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

import jmespath
import jmespath.visitor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.expressions import ExpressionError, compile_expression
from engine.expressions.functions import FUNCTIONS
from engine.expressions.programs import is_true, record_program, search_program, select_program
from engine.unified.blanks import blank_to_null
from tests.budget import examples

OPTIONS = jmespath.Options(custom_functions=FUNCTIONS)
NAMES = ["a", "b", "c", "d"]
VALUE_MAPS = {"m": {"x": "X", "1": "one", "_default": "other"}}
BOUNDED = settings(
    max_examples=examples(quick=100, long=900),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(-2.5, 2.5, allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "x", "a", "A b", "1", "2025-09-19 11:10:41"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(NAMES), inner, max_size=4)
    ),
    max_leaves=12,
)
documents = st.one_of(st.dictionaries(st.sampled_from(NAMES), values, max_size=4), values)

literals = st.sampled_from(
    ["`1`", "`0`", "`-1`", "`2.5`", "'x'", "''", "`null`", "`true`", "`false`", "`[1, 2]`",
     "`[]`", "`{}`", '`{"a": 1}`', '`"a"`', "`[\"x\", \"y\"]`"]
)  # fmt: skip
atoms = st.one_of(st.sampled_from([*NAMES, "@", '"a"']), literals)

BUILTIN_CALLS = [
    "length({0})", "keys({0})", "values({0})", "type({0})", "to_string({0})",
    "to_number({0})", "to_array({0})", "reverse({0})", "sort({0})", "sum({0})", "avg({0})",
    "max({0})", "min({0})", "abs({0})", "ceil({0})", "floor({0})", "not_null({0}, {1})",
    "join({0}, {1})", "contains({0}, {1})", "starts_with({0}, {1})", "ends_with({0}, {1})",
    "merge({0}, {1})", "sort_by({0}, &{1})", "max_by({0}, &{1})", "min_by({0}, &{1})",
    "map(&{1}, {0})",
]  # fmt: skip
LIBRARY_CALLS = [
    "to_iso8601({0})", "lower({0})", "upper({0})", "trim({0})", "nonempty({0})",
    "to_id({0})", "compact({0})", "entries({0})", "from_entries({0})", "sha256({0})",
    "coalesce({0}, {1})", "omit({0}, {1})", "pick({0}, {1})", "split({0}, {1})",
    "format_datetime({0}, '%Y')", "map_value({0}, 'm')",
]  # fmt: skip


def _expressions(calls: list[str]) -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        name = st.sampled_from(NAMES)
        index = st.integers(-3, 3).map(str)
        bound = st.one_of(st.just(""), st.integers(-3, 3).map(str))
        step = st.sampled_from(["", ":1", ":-1", ":2"])
        return st.one_of(
            st.builds("({}).{}".format, inner, name),
            st.builds("({})[{}]".format, inner, index),
            st.builds("({})[{}:{}{}]".format, inner, bound, bound, step),
            st.builds("({})[*].{}".format, inner, name),
            st.builds("({})[*]".format, inner),
            st.builds("({})[]".format, inner),
            st.builds("({}).*".format, inner),
            st.builds("({})[?{}].{}".format, inner, inner, name),
            st.builds("({}) | ({})".format, inner, inner),
            st.builds("({}) || ({})".format, inner, inner),
            st.builds("({}) && ({})".format, inner, inner),
            st.builds("!({})".format, inner),
            st.builds(
                "({}) {} ({})".format,
                inner,
                st.sampled_from(["==", "!=", "<", "<=", ">", ">="]),
                inner,
            ),
            st.builds("[{}, {}]".format, inner, inner),
            st.builds("{{k: {}, j: {}}}".format, inner, inner),
            st.builds(lambda call, x, y: call.format(x, y), st.sampled_from(calls), inner, inner),
        )

    return st.recursive(atoms, extend, max_leaves=8)


def _outcome(run: Any) -> tuple[str, str]:
    try:
        return "value", repr(run())
    except Exception as exc:  # the class of error is what must agree
        return "error", type(exc).__name__


def _numbers_only(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _generated(expression: str) -> Any:
    compiled = compile_expression(expression, VALUE_MAPS)
    generated = search_program(compiled, VALUE_MAPS)
    assert generated is not None, expression
    return compiled, generated


@BOUNDED
@given(_expressions(BUILTIN_CALLS), documents)
def test_generated_code_agrees_with_the_reference_interpreter(
    expression: str, document: Any
) -> None:
    """JMESPath with its own functions: the reference's value or class of error."""
    try:
        jmespath.compile(expression)
    except jmespath.exceptions.JMESPathError:
        try:
            compile_expression(expression)
        except ExpressionError:
            return
        raise AssertionError(f"{expression!r} parses here but not in the reference") from None
    _, generated = _generated(expression)
    # the specification orders numbers only (the closure compiler's rule, see its tests)
    with mock.patch.object(jmespath.visitor, "_is_comparable", _numbers_only):
        expected = _outcome(lambda: jmespath.search(expression, document, options=OPTIONS))
    assert _outcome(lambda: generated(document)) == expected, (expression, json.dumps(document))


@BOUNDED
@given(_expressions(BUILTIN_CALLS + LIBRARY_CALLS), documents)
def test_generated_code_agrees_with_the_closures(expression: str, document: Any) -> None:
    """JMESPath with the Unimap library: the closures' value or class of error."""
    try:
        compiled, generated = _generated(expression)
    except ExpressionError:
        return
    expected = _outcome(lambda: compiled.search(document))
    assert _outcome(lambda: generated(document)) == expected, (expression, json.dumps(document))


@BOUNDED
@given(_expressions(BUILTIN_CALLS + LIBRARY_CALLS), documents)
def test_record_program_reads_blanks_as_null(expression: str, document: Any) -> None:
    """Over a raw record, the field's value is the closures' over the cleaned record."""
    try:
        compiled = compile_expression(expression, VALUE_MAPS)
    except ExpressionError:
        return
    program = record_program([("v", compiled)], VALUE_MAPS)
    assert program is not None, expression
    expected = _outcome(lambda: compiled.search(blank_to_null(document)))
    actual = _outcome(lambda: program(document)["v"])
    assert actual == expected, (expression, json.dumps(document))


@BOUNDED
@given(_expressions(BUILTIN_CALLS + LIBRARY_CALLS), st.lists(documents, max_size=4))
def test_select_program_keeps_the_items_the_closures_find_true(
    expression: str, items: list[Any]
) -> None:
    """A filter over a list keeps, in order, the items the closures' value is true for."""
    try:
        compiled = compile_expression(expression, VALUE_MAPS)
    except ExpressionError:
        return
    select = select_program(compiled, VALUE_MAPS)
    assert select is not None, expression
    expected = _outcome(lambda: [item for item in items if is_true(compiled.search(item))])
    assert _outcome(lambda: select(items)) == expected, (expression, json.dumps(items))
