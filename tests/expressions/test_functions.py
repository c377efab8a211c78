"""The Unimap function library, one behaviour per test, called through compiled expressions."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from jmespath import functions as jp_functions

from engine.expressions import ExpressionError, compile_expression
from engine.expressions.functions import FUNCTION_DOCS, FUNCTIONS, to_iso8601
from engine.expressions.programs import search_program

VALUE_MAPS: dict[str, dict[str, str | None]] = {
    "status": {"active": "active", "junk": "cleaned", "gone": None, "_default": "other"},
    "plain": {"1": "one"},
}


def run(expression: str, data: Any = None) -> Any:
    """Compile `expression` with the test value maps and evaluate it over `data`, on the
    closures and on the generated code (which must give the same value, of the same type)."""
    compiled = compile_expression(expression, VALUE_MAPS)
    document = data if data is not None else {}
    value = compiled.search(document)
    generated = search_program(compiled, VALUE_MAPS)
    assert generated is not None
    assert repr(generated(document)) == repr(value)
    return value


# to_iso8601


def test_to_iso8601_reads_provider_date_time_as_utc() -> None:
    """`YYYY-MM-DD HH:MM:SS` has no zone: it is taken as UTC."""
    assert run("to_iso8601(v)", {"v": "2025-09-19 11:10:41"}) == "2025-09-19T11:10:41Z"


def test_to_iso8601_drops_fractional_seconds() -> None:
    """ISO-8601 with microseconds and `Z` comes out in whole seconds."""
    assert run("to_iso8601(v)", {"v": "2026-08-27T15:06:41.000000Z"}) == "2026-08-27T15:06:41Z"


def test_to_iso8601_converts_offsets_to_utc() -> None:
    """An explicit offset is converted, not dropped."""
    assert run("to_iso8601(v)", {"v": "2025-01-01T12:30:00+02:00"}) == "2025-01-01T10:30:00Z"


def test_to_iso8601_reads_negative_offsets_across_midnight() -> None:
    """A negative offset can move the date forward."""
    assert run("to_iso8601(v)", {"v": "2025-01-01T22:00:00-05:00"}) == "2025-01-02T03:00:00Z"


def test_to_iso8601_reads_a_date_alone_as_midnight_utc() -> None:
    """A date without a time is midnight UTC."""
    assert run("to_iso8601(v)", {"v": "2025-09-19"}) == "2025-09-19T00:00:00Z"


def test_to_iso8601_reads_epoch_seconds() -> None:
    """Numbers are seconds since the Unix epoch."""
    assert run("to_iso8601(v)", {"v": 1758280241}) == "2025-09-19T11:10:41Z"


def test_to_iso8601_reads_epoch_zero() -> None:
    """Zero is the epoch itself, not a missing value."""
    assert run("to_iso8601(`0`)") == "1970-01-01T00:00:00Z"


@pytest.mark.parametrize("value", ["not a date", "2025-13-45", "", None, True, [], {}])
def test_to_iso8601_gives_null_for_garbage(value: Any) -> None:
    """Anything unreadable (or empty, or a boolean) maps to null instead of failing."""
    assert run("to_iso8601(v)", {"v": value}) is None


def test_to_iso8601_python_helper_matches_the_function() -> None:
    """The module-level helper is what the JMESPath function calls."""
    assert to_iso8601("2025-09-19 11:10:41") == run("to_iso8601('2025-09-19 11:10:41')")


# format_datetime


def test_format_datetime_formats_in_utc() -> None:
    """The value is converted to UTC, then formatted with the strftime pattern."""
    source = "format_datetime(v, '%Y-%m-%d %H:%M:%S')"
    assert run(source, {"v": "2025-09-19T13:10:41+02:00"}) == "2025-09-19 11:10:41"


def test_format_datetime_gives_null_for_null() -> None:
    """A missing date stays missing."""
    assert run("format_datetime(v, '%Y')", {"v": None}) is None


# map_value


def test_map_value_looks_the_value_up() -> None:
    """A listed value maps to its entry."""
    assert run("map_value(s, 'status')", {"s": "junk"}) == "cleaned"


def test_map_value_uses_default_for_unlisted_values() -> None:
    """`_default` answers for anything not listed."""
    assert run("map_value(s, 'status')", {"s": "weird"}) == "other"


def test_map_value_without_default_gives_null() -> None:
    """A map with no `_default` gives null for unlisted values."""
    assert run("map_value(s, 'plain')", {"s": "2"}) is None


def test_map_value_can_map_to_null() -> None:
    """A listed value may map to null explicitly (the default is not used)."""
    assert run("map_value(s, 'status')", {"s": "gone"}) is None


def test_map_value_keeps_null_as_null() -> None:
    """A null input never takes the default."""
    assert run("map_value(s, 'status')", {"s": None}) is None


def test_map_value_looks_numbers_up_by_their_text() -> None:
    """Map keys are strings; a number is looked up by its text."""
    assert run("map_value(s, 'plain')", {"s": 1}) == "one"


def test_map_value_rejects_an_undeclared_map_at_compile_time() -> None:
    """The map name is checked when the mapping loads, with a suggestion."""
    with pytest.raises(ExpressionError, match=r"unknown value map 'statuz' \(did you mean"):
        compile_expression("map_value(s, 'statuz')", VALUE_MAPS)


def test_map_value_needs_a_literal_map_name() -> None:
    """The map name cannot be computed (it could not be checked)."""
    with pytest.raises(ExpressionError, match="must be a literal string"):
        compile_expression("map_value(s, name)", VALUE_MAPS)


def test_map_value_records_the_maps_it_uses() -> None:
    """The compiled expression says which value maps it needs."""
    compiled = compile_expression("map_value(s, 'status')", VALUE_MAPS)
    assert compiled.value_maps_used == frozenset({"status"})


# omit / pick


def test_omit_drops_the_listed_keys() -> None:
    """Listed keys go, others stay."""
    assert run("omit(o, ['a', 'z'])", {"o": {"a": 1, "b": 2}}) == {"b": 2}


def test_omit_of_null_is_null() -> None:
    """A missing object stays missing."""
    assert run("omit(o, ['a'])", {"o": None}) is None


def test_pick_keeps_only_the_listed_keys_it_has() -> None:
    """Listed keys the object lacks are skipped, not set to null."""
    assert run("pick(o, ['a', 'z'])", {"o": {"a": 1, "b": 2}}) == {"a": 1}


def test_pick_of_null_is_null() -> None:
    """A missing object stays missing."""
    assert run("pick(o, ['a'])", {"o": None}) is None


# lower / upper


def test_lower_lowers_a_string() -> None:
    """Lower-cases the whole string."""
    assert run("lower(v)", {"v": "A@B.com"}) == "a@b.com"


def test_upper_uppers_a_string() -> None:
    """Upper-cases the whole string."""
    assert run("upper(v)", {"v": "de"}) == "DE"


def test_lower_and_upper_keep_null() -> None:
    """Both are null-tolerant."""
    assert run("[lower(v), upper(v)]", {"v": None}) == [None, None]


# sha256 / md5


def test_sha256_is_lower_case_hex_of_utf8() -> None:
    """Hashes the UTF-8 bytes."""
    assert run("sha256(v)", {"v": "é"}) == hashlib.sha256("é".encode()).hexdigest()


def test_md5_is_lower_case_hex_of_utf8() -> None:
    """The known MD5 of 'a'."""
    assert run("md5('a')") == "0cc175b9c0f1b6a831c399e269772661"


def test_hashes_keep_null() -> None:
    """Hashing a missing value gives null, not the hash of an empty string."""
    assert run("[sha256(v), md5(v)]", {"v": None}) == [None, None]


# compact / nonempty


def test_compact_drops_nulls_only() -> None:
    """False, 0 and '' are kept; null is dropped."""
    assert run("compact(v)", {"v": ["a", None, False, 0, ""]}) == ["a", False, 0, ""]


def test_compact_of_null_is_null() -> None:
    """A missing array stays missing."""
    assert run("compact(v)", {"v": None}) is None


@pytest.mark.parametrize("value", ["", [], {}])
def test_nonempty_turns_empty_values_into_null(value: Any) -> None:
    """Empty string, array and object become null."""
    assert run("nonempty(v)", {"v": value}) is None


@pytest.mark.parametrize("value", ["x", [0], {"a": None}, 0, False])
def test_nonempty_keeps_other_values(value: Any) -> None:
    """Anything else passes through, including 0 and false."""
    assert run("nonempty(v)", {"v": value}) == value


# to_id


def test_to_id_writes_huge_integers_in_full() -> None:
    """Integers above 2^53 are not rounded through a float."""
    big = 2**53 + 1
    assert run("to_id(v)", {"v": big}) == "9007199254740993"


def test_to_id_writes_integral_floats_without_a_fraction() -> None:
    """`12.0` is the id `12`."""
    assert run("to_id(v)", {"v": 12.0}) == "12"


def test_to_id_passes_strings_through() -> None:
    """String ids stay as they are."""
    assert run("to_id(v)", {"v": "abc-1"}) == "abc-1"


@pytest.mark.parametrize("value", [None, True])
def test_to_id_of_null_or_boolean_is_null(value: Any) -> None:
    """Null and booleans are not ids."""
    assert run("to_id(v)", {"v": value}) is None


# coalesce


def test_coalesce_gives_the_first_non_null() -> None:
    """Unlike `||`, false, 0 and '' count as values."""
    assert run("coalesce(a, b, c)", {"a": None, "b": False, "c": "x"}) is False


def test_coalesce_of_all_nulls_is_null() -> None:
    """Nothing given: null."""
    assert run("coalesce(a, b)", {}) is None


def test_coalesce_takes_a_single_argument() -> None:
    """It is variadic with at least one argument."""
    assert run("coalesce(a)", {"a": 0}) == 0


def test_coalesce_needs_an_argument() -> None:
    """Zero arguments is an arity error at compile time."""
    with pytest.raises(ExpressionError, match="coalesce"):
        compile_expression("coalesce()")


# entries / from_entries


def test_entries_lists_key_value_pairs() -> None:
    """Each key becomes a {key, value} object, in order."""
    assert run("entries(o)", {"o": {"a": 1, "b": None}}) == [
        {"key": "a", "value": 1},
        {"key": "b", "value": None},
    ]


def test_from_entries_builds_an_object() -> None:
    """Items without a key are skipped; keys are strings."""
    items = [{"key": "a", "value": 1}, {"value": 2}, {"key": 3, "value": "x"}, "junk"]
    assert run("from_entries(v)", {"v": items}) == {"a": 1, "3": "x"}


def test_entries_and_from_entries_round_trip() -> None:
    """from_entries(entries(o)) is o."""
    obj = {"a": 1, "b": [2], "c": {"d": None}}
    assert run("from_entries(entries(o))", {"o": obj}) == obj


def test_entries_and_from_entries_keep_null() -> None:
    """Both are null-tolerant."""
    assert run("[entries(v), from_entries(v)]", {"v": None}) == [None, None]


# split


def test_split_splits_on_the_separator() -> None:
    """Every occurrence splits, empty parts kept."""
    assert run("split(v, ',')", {"v": "a,,b"}) == ["a", "", "b"]


def test_split_picks_the_part_after_the_last_separator() -> None:
    """An index after split picks a part, e.g. a data centre at the end of an API key."""
    assert run("split(v, '-')[-1]", {"v": "abc123-us6"}) == "us6"


def test_split_of_null_is_null() -> None:
    """A missing string stays missing."""
    assert run("split(v, ',')", {"v": None}) is None


# the library as a whole


def test_every_documented_function_exists() -> None:
    """FUNCTION_DOCS (the docs' source) names only functions the library has."""
    names = set(FUNCTIONS.FUNCTION_TABLE) | {"map_value"}
    assert set(FUNCTION_DOCS) <= names


def test_every_library_function_is_documented() -> None:
    """Every function added to JMESPath's built-ins has a FUNCTION_DOCS entry."""
    builtins = set(jp_functions.Functions().FUNCTION_TABLE)
    added = set(FUNCTIONS.FUNCTION_TABLE) - builtins
    assert added <= set(FUNCTION_DOCS)


def test_unknown_function_is_a_compile_error_with_a_suggestion() -> None:
    """Misspelt functions fail when the mapping loads, not when it runs."""
    with pytest.raises(ExpressionError, match=r"unknown function 'to_iso\(\)' \(did you mean"):
        compile_expression("to_iso(v)")


def test_wrong_arity_is_a_compile_error() -> None:
    """The number of arguments is checked when the mapping loads."""
    with pytest.raises(ExpressionError, match=r"format_datetime\(\) takes 2 arguments, got 1"):
        compile_expression("format_datetime(v)")


def test_syntax_error_is_a_compile_error() -> None:
    """Unparseable JMESPath is an ExpressionError naming the position."""
    with pytest.raises(ExpressionError, match="invalid JMESPath"):
        compile_expression("fields.[")


# trim


def test_trim_drops_leading_and_trailing_white_space() -> None:
    """Spaces, tabs and line breaks at both ends go; inner ones stay."""
    assert run("trim(v)", {"v": " \t a b \n"}) == "a b"


def test_trim_of_null_is_null() -> None:
    """Null-tolerant like every library function."""
    assert run("trim(v)", {"v": None}) is None
