"""A request that failed for good is thrown into its plan (as the drivers do): single calls let
it propagate, per-item methods turn it into the affected items' errors and carry on."""

from __future__ import annotations

import pytest

from engine.errors import ConnectionFailedError, RequestTimeoutError
from tests.plan.stepper import plan


def test_a_transport_error_thrown_into_a_list_plan_propagates() -> None:
    step = plan("cursor_body", "lists", "list", query={"limit": 2})
    step.expect("GET", "/lists")
    with pytest.raises(ConnectionFailedError):
        step.throw(ConnectionFailedError())


def test_a_transport_error_thrown_into_a_read_back_propagates() -> None:
    step = plan("relay", "contacts", "create", body={"email": "ann@relay.test"})
    step.expect("POST", "/contacts").answer(201, {"id": 7})
    step.expect("GET", "/contacts/7")
    with pytest.raises(RequestTimeoutError):
        step.throw(RequestTimeoutError())


def test_a_transport_error_thrown_into_a_batch_fails_only_that_chunk() -> None:
    body = {"contacts": [{"email": "a@b.test"}, {"email": "c@d.test"}, {"email": "e@f.test"}]}
    step = plan("batched", "contacts", "bulk_upsert", body=body)
    step.expect("POST", "/batch").throw(ConnectionFailedError())
    step.expect("POST", "/batch").answer(
        200, {"responses": [{"code": 201, "body": {"data": {"id": 3, "email": "e@f.test"}}}]}
    )
    results = step.result["result"]
    assert [r["success"] for r in results] == [False, False, True]
    assert results[0]["error"]["error"] == "connection_error"


def test_a_transport_error_thrown_into_a_group_fails_that_groups_items() -> None:
    step = plan(
        "relay", "lists", "add_contacts", call_id="3", body={"contact_ids": ["1", "2", "3"]}
    )
    step.expect("POST", "/lists/3/contacts/add").throw(RequestTimeoutError())
    step.expect("POST", "/lists/3/contacts/add", body={"ids": ["3"]}).answer(200, {})
    assert [r["success"] for r in step.result["result"]] == [False, False, True]


def test_a_transport_error_thrown_into_an_item_request_propagates() -> None:
    step = plan("relay", "lists", "remove_contacts", call_id="3", body={"contact_ids": ["1", "2"]})
    step.expect("DELETE", "/lists/3/contacts/1")
    with pytest.raises(ConnectionFailedError):
        step.throw(ConnectionFailedError())
