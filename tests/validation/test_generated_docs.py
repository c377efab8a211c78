"""The committed reference docs are exactly what `python -m engine.format.docs` generates."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.format import docs
from engine.format.provider import ProviderFile
from engine.format.resource import Operation, ResourceFile

GENERATED = docs.outputs()


@pytest.mark.parametrize("path", sorted(GENERATED), ids=lambda p: p.name)
def test_committed_doc_is_up_to_date(path: Path) -> None:
    """A change to the models or FUNCTION_DOCS must come with regenerated docs."""
    committed = path.read_text(encoding="utf-8") if path.is_file() else ""
    assert committed == GENERATED[path], (
        f"docs/{path.name} is out of date; regenerate it with `python -m engine.format.docs` "
        "and commit the result"
    )


def test_functions_doc_lists_every_library_function() -> None:
    """Each FUNCTION_DOCS entry has its own section."""
    text = docs.functions_markdown()
    for name in docs.FUNCTION_DOCS:
        assert f"\n## {name}\n" in text


def test_functions_doc_lists_jmespath_builtins() -> None:
    """The built-ins line names JMESPath's own functions."""
    text = docs.functions_markdown()
    assert "`sort_by`" in text and "`not_null`" in text


def test_reference_has_a_table_per_model_including_nested_ones() -> None:
    """Provider, resource and nested models (e.g. Operation) each get a section."""
    text = docs.reference_markdown()
    for model in (ProviderFile, ResourceFile, Operation):
        assert f"\n## {model.__name__}\n" in text


def test_reference_row_shows_key_type_required_default_and_description() -> None:
    """A field's row carries its alias, readable type, required flag, default and description."""
    text = docs.reference_markdown()
    assert "| `as` | string | yes |  | Placeholder name of each value in the request. |" in text
    assert "| `max_pages` | integer | no | `100000` |" in text
