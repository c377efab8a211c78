"""Write bodies are checked before sending, with one problem per bad field."""

from __future__ import annotations

from typing import Any

import pytest

from engine.errors import FieldProblem, ValidationError
from engine.unified.validate import raise_for_write, validate_write


def fields(problems: list[FieldProblem]) -> list[str]:
    """The fields named by a list of problems, in order."""
    return [problem.field for problem in problems]


FULL_CONTACT_WRITE: dict[str, Any] = {
    "email": "ada@example.com",
    "first_name": "Ada",
    "last_name": None,
    "name": "Ada Lovelace",
    "status": "active",
    "phones": [{"phone": "+44 20 7946 0000"}],
    "addresses": [{"city": "London", "country": "GB"}],
    "lists": [{"id": "1"}, {"id": "2", "name": "read back from a contact"}],
    "tags": [{"name": "vip"}],
    "custom_fields": {"company": "Analytical Engines", "score": 3, "old": None},
    "subscribed_at": "2025-09-19T11:10:41Z",
    "unsubscribed_at": None,
}


@pytest.mark.parametrize("method", ["create", "upsert", "update"])
def test_every_writable_contact_field_is_accepted(method: str) -> None:
    assert validate_write("contacts", method, FULL_CONTACT_WRITE) == []


def test_create_requires_email() -> None:
    problems = validate_write("contacts", "create", {"first_name": "Ada"})
    assert problems == [FieldProblem("email", "required field 'email' is missing")]


def test_upsert_requires_email() -> None:
    assert fields(validate_write("contacts", "upsert", {"first_name": "Ada"})) == ["email"]


def test_update_does_not_require_email() -> None:
    assert validate_write("contacts", "update", {"first_name": "Ada"}) == []


def test_update_needs_at_least_one_field() -> None:
    assert validate_write("contacts", "update", {}) == [
        FieldProblem("", "must give at least one field to change")
    ]


def test_an_unknown_key_is_named_with_a_suggestion() -> None:
    problems = validate_write("contacts", "update", {"emial": "x"})
    assert problems == [FieldProblem("emial", "unknown field 'emial' (did you mean 'email'?)")]


def test_an_unknown_key_with_no_close_match_has_no_suggestion() -> None:
    problems = validate_write("contacts", "update", {"zzzz": 1})
    assert problems == [FieldProblem("zzzz", "unknown field 'zzzz'")]


@pytest.mark.parametrize("field", ["id", "remote_data", "created_at", "updated_at"])
def test_read_only_fields_cannot_be_written(field: str) -> None:
    problems = validate_write("contacts", "update", {"first_name": "Ada", field: "x"})
    assert problems == [FieldProblem(field, f"field '{field}' is read-only and cannot be written")]


def test_every_bad_field_is_named_at_once() -> None:
    body = {
        "email": "not-an-email",
        "status": "actve",
        "phones": [{"type": "mobile"}],
        "addresses": [{"city": "London", "country": 44}],
        "subscribed_at": "2025-09-19 11:10:41",
        "custom_fields": {"company": {"nested": True}},
    }
    problems = validate_write("contacts", "create", body)
    assert fields(problems) == [
        "addresses.0.country",
        "custom_fields.company",
        "email",
        "phones.0.phone",
        "status",
        "subscribed_at",
    ]
    assert all(problem.message for problem in problems)


def test_an_enum_mistake_suggests_the_closest_value() -> None:
    (problem,) = validate_write("contacts", "update", {"status": "actve"})
    assert problem.message.endswith("did you mean 'active'?")


def test_lists_on_a_contact_write_are_objects_with_an_id() -> None:
    assert validate_write("contacts", "update", {"lists": [{"id": "1"}]}) == []
    assert fields(validate_write("contacts", "update", {"lists": ["1"]})) == ["lists.0"]
    assert fields(validate_write("contacts", "update", {"lists": [{"name": "x"}]})) == [
        "lists.0.id"
    ]


def test_a_tag_must_be_named_by_id_or_name() -> None:
    problems = validate_write("contacts", "update", {"tags": [{}]})
    assert problems == [FieldProblem("tags.0", "must name the tag by id or name")]


def test_custom_field_values_must_be_scalars_or_null() -> None:
    body = {"custom_fields": {"a": "x", "b": 1.5, "c": False, "d": None, "e": [1]}}
    assert fields(validate_write("contacts", "update", body)) == ["custom_fields.e"]


def test_a_body_that_is_not_an_object_is_one_problem() -> None:
    assert validate_write("contacts", "update", ["email"]) == [
        FieldProblem("", 'must be an object (got ["email"])')
    ]


def test_list_create_requires_name_and_update_does_not() -> None:
    assert fields(validate_write("lists", "create", {"description": "x"})) == ["name"]
    assert validate_write("lists", "update", {"description": None}) == []


def test_custom_field_create_requires_name_and_type() -> None:
    assert fields(validate_write("custom_fields", "create", {})) == ["name", "type"]
    assert validate_write("custom_fields", "create", {"name": "Company", "type": "text"}) == []
    assert fields(validate_write("custom_fields", "update", {"type": "bool"})) == ["type"]


@pytest.mark.parametrize("method", ["add_contacts", "remove_contacts"])
def test_membership_bodies_need_a_non_empty_list_of_string_ids(method: str) -> None:
    assert validate_write("lists", method, {"contact_ids": ["1", "2"]}) == []
    assert fields(validate_write("lists", method, {"contact_ids": []})) == ["contact_ids"]
    assert fields(validate_write("lists", method, {"contact_ids": [1]})) == ["contact_ids.0"]
    assert fields(validate_write("lists", method, {})) == ["contact_ids"]


def test_bulk_upsert_checks_only_the_envelope() -> None:
    body = {"contacts": [{"email": "a@example.com"}, {"emial": "bad item"}]}
    assert validate_write("contacts", "bulk_upsert", body) == []
    assert fields(validate_write("contacts", "bulk_upsert", {"contacts": [1]})) == ["contacts.0"]
    assert fields(validate_write("contacts", "bulk_upsert", {"contacts": []})) == ["contacts"]


def test_methods_without_a_body_have_nothing_to_check() -> None:
    assert validate_write("contacts", "get", None) == []
    assert validate_write("segments", "list", None) == []


def test_raise_for_write_lists_every_problem() -> None:
    with pytest.raises(ValidationError) as caught:
        raise_for_write("lists", "create", {"nme": "x"})
    error = caught.value
    assert error.status_code == 422
    assert fields(error.fields) == ["name", "nme"]
    assert "name" in error.message and "nme" in error.message


def test_raise_for_write_is_silent_for_a_valid_body() -> None:
    raise_for_write("lists", "create", {"name": "Newsletter"})
