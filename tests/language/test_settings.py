"""Connection settings: declared in provider.yaml, given per connection, read as
`settings.<name>` in paths, queries, bodies and headers; checked before anything is sent."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import respx

from engine.api import Engine
from engine.errors import ValidationError

KEY = "secret-key-us6"
HOST = "https://us6.api.computed.test/v3"


def test_settings_fill_the_path_query_and_headers(language_engine: Engine) -> None:
    """`settings.<name>` is read in the path, a query parameter and a provider header."""
    with respx.mock(base_url=HOST) as mock:
        mock.get("/lists/L7/members").mock(return_value=httpx.Response(200, json={"members": []}))
        connection = language_engine.connect(
            "computed", credentials={"api_key": KEY}, settings={"list_id": "L7", "region_tag": "us"}
        )
        connection.call("contacts", "list")
        sent = mock.calls.last.request
    assert sent.url.params.get("region") == "us"
    assert sent.headers["X-Region"] == "US"


def test_an_unset_setting_takes_its_declared_default(language_engine: Engine) -> None:
    """A setting not given takes the `default` declared in provider.yaml."""
    with respx.mock(base_url=HOST) as mock:
        mock.get("/lists/L7/members").mock(return_value=httpx.Response(200, json={"members": []}))
        connection = language_engine.connect(
            "computed", credentials={"api_key": KEY}, settings={"list_id": "L7"}
        )
        connection.call("contacts", "list")
        sent = mock.calls.last.request
    assert sent.url.params.get("region") == "eu"
    assert sent.headers["X-Region"] == "EU"


def test_a_body_key_reading_only_settings_is_always_sent(language_engine: Engine) -> None:
    """A body key reading only settings does not depend on the input."""
    with respx.mock(base_url=HOST) as mock:
        mock.put(url__regex=r".*").mock(return_value=httpx.Response(200, json={"id": "m"}))
        connection = language_engine.connect(
            "computed", credentials={"api_key": KEY}, settings={"list_id": "L7"}
        )
        connection.call("contacts", "upsert", body={"email": "a@b.test"})
        sent = mock.calls.last.request
    assert json.loads(sent.content) == {"email_address": "a@b.test", "region": "eu"}


def test_an_unknown_setting_is_a_validation_error_naming_it(language_engine: Engine) -> None:
    """A setting the provider does not declare is refused when connecting."""
    with pytest.raises(ValidationError) as caught:
        language_engine.connect(
            "computed", credentials={"api_key": KEY}, settings={"list_id": "L", "lst_id": "x"}
        )
    assert caught.value.code == "validation_error"
    assert [p.field for p in caught.value.details] == ["settings.lst_id"]
    assert "unknown setting 'lst_id'" in str(caught.value)


def test_a_missing_required_setting_is_a_validation_error_naming_it(
    language_engine: Engine,
) -> None:
    """A required setting must be given."""
    with pytest.raises(ValidationError) as caught:
        language_engine.connect("computed", credentials={"api_key": KEY})
    assert [p.field for p in caught.value.details] == ["settings.list_id"]
    assert "setting 'list_id' is required" in str(caught.value)


def test_a_setting_must_be_a_scalar(language_engine: Engine) -> None:
    """Settings are strings, numbers or booleans."""
    with pytest.raises(ValidationError) as caught:
        language_engine.connect(
            "computed", credentials={"api_key": KEY}, settings={"list_id": ["a"]}
        )
    assert [p.field for p in caught.value.details] == ["settings.list_id"]


def test_aconnect_takes_settings(language_engine: Engine) -> None:
    """The async connection takes settings like the sync one."""

    async def run() -> None:
        async with language_engine.aconnect(
            "computed", credentials={"api_key": KEY}, settings={"list_id": "L9"}
        ) as connection:
            await connection.call("contacts", "list")

    with respx.mock(base_url=HOST) as mock:
        mock.get("/lists/L9/members").mock(return_value=httpx.Response(200, json={"members": []}))
        asyncio.run(run())
        assert mock.calls.call_count == 1


def test_explain_shows_the_requests_built_with_the_settings(language_engine: Engine) -> None:
    """`explain` shows the requests as built with the settings, no secret."""
    connection = language_engine.connect(
        "computed", credentials={"api_key": KEY}, settings={"list_id": "L7"}
    )
    explained = connection.explain("contacts", "list")
    (request,) = explained["requests"]
    assert request["url"] == f"{HOST}/lists/L7/members"
    assert ["region", "eu"] in request["query"]
    assert request["headers"]["X-Region"] == "EU"
    assert KEY not in json.dumps(explained)
