"""The closure compiler and the generated code give exactly what JMESPath's reference
interpreter gives."""

from __future__ import annotations

from typing import Any

import jmespath
import jmespath.visitor
import pytest

from engine.expressions import compile_expression
from engine.expressions.functions import FUNCTIONS
from engine.expressions.programs import search_program

OPTIONS = jmespath.Options(custom_functions=FUNCTIONS)

DOCUMENTS: dict[str, Any] = {
    "record": {
        "id": 2599924,
        "email": "Ada@Example.com",
        "status": "active",
        "count": 3,
        "ratio": 0.5,
        "flag": False,
        "empty": "",
        "none": None,
        "fields": {"name": "Ada", "last_name": "Lovelace", "city": None, "score": 7},
        "groups": [
            {"id": "1", "name": "News", "size": 10, "tags": ["a", "b"]},
            {"id": "2", "name": "Promo", "size": 2, "tags": ["c"]},
            {"id": "3", "name": None, "size": 5, "tags": []},
        ],
        "matrix": [[1, 2], [3, [4, 5]], 6],
        "created_at": "2025-09-19 11:10:41",
        "meta": {"next_cursor": "abc", "last_page": 4, "total": 31},
    },
    "sparse": {"id": "x1", "fields": {}, "groups": [], "meta": {"next_cursor": None}},
    "list": [{"id": 1, "v": "b"}, {"id": 2, "v": "a"}, {"id": 3}],
    "scalar": "just text",
    "null": None,
    "numbers": {"a": 1, "b": 2.5, "c": "3", "d": None, "e": [1, 2], "f": True},
}

EXPRESSIONS: list[str] = [
    # fields and nesting
    "id",
    "email",
    "fields.name",
    "fields.city",
    "fields.missing.deeper",
    "meta.next_cursor",
    '"fields"."last_name"',
    "@",
    # indexes, slices, projections
    "groups[0]",
    "groups[-1].name",
    "groups[5]",
    "groups[*].id",
    "groups[*].name",
    "groups[].tags[]",
    "groups[1:]",
    "groups[::-1].id",
    "groups[:2].size",
    "[*].id",
    "[*].v",
    "[1]",
    "numbers.*",
    "*.id",
    # flatten
    "matrix[]",
    "matrix[][]",
    "groups[].tags",
    # filters and comparators
    "groups[?size > `3`].name",
    "groups[?name == 'News'].id",
    "groups[?name != 'News'].id",
    "groups[?size >= `5`] | length(@)",
    "groups[?tags].id",
    "[?v].id",
    "[?v < 'b'].id",
    "id < `3000000`",
    "count <= ratio",
    "a < b",
    "c > a",
    "d >= a",
    "e < f",
    "status == 'active'",
    "fields == `{}`",
    # pipes, multiselect
    "groups | [0].name",
    "groups[*].name | [0]",
    "{id: id, name: fields.name}",
    "[id, email, none]",
    "groups[*].{n: name, s: size}",
    "fields.{first: name, last: last_name}",
    # or / and / not
    "fields.city || 'none'",
    "empty || none || flag || 'last'",
    "status && email",
    "flag && email",
    "!flag",
    "!count",
    "!`0`",
    "!empty",
    "!groups",
    "none || `[]`",
    # literals
    "`null`",
    "`[1, 2]`",
    "'raw string'",
    '`"json string"`',
    '`{"k": [1]}`',
    # built-in functions and expression references
    "length(groups)",
    "sort_by(groups, &size)[*].id",
    "sort_by(list, &id)[*].v",
    "max_by(groups, &size).name",
    "min_by(groups, &size).name",
    "join(', ', groups[*].id)",
    "keys(fields)",
    "map(&id, groups)",
    "contains(email, '@')",
    "starts_with(status, 'act')",
    "to_string(count)",
    "to_number('42')",
    "type(@)",
    "not_null(none, fields.city, email)",
    "sum(groups[*].size)",
    "reverse(groups[*].id)",
    # the Unimap library
    "to_iso8601(created_at)",
    "lower(email)",
    "upper(status)",
    "to_id(id)",
    "coalesce(none, fields.city, flag, 'x')",
    "omit(fields, ['city', 'score'])",
    "pick(fields, ['name', 'nope'])",
    "compact([fields.name, fields.city])",
    "nonempty(empty)",
    "entries(meta)",
    "from_entries(entries(meta))",
    "split(created_at, ' ')",
    "nonempty(join(' ', compact([fields.name, fields.last_name])))",
    "format_datetime(created_at, '%d/%m/%Y')",
]


def _numbers_only(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@pytest.fixture(autouse=True)
def _spec_ordering(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the reference follow the JMESPath spec: `<`, `>`, `<=`, `>=` order numbers only.

    jmespath.py 1.0 also orders strings (and raises TypeError for a string against a number);
    the compiler gives `null` for any non-number, as the specification says.
    """
    monkeypatch.setattr(jmespath.visitor, "_is_comparable", _numbers_only)


def _reference(expression: str, document: Any) -> tuple[str, Any]:
    try:
        return "value", jmespath.search(expression, document, options=OPTIONS)
    except jmespath.exceptions.JMESPathError as exc:
        return "error", type(exc).__name__


def _compiled(expression: str, document: Any, path: str) -> tuple[str, Any]:
    compiled = compile_expression(expression)
    search = compiled.search if path == "closures" else search_program(compiled)
    assert search is not None
    try:
        return "value", search(document)
    except jmespath.exceptions.JMESPathError as exc:
        return "error", type(exc).__name__


def test_the_table_is_large_enough() -> None:
    """At least 40 expressions over several documents."""
    assert len(EXPRESSIONS) >= 40
    assert len(DOCUMENTS) >= 5


@pytest.mark.parametrize("path", ["closures", "generated"])
@pytest.mark.parametrize("expression", EXPRESSIONS)
@pytest.mark.parametrize("document", list(DOCUMENTS))
def test_compiled_expression_agrees_with_the_reference_interpreter(
    expression: str, document: str, path: str
) -> None:
    """Same value (and same type: `1` is not `True`), or the same kind of error, on both the
    closures and the generated code."""
    data = DOCUMENTS[document]
    expected = _reference(expression, data)
    actual = _compiled(expression, data, path)
    assert actual == expected
    assert repr(actual) == repr(expected)


@pytest.mark.parametrize("path", ["closures", "generated"])
@pytest.mark.parametrize(
    "expression",
    ["'a' < 'b'", "'3' > `1`", "`1` <= 'x'", "`null` >= `0`", "`true` < `2`", "`[1]` < `[2]`"],
)
def test_ordering_a_non_number_gives_null(expression: str, path: str) -> None:
    """Ordering comparators give null unless both sides are numbers (never a TypeError)."""
    assert _compiled(expression, {}, path) == ("value", None)


@pytest.mark.parametrize("path", ["closures", "generated"])
def test_ordering_numbers_compares_them(path: str) -> None:
    """Integers and floats order against each other."""
    assert _compiled("a < b", {"a": 1, "b": 2.5}, path) == ("value", True)
    assert _compiled("a >= b", {"a": 1, "b": 2.5}, path) == ("value", False)
