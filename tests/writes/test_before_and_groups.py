"""`before` steps run for every method (delete and the items of `each.operation` included),
`each.group` carries several items per request, and `accept_errors` turns a declared provider
error into success."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from engine.errors import NotFoundError, UnimapError
from tests.writes.synthetic import answer, contact, relay, sent


def test_delete_sends_its_before_step_then_the_delete(relay_api: respx.MockRouter) -> None:
    relay_api.post("/contacts/7/cancel").mock(return_value=answer(204))
    relay_api.delete("/contacts/7").mock(return_value=answer(204))
    assert relay().contacts.delete("7") == {"id": "7"}
    assert [(m, p) for m, p, _ in sent(relay_api)] == [
        ("POST", "/contacts/7/cancel"),
        ("DELETE", "/contacts/7"),
    ]


def test_a_failing_before_step_stops_the_delete(relay_api: respx.MockRouter) -> None:
    relay_api.post("/contacts/7/cancel").mock(return_value=answer(409, {"message": "locked"}))
    relay_api.delete("/contacts/7").mock(return_value=answer(204))
    with pytest.raises(UnimapError, match="locked"):
        relay().contacts.delete("7")
    assert [m for m, _, _ in sent(relay_api)] == ["POST"]


def test_get_sends_its_before_step_then_the_get(relay_api: respx.MockRouter) -> None:
    relay_api.post("/lists/9/seen").mock(return_value=answer(204))
    relay_api.get("/lists/9").mock(return_value=answer(200, {"id": 9, "name": "Fans"}))
    assert relay().lists.get("9")["name"] == "Fans"
    assert [(m, p) for m, p, _ in sent(relay_api)] == [
        ("POST", "/lists/9/seen"),
        ("GET", "/lists/9"),
    ]


def test_delete_accepts_its_declared_not_found_error(relay_api: respx.MockRouter) -> None:
    relay_api.post("/contacts/7/cancel").mock(return_value=answer(204))
    relay_api.delete("/contacts/7").mock(
        return_value=answer(404, {"code": "document_not_found", "message": "gone"})
    )
    assert relay().contacts.delete("7") == {"id": "7"}


def test_an_undeclared_error_of_the_same_status_still_fails(relay_api: respx.MockRouter) -> None:
    relay_api.post("/contacts/7/cancel").mock(return_value=answer(204))
    relay_api.delete("/contacts/7").mock(
        return_value=answer(404, {"code": "wrong_route", "message": "no such route"})
    )
    with pytest.raises(NotFoundError):
        relay().contacts.delete("7")


def _upsert_answers(relay_api: respx.MockRouter, tag_status: dict[str, int]) -> None:
    relay_api.put(url__regex=r"/tags/").mock(
        side_effect=lambda request: answer(tag_status[request.url.path.rsplit("/", 1)[1]])
    )
    relay_api.post("/contacts").mock(return_value=answer(204))
    relay_api.get(url__regex=r"/contacts/").mock(
        side_effect=lambda request: answer(
            200, contact(1, request.url.path.rsplit("/", 1)[1].replace("%40", "@"))
        )
    )


def test_bulk_upsert_items_send_the_reused_operations_before_steps(
    relay_api: respx.MockRouter,
) -> None:
    _upsert_answers(relay_api, {"vip": 204, "new": 204})
    items = [
        {"email": "a@relay.test", "tags": [{"name": "vip"}]},
        {"email": "b@relay.test", "tags": [{"name": "new"}]},
    ]
    results = relay().contacts.bulk_upsert(items)["result"]
    assert [r["success"] for r in results] == [True, True]
    writes = [(m, p) for m, p, _ in sent(relay_api) if m != "GET"]
    assert writes == [
        ("PUT", "/tags/vip"),
        ("PUT", "/tags/new"),
        ("POST", "/contacts"),
        ("POST", "/contacts"),
    ]


def test_an_item_whose_before_step_fails_is_not_written(relay_api: respx.MockRouter) -> None:
    _upsert_answers(relay_api, {"vip": 204, "bad": 422})
    items = [
        {"email": "a@relay.test", "tags": [{"name": "bad"}]},
        {"email": "b@relay.test", "tags": [{"name": "vip"}]},
    ]
    results = relay().contacts.bulk_upsert(items)["result"]
    assert [r["success"] for r in results] == [False, True]
    posted = [body["email"] for m, p, body in sent(relay_api) if (m, p) == ("POST", "/contacts")]
    assert posted == ["b@relay.test"]


def _members(request: httpx.Request) -> httpx.Response:
    ids = json.loads(request.content)["ids"]
    if "dup" in ids:
        return answer(400, {"code": "already_members", "message": "already in list"})
    if "bad" in ids:
        return answer(400, {"code": "invalid_parameter", "message": "bad ids"})
    return answer(201, {"failure": [i for i in ids if i.startswith("x")]})


def test_add_contacts_sends_one_request_per_group_of_max_items(
    relay_api: respx.MockRouter,
) -> None:
    relay_api.post("/lists/9/contacts/add").mock(side_effect=_members)
    results = relay().lists.add_contacts("9", ["1", "2", "3", "4", "5"])["result"]
    assert results == [{"success": True, "contact_id": i} for i in ["1", "2", "3", "4", "5"]]
    assert [body for _, _, body in sent(relay_api)] == [
        {"ids": ["1", "2"]},
        {"ids": ["3", "4"]},
        {"ids": ["5"]},
    ]


def test_a_failed_group_fails_only_its_own_items(relay_api: respx.MockRouter) -> None:
    relay_api.post("/lists/9/contacts/add").mock(side_effect=_members)
    results = relay().lists.add_contacts("9", ["1", "bad", "3"])["result"]
    assert [r["success"] for r in results] == [False, False, True]
    assert results[0]["error"] == results[1]["error"]
    assert results[0]["error"]["status_code"] == 400 and "bad ids" in results[0]["error"]["message"]


def test_a_group_answering_an_accepted_error_succeeds(relay_api: respx.MockRouter) -> None:
    relay_api.post("/lists/9/contacts/add").mock(side_effect=_members)
    results = relay().lists.add_contacts("9", ["dup", "2"])["result"]
    assert results == [
        {"success": True, "contact_id": "dup"},
        {"success": True, "contact_id": "2"},
    ]


def test_an_item_the_group_answer_reports_as_failed_fails(relay_api: respx.MockRouter) -> None:
    relay_api.post("/lists/9/contacts/add").mock(side_effect=_members)
    results = relay().lists.add_contacts("9", ["1", "x2", "3"])["result"]
    assert [r["success"] for r in results] == [True, False, True]
    assert "x2" in results[1]["error"]["message"]


def test_remove_contacts_accepts_a_declared_not_member_error(relay_api: respx.MockRouter) -> None:
    relay_api.delete("/lists/9/contacts/1").mock(return_value=answer(204))
    relay_api.delete("/lists/9/contacts/2").mock(
        return_value=answer(404, {"code": "not_a_member", "message": "not in list"})
    )
    relay_api.delete("/lists/9/contacts/3").mock(
        return_value=answer(404, {"code": "document_not_found", "message": "no contact"})
    )
    results = relay().lists.remove_contacts("9", ["1", "2", "3"])["result"]
    assert [r["success"] for r in results] == [True, True, False]
    assert results[2]["error"]["error"] == "not_found"
