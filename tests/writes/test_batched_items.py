"""Items of a bulk upsert sent through a batch endpoint keep the reused operation's behaviour:
its `before` steps go first, one per item, and sub-responses holding no record are read back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx

from tests.writes.synthetic import BATCH_BASE_URL, answer, contact, relay_batch, sent


def _batch(request: httpx.Request) -> httpx.Response:
    """Sub-request for a@ answers 201 {id: 1}, others 204, an email 'fail@' 422."""
    responses: list[dict[str, Any]] = []
    for sub in json.loads(request.content)["requests"]:
        email = sub["body"]["email"]
        if email.startswith("fail@"):
            responses.append({"status": 422, "body": {"message": "bad contact"}})
        elif email.startswith("a@"):
            responses.append({"status": 201, "body": {"id": 1}})
        else:
            responses.append({"status": 204, "body": None})
    return answer(200, {"responses": responses})


def _read(request: httpx.Request) -> httpx.Response:
    key = request.url.path.rsplit("/", 1)[1].replace("%40", "@")
    return answer(200, contact(1 if key == "1" else 2, "a@x.test" if key == "1" else key))


@pytest.fixture
def batch_api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BATCH_BASE_URL, assert_all_called=False) as router:
        router.post("/batch").mock(side_effect=_batch)
        router.put(url__regex=r"/tags/").mock(return_value=answer(204))
        router.get(url__regex=r"/contacts/").mock(side_effect=_read)
        yield router


def test_batched_items_are_read_back_with_their_outcome(batch_api: respx.MockRouter) -> None:
    items = [{"email": "a@x.test"}, {"email": "b@x.test"}, {"email": "fail@x.test"}]
    results = relay_batch().contacts.bulk_upsert(items)["result"]
    assert [(r["success"], r.get("created")) for r in results] == [
        (True, True),
        (True, False),
        (False, None),
    ]
    assert [r["record"]["id"] for r in results[:2]] == ["1", "2"]
    assert [p for m, p, _ in sent(batch_api) if m == "GET"] == ["/contacts/1", "/contacts/b@x.test"]


def test_batched_items_send_their_before_steps_first(batch_api: respx.MockRouter) -> None:
    items = [
        {"email": "a@x.test", "tags": [{"name": "vip"}]},
        {"email": "b@x.test", "tags": [{"name": "new"}]},
    ]
    relay_batch().contacts.bulk_upsert(items)
    writes = [(m, p) for m, p, _ in sent(batch_api) if m != "GET"]
    assert writes == [("PUT", "/tags/vip"), ("PUT", "/tags/new"), ("POST", "/batch")]
