"""Computed template values: placeholders that are expressions, over credentials, the call's
input and `settings`, each value still encoded as one path segment."""

from __future__ import annotations

import base64
import hashlib

import httpx
import pytest
import respx

from engine.api import Engine
from engine.errors import ValidationError

KEY = "secret-key-us6"
HOST = "https://us6.api.computed.test/v3"


def md5(text: str) -> str:
    """Lower-case hex MD5 of `text`."""
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def test_base_url_is_computed_from_the_api_key(language_engine: Engine) -> None:
    """`{split(api_key, '-')[-1]}` puts the key's data centre in the host."""
    connection = language_engine.connect(
        "computed", credentials={"api_key": KEY}, settings={"list_id": "L1"}
    )
    assert connection.session.base_url == HOST


def test_get_path_holds_the_md5_of_the_lower_cased_trimmed_id(language_engine: Engine) -> None:
    """`{md5(lower(trim(id)))}` is evaluated over the call's id."""
    with respx.mock(base_url=HOST) as mock:
        route = mock.get(f"/lists/L1/members/{md5('ann@example.com')}").mock(
            return_value=httpx.Response(200, json={"id": "m1", "email_address": "ann@example.com"})
        )
        connection = language_engine.connect(
            "computed", credentials={"api_key": KEY}, settings={"list_id": "L1"}
        )
        record = connection.call("contacts", "get", id="  Ann@Example.COM ")
    assert record["email"] == "ann@example.com"
    assert route.call_count == 1


def test_upsert_path_is_computed_from_the_unified_body(language_engine: Engine) -> None:
    """A write path may read the unified body: `{md5(lower(email))}`."""
    with respx.mock(base_url=HOST) as mock:
        route = mock.put(f"/lists/L1/members/{md5('bob@example.com')}").mock(
            return_value=httpx.Response(200, json={"id": "m2", "email_address": "bob@example.com"})
        )
        connection = language_engine.connect(
            "computed", credentials={"api_key": KEY}, settings={"list_id": "L1"}
        )
        connection.call("contacts", "upsert", body={"email": "Bob@Example.com"})
    assert route.call_count == 1


def test_an_expression_value_is_encoded_as_one_path_segment(language_engine: Engine) -> None:
    """A computed value holding `/`, `?` or `#` cannot change the path or add a query."""
    with respx.mock(base_url=HOST) as mock:
        mock.get(url__regex=r".*").mock(return_value=httpx.Response(200, json={"members": []}))
        connection = language_engine.connect(
            "computed", credentials={"api_key": KEY}, settings={"list_id": "a/../b?x=1#f"}
        )
        connection.call("contacts", "list")
        sent = mock.calls.last.request
    assert sent.url.raw_path.startswith(b"/v3/lists/a%2F..%2Fb%3Fx%3D1%23f/members?")
    assert sent.url.params.get("x") is None


def test_nested_braces_in_a_placeholder_are_one_expression(language_engine: Engine) -> None:
    """`{ {key: id}.key }` is one placeholder: braces nest inside an expression."""
    with respx.mock(base_url=HOST) as mock:
        mock.get(url__regex=r".*").mock(return_value=httpx.Response(200, json={"id": "m1"}))
        connection = language_engine.connect(
            "computed", credentials={"api_key": KEY}, settings={"list_id": "L1"}
        )
        connection.call("contacts", "get", id="ann@example.com")
        sent = mock.calls.last.request
    assert sent.headers["X-Lookup"] == "ann@example.com"


def test_a_missing_computed_input_is_a_validation_error_naming_it(
    language_engine: Engine,
) -> None:
    """An upsert without an email cannot fill `{md5(lower(email))}`: nothing is sent."""
    with respx.mock(base_url=HOST, assert_all_called=False) as mock:
        connection = language_engine.connect(
            "computed", credentials={"api_key": KEY}, settings={"list_id": "L1"}
        )
        with pytest.raises(ValidationError) as caught:
            connection.call("contacts", "upsert", body={"first_name": "Ann"})
        assert mock.calls.call_count == 0
    assert "email" in [problem.field for problem in caught.value.details]


def test_auth_templates_see_the_credentials(language_engine: Engine) -> None:
    """Basic auth's password template is filled with the API key, as before."""
    with respx.mock(base_url=HOST) as mock:
        mock.get(url__regex=r".*").mock(return_value=httpx.Response(200, json={"members": []}))
        connection = language_engine.connect(
            "computed", credentials={"api_key": KEY}, settings={"list_id": "L1"}
        )
        connection.call("contacts", "list")
        sent = mock.calls.last.request
    expected = base64.b64encode(f"anystring:{KEY}".encode()).decode()
    assert sent.headers["Authorization"] == f"Basic {expected}"
