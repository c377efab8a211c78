"""The contract's index (`resources.json`): the one place resources, methods and filters live."""

from __future__ import annotations

import pytest

from engine.format.resource import ResourceFile
from engine.unified import schemas as unified


def test_every_schema_file_the_index_names_exists() -> None:
    files = set(p.name for p in unified.schema_folder().glob("*.json"))
    for resource in unified.resources():
        assert unified.RECORD_SCHEMAS[resource] in files
        for body in unified.WRITE_SCHEMAS[resource].values():
            assert body is None or body in files


def test_events_are_webhook_only_so_not_callable() -> None:
    assert "events" in unified.resources()
    assert "events" not in unified.callable_resources()


def test_event_types_are_read_from_event_json() -> None:
    type_schema = unified.schema_by_name("event.json")["properties"]["type"]
    assert list(unified.event_types()) == type_schema["anyOf"][0]["enum"]


def test_resource_files_accept_exactly_the_contract_methods() -> None:
    operations = ResourceFile.model_json_schema()["properties"]["operations"]
    assert operations["propertyNames"]["enum"] == unified.all_methods()


@pytest.mark.parametrize(
    ("resource", "method", "expected"),
    [("contacts", "get", True), ("contacts", "upsert", False), ("lists", "add_contacts", True)],
)
def test_takes_id_follows_the_index(resource: str, method: str, expected: bool) -> None:
    assert unified.takes_id(resource, method) is expected


def test_contact_filters_are_the_documented_ones() -> None:
    assert unified.filters("contacts") == ["status", "email", "list_id", "segment_id"]
