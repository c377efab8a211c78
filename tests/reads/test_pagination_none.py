"""`pagination: none`: one request, one page, whatever the response says about more."""

from __future__ import annotations

from collections.abc import Callable

import respx

from engine.api import Connection
from tests.reads.helpers import base_url, items, page, sent

Connect = Callable[[str], Connection]
SINGLE = "single"


def test_none_makes_exactly_one_request(connect: Connect) -> None:
    with respx.mock(base_url=base_url(SINGLE)) as mock:
        mock.get("/lists").mock(
            return_value=page(items("1", "2", "3"), links={"next": "/v1/lists?page=2"})
        )
        records = list(connect(SINGLE).iterate("lists", {"name": "x"}))
        assert [r["id"] for r in records] == ["1", "2", "3"]
        assert sent(mock) == [("/v1/lists", [("filter[name]", "x")])]


def test_none_envelope_has_no_cursors(connect: Connect) -> None:
    with respx.mock(base_url=base_url(SINGLE)) as mock:
        mock.get("/lists").mock(return_value=page(items("1", "2")))
        envelope = connect(SINGLE).call("lists", "list", query={"limit": 1})
        assert envelope["next_cursor"] is None and envelope["prev_cursor"] is None
        assert envelope["result_count"] == 2
        assert sent(mock) == [("/v1/lists", [])]
