"""The unified JSON Schema files and the helpers that answer questions about them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from engine.errors import ConfigurationError
from engine.unified import schemas
from engine.unified.validate import validate_envelope, validate_record

SCHEMA_FILES = sorted(schemas.schema_folder().glob("*.json"))


def test_the_schema_folder_holds_every_promised_file() -> None:
    names = {path.name for path in SCHEMA_FILES}
    expected = {
        "contact.json", "list.json", "segment.json", "custom_field.json", "event.json",
        "error.json", "list_envelope.json", "contact_write.json", "list_write.json",
        "custom_field_write.json", "membership_write.json", "bulk_upsert.json",
    }  # fmt: skip
    assert expected <= names


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_every_schema_is_a_valid_2020_12_schema(path: Any) -> None:
    document = json.loads(path.read_text())
    Draft202012Validator.check_schema(document)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["$id"] == schemas.BASE_URI + path.name
    assert document["title"] and document["description"]


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_every_ref_resolves_in_the_registry(path: Any) -> None:
    document = json.loads(path.read_text())
    resolver = schemas.registry().resolver(base_uri=document["$id"])

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                resolver.lookup(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)


@pytest.mark.parametrize(
    ("resource", "fixture"),
    [
        ("contacts", "contact"),
        ("lists", "list_record"),
        ("segments", "segment"),
        ("custom_fields", "custom_field"),
        ("events", "event"),
    ],
)
def test_example_valid_records_pass(
    resource: str, fixture: str, request: pytest.FixtureRequest
) -> None:
    assert validate_record(resource, request.getfixturevalue(fixture)) == []


def test_a_stray_key_in_a_record_fails(contact: dict[str, Any]) -> None:
    contact["emial"] = "x"
    problems = validate_record("contacts", contact)
    assert [(p.field, p.message) for p in problems] == [
        ("emial", "unknown field 'emial' (did you mean 'email'?)")
    ]


def test_a_stray_key_in_a_nested_object_fails(contact: dict[str, Any]) -> None:
    contact["addresses"][0]["zip"] = "NW1"
    assert [p.field for p in validate_record("contacts", contact)] == ["addresses.0.zip"]


def test_a_missing_key_in_a_record_fails(contact: dict[str, Any]) -> None:
    del contact["tags"]
    assert [p.field for p in validate_record("contacts", contact)] == ["tags"]


def test_remote_data_may_be_switched_off(contact: dict[str, Any]) -> None:
    del contact["remote_data"]
    assert validate_record("contacts", contact) == []


@pytest.mark.parametrize(
    "value",
    ["2025-09-19T11:10:41", "2025-09-19 11:10:41", "2025-09-19T11:10:41+00:00", "2025-09-19"],
)
def test_a_timestamp_without_z_fails(contact: dict[str, Any], value: str) -> None:
    contact["created_at"] = value
    problems = validate_record("contacts", contact)
    assert [p.field for p in problems] == ["created_at"]
    assert "ending in Z" in problems[0].message


def test_an_id_given_as_a_number_fails(contact: dict[str, Any]) -> None:
    contact["id"] = 165968862226941797
    contact["lists"][0]["id"] = 121212
    problems = validate_record("contacts", contact)
    assert [p.field for p in problems] == ["id", "lists.0.id"]
    assert problems[0].message.startswith("must be a string")


def test_the_status_enum_is_closed(contact: dict[str, Any]) -> None:
    contact["status"] = "junk"
    problems = validate_record("contacts", contact)
    assert [p.field for p in problems] == ["status"]
    assert "must be one of: active, unsubscribed" in problems[0].message


def test_the_custom_field_type_enum_is_closed(custom_field: dict[str, Any]) -> None:
    custom_field["type"] = "boolean"
    assert [p.field for p in validate_record("custom_fields", custom_field)] == ["type"]


def test_an_empty_string_is_not_an_absent_value(contact: dict[str, Any]) -> None:
    contact["first_name"] = ""
    assert [p.message for p in validate_record("contacts", contact)] == ["must not be empty"]


def test_an_unknown_event_type_fails_but_a_provider_type_passes(event: dict[str, Any]) -> None:
    event["type"] = "campaign.sent"
    assert [p.field for p in validate_record("events", event)] == ["type"]
    event["type"] = "provider.campaign.sent"
    assert validate_record("events", event) == []


def test_only_provider_events_may_have_no_contact(event: dict[str, Any]) -> None:
    event["contact"] = None
    assert [p.field for p in validate_record("events", event)] == ["contact"]
    event["type"] = "provider.campaign.sent"
    assert validate_record("events", event) == []


def test_the_list_envelope_checks_items_against_the_record(list_record: dict[str, Any]) -> None:
    page = {"result": [list_record], "next_cursor": "abc", "prev_cursor": None, "result_count": 1}
    assert validate_envelope("lists", page) == []
    list_record["bogus"] = 1
    assert [p.field for p in validate_envelope("lists", page)] == ["result.0.bogus"]


def test_the_generic_list_envelope_accepts_any_object_items() -> None:
    page = {"result": [{"anything": 1}], "next_cursor": None, "prev_cursor": None,
            "result_count": 1}  # fmt: skip
    validator = schemas.validator_for(schemas.schema_by_name("list_envelope.json"))
    assert list(validator.iter_errors(page)) == []


def test_resource_fields_lists_the_top_level_unified_fields() -> None:
    fields = schemas.resource_fields("contacts")
    assert {"id", "email", "first_name", "custom_fields", "remote_data"} <= fields
    assert "fields" not in fields
    assert schemas.resource_fields("custom_fields") == {"id", "key", "name", "type", "remote_data"}


def test_required_fields_exclude_remote_data() -> None:
    assert schemas.required_fields("lists") == {
        "id", "name", "description", "contact_count", "created_at", "updated_at",
    }  # fmt: skip


def test_array_item_fields_follow_refs() -> None:
    assert schemas.array_item_fields("contacts", "addresses") == {
        "street_1", "street_2", "city", "state", "postal_code", "country", "type",
    }  # fmt: skip
    assert schemas.array_item_fields("contacts", "lists") == {"id", "name"}


def test_writable_fields_exclude_read_only_fields() -> None:
    writable = schemas.writable_fields("contacts")
    assert "email" in writable
    assert not writable & {"id", "remote_data", "created_at", "updated_at"}
    assert schemas.writable_fields("segments") == set()


def test_methods_without_a_body_have_no_write_schema() -> None:
    for method in ("get", "list", "delete"):
        assert schemas.write_schema("contacts", method) is None
    assert schemas.write_schema("segments", "list") is None


def test_an_unknown_resource_is_a_configuration_error_with_a_suggestion() -> None:
    with pytest.raises(ConfigurationError, match="did you mean 'contacts'"):
        schemas.record_schema("contcts")


def test_an_unknown_method_is_a_configuration_error_with_a_suggestion() -> None:
    with pytest.raises(ConfigurationError, match="did you mean 'upsert'"):
        schemas.write_schema("contacts", "upsrt")


def test_returned_schemas_are_copies() -> None:
    schemas.record_schema("contacts")["properties"].clear()
    assert "email" in schemas.record_schema("contacts")["properties"]


def test_validators_are_built_once_and_reused() -> None:
    assert schemas.record_validator("contacts") is schemas.record_validator("contacts")
    assert schemas.write_validator("contacts", "create") is schemas.write_validator(
        "contacts", "upsert"
    )
    assert schemas.write_validator("contacts", "get") is None


def test_field_enum_resolves_shared_definitions() -> None:
    from engine.unified.schemas import field_enum

    assert field_enum("contacts", "status") == (
        "active",
        "unsubscribed",
        "unconfirmed",
        "bounced",
        "complained",
        "cleaned",
    )
    assert field_enum("contacts", "email") == ()
