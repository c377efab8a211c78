"""A get answered by a query parameter: a route chosen by `id_pattern` sends its own `query`
(reading `id`) and picks the first record its `records_path` selects."""

from __future__ import annotations

import httpx
import pytest
import respx

from engine.api import Engine
from engine.errors import NotFoundError

HOST = "https://api.byquery.test/v4"
CREDENTIALS = {"api_key": "bq-key"}


def test_a_get_by_id_uses_the_operations_path(language_engine: Engine) -> None:
    """An id that no route matches uses the get request and its record_path."""
    with respx.mock(base_url=HOST) as mock:
        mock.get("/subscribers/42").mock(
            return_value=httpx.Response(
                200, json={"subscriber": {"id": 42, "email_address": "a@b.test"}}
            )
        )
        record = language_engine.connect("byquery", credentials=CREDENTIALS).contacts.get("42")
    assert record["id"] == "42"


def test_a_get_by_email_sends_the_routes_query_reading_id(language_engine: Engine) -> None:
    """The email route sends its query (reading `id`) and answers the first match."""
    with respx.mock(base_url=HOST) as mock:
        route = mock.get("/subscribers").mock(
            return_value=httpx.Response(
                200,
                json={
                    "subscribers": [
                        {"id": 7, "email_address": "a@b.test", "first_name": "Ann"},
                        {"id": 8, "email_address": "a@b.test", "first_name": "Other"},
                    ]
                },
            )
        )
        record = language_engine.connect("byquery", credentials=CREDENTIALS).contacts.get(
            "a@b.test"
        )
    sent = route.calls.last.request.url.params
    assert sent.multi_items() == [("email_address", "a@b.test"), ("status", "all")]
    assert (record["id"], record["first_name"]) == ("7", "Ann")


def test_a_get_by_email_matching_nothing_is_not_found(language_engine: Engine) -> None:
    """No match is a `not_found` error."""
    with respx.mock(base_url=HOST) as mock:
        mock.get("/subscribers").mock(return_value=httpx.Response(200, json={"subscribers": []}))
        connection = language_engine.connect("byquery", credentials=CREDENTIALS)
        with pytest.raises(NotFoundError):
            connection.contacts.get("nobody@b.test")


def test_explain_shows_the_get_query(language_engine: Engine) -> None:
    """`explain` shows the route's query (formerly dropped)."""
    connection = language_engine.connect("byquery", credentials=CREDENTIALS)
    (request,) = connection.explain("contacts", "get", id="a@b.test")["requests"]
    assert request["url"] == f"{HOST}/subscribers"
    assert request["query"] == [["email_address", "a@b.test"], ["status", "all"]]
