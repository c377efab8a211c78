"""`connection.explain(...)`: the provider request a call would make, secrets redacted, nothing
sent."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import respx
from canary_watch import CANARY_KEY

from engine.api import Connection, Engine
from engine.errors import InvalidCursorError, ValidationError

TOKEN = CANARY_KEY


@pytest.fixture
def quiet() -> Iterator[respx.MockRouter]:
    """No route is mocked: a request would fail the test; none may be made."""
    with respx.mock(assert_all_mocked=True) as mock:
        yield mock
        assert mock.calls.call_count == 0


@pytest.fixture
def connection(ml_engine: Engine) -> Iterator[Connection]:
    """A MailerLite connection to the real base URL (nothing may reach it)."""
    with ml_engine.connect("mailerlite", credentials={"api_key": TOKEN}) as conn:
        yield conn


def test_explain_list_shows_method_url_query_and_redacted_authorization(
    connection: Connection, quiet: respx.MockRouter
) -> None:
    explained = connection.explain(
        "contacts", "list", query={"status": "cleaned", "list_id": "42", "limit": 500}
    )
    assert explained["call"] == "contacts.list"
    [request] = explained["requests"]
    assert request["method"] == "GET"
    assert request["url"] == "https://connect.mailerlite.com/api/groups/42/subscribers"
    assert request["query"] == [["filter[status]", "junk"], ["include", "groups"], ["limit", "500"]]
    assert request["headers"]["Authorization"] == "Bearer ***"


def test_explain_list_shows_the_pagination_plan(
    connection: Connection, quiet: respx.MockRouter
) -> None:
    plan = connection.explain("contacts", "list", query={"limit": 5000})["pagination"]
    assert plan["style"] == "cursor"
    assert plan["page_size"] == 1000
    assert plan["max_pages"] >= 1
    assert any("next cursor" in rule for rule in plan["stop_rules"])
    assert any("max_pages" in rule for rule in plan["stop_rules"])


def test_explain_never_shows_the_token(connection: Connection, quiet: respx.MockRouter) -> None:
    calls = [
        ("contacts", "list", None, {"email": "a+b@example.com"}),
        ("contacts", "list", None, {"segment_id": "7"}),
        ("contacts", "get", "123", None),
        ("lists", "list", None, {"limit": 3}),
        ("custom_fields", "get", "9", None),
    ]
    for resource, method, call_id, query in calls:
        text = json.dumps(connection.explain(resource, method, id=call_id, query=query))
        assert TOKEN not in text
        assert "DO-NOT-LEAK" not in text


def test_explain_of_a_cursor_shows_the_next_request(
    connection: Connection, ml_engine: Engine, quiet: respx.MockRouter
) -> None:
    from engine.plan.cursor import CursorPayload, encode_cursor

    cursor = encode_cursor(
        CursorPayload(
            "mailerlite",
            "contacts",
            {"status": "active"},
            50,
            -1,
            {"page_no": 3, "cursor": "eyJpZCI6MX0"},
        ),
        ml_engine.cursor_key,
    )
    [request] = connection.explain("contacts", "list", query={"next_cursor": cursor})["requests"]
    assert request["url"] == "https://connect.mailerlite.com/api/subscribers"
    assert ["cursor", "eyJpZCI6MX0"] in request["query"]
    assert ["limit", "50"] in request["query"]


def test_explain_validates_like_the_call(connection: Connection, quiet: respx.MockRouter) -> None:
    with pytest.raises(ValidationError):
        connection.explain("contacts", "list", query={"status": "junk"})
    with pytest.raises(InvalidCursorError):
        connection.explain("contacts", "list", query={"next_cursor": "bogus.cursor"})
