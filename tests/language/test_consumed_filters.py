"""A filter read only by the operation's own path placeholder is consumed, not refused."""

from __future__ import annotations

import httpx
import respx

from engine.api import Engine

HOST = "https://us6.api.computed.test/v3"


def test_a_filter_in_the_operations_own_path_is_consumed(language_engine: Engine) -> None:
    """`folder_id` fills `/folders/{folder_id}/lists`: the call is sent, not refused as
    'cannot combine these filters'."""
    with respx.mock(base_url=HOST) as mock:
        route = mock.get("/folders/F1/lists").mock(
            return_value=httpx.Response(200, json={"lists": [{"id": 1, "name": "A"}]})
        )
        connection = language_engine.connect(
            "computed", credentials={"api_key": "k-us6"}, settings={"list_id": "L"}
        )
        page = connection.call("lists", "list", query={"folder_id": "F1"})
    assert [record["id"] for record in page["result"]] == ["1"]
    assert route.call_count == 1
