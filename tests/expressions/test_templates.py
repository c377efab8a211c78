"""Template parsing: `{...}` placeholders are bare names or expressions; braces nest."""

from __future__ import annotations

import pytest

from engine.errors import ValidationError
from engine.expressions.templates import TemplateError, names_read, parse_template, placeholders
from engine.plan.build import fill_template


def sources(template: str) -> list[str]:
    """The placeholder sources of `template`, in order."""
    return [p.source for p in placeholders(template)]


def test_bare_names_are_placeholders() -> None:
    """A plain name between braces is a bare placeholder, as before."""
    assert sources("/lists/{list_id}/members/{id}") == ["list_id", "id"]
    assert all(p.bare for p in placeholders("/lists/{list_id}"))


def test_an_expression_is_one_placeholder() -> None:
    """Anything else between braces is one JMESPath expression."""
    assert sources("/m/{md5(lower(email))}") == ["md5(lower(email))"]
    assert not placeholders("/m/{md5(email)}")[0].bare


def test_braces_nest_inside_a_placeholder() -> None:
    """A multi-select hash inside a placeholder does not close it."""
    assert sources("/x/{ {a: b}.a }/y") == ["{a: b}.a"]


def test_braces_inside_quoted_strings_do_not_count() -> None:
    """A brace inside a raw string literal is text, not structure."""
    assert sources("/x/{join('}', parts)}") == ["join('}', parts)"]


def test_doubled_braces_are_literal() -> None:
    """Outside a placeholder `{{` and `}}` are literal braces."""
    assert parse_template("a{{b}}c") == (("a{b}c", None),)


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("/x/{id", "expected '}' before end of string"),
        ("/x/}", "single '}'"),
        ("/x/{ }", "empty placeholder"),
    ],
)
def test_malformed_templates_are_refused(template: str, message: str) -> None:
    """Unclosed, stray and empty braces are errors with a clear message."""
    with pytest.raises(TemplateError, match=message):
        parse_template(template)


def test_names_read_covers_bare_names_and_expression_roots() -> None:
    """What a template reads: bare names and the roots of its expressions."""
    assert names_read("/{list_id}/{md5(lower(email))}/{settings.x}") == {
        "list_id",
        "email",
        "settings",
    }


def test_fill_evaluates_expressions_over_the_values() -> None:
    """Expressions are evaluated over the same values as bare names."""
    assert fill_template("/{upper(a)}-{b}", {"a": "x", "b": 2}) == "/X-2"


def test_fill_refuses_an_array_value() -> None:
    """A placeholder fills one value: an array is refused."""
    with pytest.raises(ValidationError, match="gives an array"):
        fill_template("/{split(a, ',')}", {"a": "x,y"})


def test_fill_names_the_missing_input_of_an_expression() -> None:
    """A null expression result names the input it lacked."""
    with pytest.raises(ValidationError) as caught:
        fill_template("/{lower(email)}", {})
    assert [p.field for p in caught.value.details] == ["email"]


def test_unencoded_values_may_not_hold_a_line_break() -> None:
    """Header and auth values cannot inject another header."""
    with pytest.raises(ValidationError, match="line break"):
        fill_template("{a}", {"a": "x\r\nInjected: 1"}, encode=False)
