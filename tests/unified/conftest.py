"""Example unified records shared by the tests of the unified contract."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def contact() -> dict[str, Any]:
    """A complete, valid unified contact."""
    return {
        "id": "165968862226941797",
        "email": "ada@example.com",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "name": "Ada Lovelace",
        "status": "active",
        "phones": [{"phone": "+44 20 7946 0000", "type": None}],
        "addresses": [
            {
                "street_1": None,
                "street_2": None,
                "city": "London",
                "state": None,
                "postal_code": "NW1",
                "country": "GB",
                "type": None,
            }
        ],
        "lists": [{"id": "165968862226941798", "name": "Newsletter"}],
        "tags": [],
        "custom_fields": {"company": "Analytical Engines", "score": 3, "vip": True, "x": None},
        "subscribed_at": "2025-09-19T11:10:41Z",
        "unsubscribed_at": None,
        "created_at": "2025-09-19T11:10:41Z",
        "updated_at": "2025-09-19T11:10:41.000000Z",
        "remote_data": {"id": "165968862226941797", "status": "active"},
    }


@pytest.fixture
def list_record() -> dict[str, Any]:
    """A complete, valid unified list."""
    return {
        "id": "121212",
        "name": "Newsletter",
        "description": None,
        "contact_count": 42,
        "created_at": "2025-09-19T11:10:41Z",
        "updated_at": None,
        "remote_data": {"id": "121212"},
    }


@pytest.fixture
def segment() -> dict[str, Any]:
    """A complete, valid unified segment (remote_data switched off)."""
    return {
        "id": "9",
        "name": "Engaged",
        "description": None,
        "contact_count": None,
        "created_at": None,
        "updated_at": None,
    }


@pytest.fixture
def custom_field() -> dict[str, Any]:
    """A complete, valid unified custom field definition."""
    return {"id": "1", "key": "company", "name": "Company", "type": "text", "remote_data": {}}


@pytest.fixture
def event(contact: dict[str, Any], list_record: dict[str, Any]) -> dict[str, Any]:
    """A complete, valid unified webhook event."""
    return {
        "id": "evt-1",
        "type": "list.contact_added",
        "provider": "mailerlite",
        "account_id": "83510",
        "occurred_at": "2024-12-04T12:26:44.000000Z",
        "contact": contact,
        "list": list_record,
        "raw": {"event": "subscriber.added_to_group"},
    }
