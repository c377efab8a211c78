"""The fast paths of the mapping hot loop give exactly what the general code gives.

* `to_iso8601` answers date-times already in UTC and in plain digits without a full parse:
  on generated text of that shape and around it (bad digits, odd separators, fractions,
  offsets, padding), its value and its warnings are those of the full parse and format.
* `omit`/`pick` of a raw object and `||` with a literal clean the kept values in one pass,
  and a comparison with `null` is a test of identity:
  a record program using them gives what the closures give over the cleaned record.
* A composite id's parts are percent-encoded as `urllib.parse.quote(part, safe="")` does.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.expressions import compile_expression
from engine.expressions.functions import _reformatted, to_iso8601
from engine.expressions.programs import record_program, search_program
from engine.expressions.warnings import collect_warnings
from engine.plan.scope import SEPARATOR, encode_id
from engine.unified.blanks import blank_to_null
from tests.budget import examples

BOUNDED = settings(
    max_examples=examples(quick=150, long=1000),  # tests/budget.py
    deadline=None,
    derandomize=True,
    database=None,
)

def _number(low: int, high: int, width: int) -> st.SearchStrategy[str]:
    """A zero-padded number in [low, high] (sometimes just past the valid range), or now and
    then something that is no such number."""
    padded = st.integers(low, high).map(lambda n: str(n).zfill(width))
    odd = st.sampled_from(["x" * width, " " * width, "٣" * width, "+" + "1" * (width - 1)])
    return st.one_of(padded, padded, padded, odd)


odd_date_times = st.builds(
    "{}{}{}{}{}{}{}{}{}{}{}{}{}{}".format,
    st.sampled_from(["", "", "", " "]),
    _number(0, 9999, 4),
    st.sampled_from(["-", "-", "-", "/", "W"]),
    _number(0, 13, 2),
    st.sampled_from(["-", "-", "-", ""]),
    _number(0, 32, 2),
    st.sampled_from(["T", " ", "T", " ", "t", "_", ""]),
    _number(0, 24, 2),
    st.sampled_from([":", ":", ":", ""]),
    _number(0, 60, 2),
    st.sampled_from([":", ":", ":", "", "."]),
    _number(0, 61, 2),
    st.sampled_from(["", "", ".0", ".000", ".123456", ".1234567", ".", ",5", ".5x"]),
    st.sampled_from(
        ["", "Z", "+00:00", "", "Z", "+00:00", "z", "+01:00", "-00:00", "+0000", "-05:00", " ",
         "Z ", "\n", "+00"]
    ),
)  # fmt: skip


plain_date_times = st.builds(
    "{:04d}-{:02d}-{:02d}{}{:02d}:{:02d}:{:02d}{}{}".format,
    st.integers(0, 9999),
    st.integers(1, 12),
    st.integers(1, 31),
    st.sampled_from(["T", " "]),
    st.integers(0, 23),
    st.integers(0, 59),
    st.integers(0, 60),
    st.sampled_from(["", ".0", ".000", ".999999", ".1234567"]),
    st.sampled_from(["", "Z", "+00:00", "+01:00"]),
)
"""Mostly the forms answered fast (some of impossible dates or of another offset)."""
date_times = st.one_of(plain_date_times, odd_date_times)


def _with_warnings(function: Any, value: Any) -> tuple[Any, list[str]]:
    with collect_warnings() as warnings:
        result = function(value)
    return result, list(warnings)


@BOUNDED
@given(date_times)
def test_to_iso8601_agrees_with_the_full_parse_and_format(value: str) -> None:
    """Same value and same warnings as the full path, whichever path answers."""
    assert _with_warnings(to_iso8601, value) == _with_warnings(_reformatted, value), value


def test_to_iso8601_reads_a_week_date_as_its_calendar_date() -> None:
    """A form that only looks like the provider form (an ISO week date) is read as a date,
    not re-punctuated."""
    assert to_iso8601("2025-W38-5 11:10:41") == "2025-09-19T11:10:41Z"
    assert to_iso8601("2025-09-19 111041.5") == "2025-09-19T11:10:41Z"


def test_to_iso8601_checks_the_already_canonical_form_before_returning_it() -> None:
    """A `YYYY-MM-DDTHH:MM:SSZ` look-alike is returned as it is only when it is one: a week
    date is read as its calendar date, a non-ASCII digit or impossible time gives null."""
    assert to_iso8601("2025-11-30T20:43:27Z") == "2025-11-30T20:43:27Z"
    assert to_iso8601("2025-W48-1T20:43:27Z") == "2025-11-24T20:43:27Z"
    assert to_iso8601("2025-11-30T20:4\u0663:27Z") is None
    assert to_iso8601("2025-11-30T24:00:00Z") is None


def test_to_iso8601_keeps_every_canonical_form_it_answers_fast() -> None:
    """The provider forms already in UTC give their date and whole seconds."""
    expected = "2024-11-30T23:10:03Z"
    for value in ("2024-11-30 23:10:03", "2024-11-30T23:10:03+00:00", "2024-11-30T23:10:03Z",
                  "2024-11-30T23:10:03.000+00:00", "2024-11-30T23:10:03.999999Z"):  # fmt: skip
        assert to_iso8601(value) == expected


def test_to_iso8601_warns_for_an_impossible_date_in_canonical_form() -> None:
    """February 30th in the canonical shape is no date: null, with the full path's warning."""
    result, warnings = _with_warnings(to_iso8601, "2025-02-30 11:10:41")
    assert result is None
    assert warnings == ["not a date-time: str of length 19"]


