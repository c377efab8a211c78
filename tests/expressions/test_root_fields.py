"""`root_fields`: which top-level input fields an expression reads (drives PATCH semantics)."""

from __future__ import annotations

import pytest

from engine.expressions import compile_expression

VALUE_MAPS: dict[str, dict[str, str | None]] = {"m": {"a": "b"}}


@pytest.mark.parametrize(
    ("expression", "roots"),
    [
        ("email", {"email"}),
        ("fields.name", {"fields"}),
        ("addresses[0].city", {"addresses"}),
        ("lists[*].id", {"lists"}),
        ("lists[].id", {"lists"}),
        ("tags[?active].name", {"tags"}),
        ("groups | [0]", {"groups"}),
        ("first_name || last_name", {"first_name", "last_name"}),
        ("a && b", {"a", "b"}),
        ("!deleted", {"deleted"}),
        ("status == 'active'", {"status"}),
        ("[first_name, last_name]", {"first_name", "last_name"}),
        ("{f: first_name, l: last_name}", {"first_name", "last_name"}),
        ("join(' ', compact([first_name, last_name]))", {"first_name", "last_name"}),
        ("map_value(status, 'm')", {"status"}),
        ("format_datetime(subscribed_at, '%Y')", {"subscribed_at"}),
        ("'constant'", set()),
        ("`[1, 2]`", set()),
    ],
)
def test_root_fields_are_the_top_level_names_read(expression: str, roots: set[str]) -> None:
    """Only the first step of each path counts; literals read nothing."""
    compiled = compile_expression(expression, VALUE_MAPS)
    assert compiled.root_fields == frozenset(roots)


def test_nested_names_inside_a_projection_are_not_roots() -> None:
    """`lists[*].id` reads `lists`, not `id`."""
    assert "id" not in compile_expression("lists[*].id").root_fields


def test_current_node_marks_the_whole_input_as_read() -> None:
    """`@` reads everything, so a body key using it is always sent."""
    compiled = compile_expression("omit(@, ['id'])")
    assert compiled.reads_whole_input


def test_plain_fields_do_not_read_the_whole_input() -> None:
    """A field path reads only its root."""
    assert not compile_expression("fields.name").reads_whole_input


def test_a_literal_reads_nothing() -> None:
    """Constants read no field and not the whole input."""
    compiled = compile_expression("'groups'")
    assert compiled.root_fields == frozenset()
    assert not compiled.reads_whole_input
