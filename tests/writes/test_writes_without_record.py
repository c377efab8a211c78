"""`response.result`: writes whose response holds no record (`201 {"id": N}`, `204`) answer
the record read back through `get`, or the unified input merged with what the response gives;
`response.created` tells an upsert's outcome from the status."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import respx

from engine.errors import RemoteError
from engine.unified.validate import validate_record
from tests.writes.synthetic import answer, arelay, contact, relay, sent


def test_create_answering_only_an_id_reads_the_record_back(relay_api: respx.MockRouter) -> None:
    relay_api.post("/contacts").mock(return_value=answer(201, {"id": 7}))
    relay_api.get("/contacts/7").mock(return_value=answer(200, contact(7, "ann@relay.test")))
    record = relay().contacts.create({"email": "ann@relay.test", "first_name": "Ann"})
    assert record["id"] == "7" and record["email"] == "ann@relay.test"
    assert record["remote_data"] == contact(7, "ann@relay.test")
    assert [(m, p) for m, p, _ in sent(relay_api)] == [
        ("POST", "/contacts"),
        ("GET", "/contacts/7"),
    ]
    assert not validate_record("contacts", record)


def test_upsert_answering_no_content_reads_back_by_email_and_says_updated(
    relay_api: respx.MockRouter,
) -> None:
    relay_api.post("/contacts").mock(return_value=answer(204))
    relay_api.get("/contacts/ann@relay.test").mock(
        return_value=answer(200, contact(7, "ann@relay.test"))
    )
    record = relay().contacts.upsert({"email": "ann@relay.test"})
    assert record["id"] == "7" and record["created"] is False
    assert sent(relay_api)[0] == (
        "POST",
        "/contacts",
        {"email": "ann@relay.test", "update_enabled": True},
    )


def test_upsert_answering_201_says_created(relay_api: respx.MockRouter) -> None:
    relay_api.post("/contacts").mock(return_value=answer(201, {"id": 8}))
    relay_api.get("/contacts/8").mock(return_value=answer(200, contact(8, "new@relay.test")))
    record = relay().contacts.upsert({"email": "new@relay.test"})
    assert record["created"] is True and record["id"] == "8"


def test_update_answering_no_content_reads_back_by_the_call_id(relay_api: respx.MockRouter) -> None:
    relay_api.put("/contacts/7").mock(return_value=answer(204))
    relay_api.get("/contacts/7").mock(
        return_value=answer(200, contact(7, "ann@relay.test", "unsubscribed"))
    )
    record = relay().contacts.update("7", {"status": "unsubscribed"})
    assert record["status"] == "unsubscribed" and "created" not in record
    assert sent(relay_api)[0] == ("PUT", "/contacts/7", {"state": "unsubscribed"})


def test_a_response_without_the_read_back_id_is_a_remote_error_after_one_write(
    relay_api: respx.MockRouter,
) -> None:
    relay_api.post("/contacts").mock(return_value=answer(201, {"ok": True}))
    with pytest.raises(RemoteError, match="no id to read it back"):
        relay().contacts.create({"email": "ann@relay.test"})
    assert [(m, p) for m, p, _ in sent(relay_api)] == [("POST", "/contacts")]


def test_result_input_answers_the_input_with_the_merged_id(relay_api: respx.MockRouter) -> None:
    relay_api.post("/lists").mock(return_value=answer(201, {"id": 12}))
    record = relay().lists.create({"name": "Fans"})
    assert record == {
        "id": "12",
        "name": "Fans",
        "description": None,
        "contact_count": None,
        "created_at": None,
        "updated_at": None,
        "remote_data": {"id": 12},
    }
    assert not validate_record("lists", record)
    assert len(relay_api.calls) == 1


def test_result_input_of_an_update_without_content_keeps_the_call_id(
    relay_api: respx.MockRouter,
) -> None:
    relay_api.put("/lists/12").mock(return_value=answer(204))
    record = relay().lists.update("12", {"name": "Friends"})
    assert (record["id"], record["name"], record["remote_data"]) == ("12", "Friends", {})


def _bulk_mock(mock: respx.MockRouter) -> None:
    statuses = {"a@relay.test": answer(201, {"id": 1}), "b@relay.test": answer(204)}
    mock.post("/contacts").mock(
        side_effect=lambda request: statuses[json.loads(request.content)["email"]]
    )
    mock.get("/contacts/1").mock(return_value=answer(200, contact(1, "a@relay.test")))
    mock.get("/contacts/b@relay.test").mock(return_value=answer(200, contact(2, "b@relay.test")))


def test_bulk_upsert_items_answering_no_record_succeed_with_their_outcome(
    relay_api: respx.MockRouter,
) -> None:
    _bulk_mock(relay_api)
    results = relay().contacts.bulk_upsert([{"email": "a@relay.test"}, {"email": "b@relay.test"}])[
        "result"
    ]
    assert [(r["success"], r["created"], r["record"]["id"]) for r in results] == [
        (True, True, "1"),
        (True, False, "2"),
    ]


def test_async_bulk_upsert_answers_like_the_sync_one(relay_api: respx.MockRouter) -> None:
    async def run() -> list[dict[str, Any]]:
        async with arelay() as connection:
            body = [{"email": "a@relay.test"}, {"email": "b@relay.test"}]
            result: list[dict[str, Any]] = (await connection.contacts.bulk_upsert(body))["result"]
            return result

    _bulk_mock(relay_api)
    async_results = asyncio.run(run())
    sync_results = relay().contacts.bulk_upsert(
        [{"email": "a@relay.test"}, {"email": "b@relay.test"}]
    )["result"]
    assert async_results == sync_results
