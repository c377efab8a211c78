"""The validator finds expressions and templates from the models' types, not from hand lists."""

from __future__ import annotations

from pydantic import Field

from engine.format.common import EXPRESSION, TEMPLATE, Expression, Strict, Template
from engine.format.walk import marked_values


class _Inner(Strict):
    path: Expression
    note: str = "not an expression"


class _Outer(Strict):
    url: Template
    maybe: Expression | None = None
    by_name: dict[str, Expression] = Field(default_factory=dict)
    inners: list[_Inner] = Field(default_factory=list)
    aliased: Expression = Field(default="x", alias="as")


def test_a_new_expression_field_is_found_wherever_it_is_nested() -> None:
    model = _Outer(
        url="/a/{id}",
        maybe="m",
        by_name={"k": "v"},
        inners=[_Inner(path="p")],
        **{"as": "y"},
    )
    found = list(marked_values(model))
    assert found == [
        (("url",), TEMPLATE, "/a/{id}"),
        (("maybe",), EXPRESSION, "m"),
        (("by_name", "k"), EXPRESSION, "v"),
        (("inners", 0, "path"), EXPRESSION, "p"),
        (("as",), EXPRESSION, "y"),
    ]


def test_absent_optional_fields_and_plain_strings_are_skipped() -> None:
    found = [path for path, _, _ in marked_values(_Outer(url="/x"))]
    assert found == [("url",), ("as",)]
