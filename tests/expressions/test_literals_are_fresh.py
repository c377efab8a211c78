"""A JSON literal's list or dict is a new one at every evaluation, on the closures and on the
generated code alike: changing one result never changes another, nor the expression."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from engine.expressions import compile_expression
from engine.expressions.programs import record_program, search_program

Search = Callable[[Any], Any]


def _closure(source: str) -> Search:
    return compile_expression(source).search


def _generated(source: str) -> Search:
    program = search_program(compile_expression(source))
    assert program is not None
    return program


PATHS = pytest.mark.parametrize("build", [_closure, _generated], ids=["closures", "generated"])
LITERALS = pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("tags || `[]`", []),
        ("merge_fields || `{}`", {}),
        ('`["a", "b"]`', ["a", "b"]),
        ('`{"user": true, "api": true}`', {"user": True, "api": True}),
        ('`{"a": [1, {"b": []}]}`', {"a": [1, {"b": []}]}),
        ('`[[1], {"c": {}}]`', [[1], {"c": {}}]),
    ],
)


def _scribble(value: Any) -> None:
    """Change `value` and every container inside it."""
    if isinstance(value, list):
        for item in value:
            _scribble(item)
        value.append("changed")
    elif isinstance(value, dict):
        for item in value.values():
            _scribble(item)
        value["changed"] = True


@PATHS
@LITERALS
def test_changing_a_literals_result_leaves_the_next_evaluation_untouched(
    build: Callable[[str], Search], source: str, expected: Any
) -> None:
    search = build(source)
    _scribble(search({}))
    assert search({}) == expected


@PATHS
def test_a_literal_in_a_projection_gives_each_item_its_own_container(
    build: Callable[[str], Search],
) -> None:
    first, second = build("items[*].{id: @, tags: `[]`}")({"items": [1, 2]})
    first["tags"].append("changed")
    assert second == {"id": 2, "tags": []}


def test_changing_one_mapped_records_literal_list_leaves_the_next_records_untouched() -> None:
    fields = [
        ("tags", compile_expression("tags[*].name || `[]`")),
        ("phones", compile_expression("`[]`")),
        ("custom_fields", compile_expression('fields || `{"source": "api"}`')),
    ]
    program = record_program(fields)
    assert program is not None
    first = program({"id": 1})
    first["tags"].append("vip")
    first["phones"].append({"phone": "1"})
    first["custom_fields"]["source"] = "changed"
    assert program({"id": 2}) == {"tags": [], "phones": [], "custom_fields": {"source": "api"}}
