"""A provider's empty string reads as null at any depth; clean records are not copied."""

from __future__ import annotations

import copy

from engine.unified.blanks import blank_to_null


def test_empty_strings_at_any_depth_become_null() -> None:
    """Blanks in objects, arrays and nested objects and arrays are all null."""
    record = {"a": "", "b": {"c": "", "d": [1, "", {"e": ""}]}, "f": "x"}
    assert blank_to_null(record) == {
        "a": None,
        "b": {"c": None, "d": [1, None, {"e": None}]},
        "f": "x",
    }


def test_the_record_given_is_never_changed() -> None:
    """Cleaning copies what it changes; the provider's record (kept as `remote_data`) stays."""
    record = {"a": "", "b": {"c": [""]}}
    before = copy.deepcopy(record)
    blank_to_null(record)
    assert record == before


def test_a_record_without_blanks_is_returned_as_it_is() -> None:
    """No blank anywhere: the same object back, nothing copied."""
    record = {"a": 1, "b": {"c": [None, "x", {"d": 0}]}}
    assert blank_to_null(record) is record


def test_a_blank_alone_is_null() -> None:
    """The empty string itself reads as null; other scalars pass through."""
    assert blank_to_null("") is None
    assert blank_to_null(0) == 0
