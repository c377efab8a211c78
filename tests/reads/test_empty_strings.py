"""The unified contract never holds "": a provider's empty string becomes null in records."""

from __future__ import annotations

from typing import Any

import pytest

from engine.api import Engine
from engine.plan.records import RecordMapper
from engine.unified.validate import validate_record


@pytest.fixture(scope="module")
def contacts() -> RecordMapper:
    mapping = Engine.load().mapping("mailerlite")
    return RecordMapper(mapping, "contacts", mapping.resources["contacts"].fields)


def _subscriber(**fields: Any) -> dict[str, Any]:
    return {
        "id": "42",
        "email": "ada@example.com",
        "status": "active",
        "fields": {"name": "Ada", "last_name": "Lovelace", "company": "ACME", **fields},
        "groups": [],
        "subscribed_at": "2024-01-02 03:04:05",
        "unsubscribed_at": None,
        "created_at": "2024-01-02 03:04:05",
        "updated_at": "2024-01-02 03:04:05",
    }


def test_an_empty_provider_name_gives_null_first_name_and_name(contacts: RecordMapper) -> None:
    record = contacts.map(_subscriber(name="", last_name=""))
    assert record["first_name"] is None
    assert record["last_name"] is None
    assert record["name"] is None


def test_an_empty_first_name_leaves_the_full_name_without_a_leading_space(
    contacts: RecordMapper,
) -> None:
    assert contacts.map(_subscriber(name=""))["name"] == "Lovelace"


def test_empty_custom_field_values_become_null(contacts: RecordMapper) -> None:
    assert contacts.map(_subscriber(company=""))["custom_fields"]["company"] is None


def test_a_record_with_empty_strings_satisfies_the_unified_schema(contacts: RecordMapper) -> None:
    record = contacts.map(_subscriber(name="", last_name="", company="", city=""))
    assert validate_record("contacts", record) == []


def test_remote_data_keeps_the_providers_empty_strings(contacts: RecordMapper) -> None:
    record = contacts.map(_subscriber(name=""))
    assert record["remote_data"]["fields"]["name"] == ""
