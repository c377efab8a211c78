"""A filter read only by the operation's own path placeholder is consumed, not refused."""

from __future__ import annotations

import httpx
import respx

from engine.api import Engine

HOST = "https://us6.api.computed.test/v3"


def test_a_filter_in_the_operations_own_path_is_consumed(language_engine: Engine) -> None:
    """`name` fills `/lists/search/{name}`: the call is sent, not refused as 'cannot
    combine these filters'."""
    with respx.mock(base_url=HOST) as mock:
        route = mock.get("/lists/search/Weekly").mock(
            return_value=httpx.Response(200, json={"lists": [{"id": 1, "name": "A"}]})
        )
        connection = language_engine.connect(
            "computed", credentials={"api_key": "k-us6"}, settings={"list_id": "L"}
        )
        page = connection.call("lists", "list", query={"name": "Weekly"})
    assert [record["id"] for record in page["result"]] == ["1"]
    assert route.call_count == 1