blanky = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.sampled_from(["", "x", "a"])),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), inner, max_size=4),
    ),
    max_leaves=10,
)
records = st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), blanky, max_size=4)
KEEPING_EXPRESSIONS = [
    "omit(a || `{}`, ['b', 'c'])", "pick(a || `{}`, ['b', 'c'])", "omit(a, ['b'])",
    "pick(a, ['a', 'x'])", "omit(a || b, ['c'])", "omit(a || `{\"b\": \"\"}`, ['c'])",
    "omit(a, b)", "pick(a, b)", "a || `[1]`", "`[1]` || a", "a && `{}`", "a || ''",
    "omit(a || `null`, ['b'])", "a.b || `{\"x\": [1]}`", "a == `null`", "`null` != a.b",
    "a[0] == `null`",
]  # fmt: skip


@BOUNDED
@given(st.sampled_from(KEEPING_EXPRESSIONS), records)
def test_keeping_and_literal_alternatives_read_blanks_as_null(
    expression: str, record: dict[str, Any]
) -> None:
    """The record program's value is the closures' over the cleaned record (or both fail)."""
    compiled = compile_expression(expression)
    program = record_program([("v", compiled)])
    assert program is not None

    def outcome(run: Any) -> tuple[str, str]:
        try:
            return "value", repr(run())
        except Exception as exc:
            return "error", type(exc).__name__

    expected = outcome(lambda: compiled.search(blank_to_null(record)))
    assert outcome(lambda: program(record)["v"]) == expected, (expression, record)


@BOUNDED
@given(st.lists(st.one_of(st.text(max_size=8), st.integers()), min_size=1, max_size=3))
def test_composite_id_parts_are_percent_encoded_as_quote_does(parts: list[Any]) -> None:
    """Each part as `quote(str(part), safe='')`, joined by the separator."""
    expected = SEPARATOR.join(quote(str(part), safe="") for part in parts)
    assert encode_id(parts) == expected


INLINED_CALLS = ["to_id(v)", "compact(v)", "nonempty(v)", "coalesce(v, w)", "entries(v)",
                 "to_iso8601(v)", "map_value(v, 'm')"]  # fmt: skip
EDGE_VALUES = [
    None, True, False, 0, -1, 1.0, 2.5, 10**18 - 1, 10**18, -(10**18) + 1, -(10**18), 2**70,
    "", "x", "1", [], [None, "a", None], [[]], {}, {"k": None}, {"": ""},
]  # fmt: skip


@BOUNDED
@given(st.sampled_from(INLINED_CALLS), st.sampled_from(EDGE_VALUES), st.sampled_from(EDGE_VALUES))
def test_library_calls_written_inline_agree_with_the_closures(
    expression: str, v: Any, w: Any
) -> None:
    """Generated code answering a library call inline gives the closures' value (or fails
    as they do), at the edges of what it answers inline."""
    value_maps = {"m": {"x": "X", "1": "one", "_default": "other"}}
    compiled = compile_expression(expression, value_maps)
    generated = search_program(compiled, value_maps)
    assert generated is not None

    def outcome(run: Any) -> tuple[str, str]:
        try:
            return "value", repr(run())
        except Exception as exc:
            return "error", type(exc).__name__

    document = {"v": v, "w": w}
    assert outcome(lambda: generated(document)) == outcome(lambda: compiled.search(document))


def test_to_iso8601_answers_a_repeated_date_time_the_same_and_warns_each_time() -> None:
    """Answers remembered by text change nothing: the same value again gives the same
    answer, and a value that is no date-time warns on every call."""
    assert [to_iso8601("2024-11-30 23:10:03") for _ in range(3)] == ["2024-11-30T23:10:03Z"] * 3
    for _ in range(2):
        assert _with_warnings(to_iso8601, "2025-02-30 11:10:41") == (
            None,
            ["not a date-time: str of length 19"],
        )
