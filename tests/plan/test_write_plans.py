"""Write plans stepped with canned responses: the requests each write shape sends, in order,
and the unified result it builds from the answers (synthetic `relay` and `batched`)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from engine.errors import NotFoundError, ValidationError
from engine.plan.dispatch import plan_call
from tests.plan.stepper import Stepper, context, plan

ANN = {"id": 7, "email": "ann@relay.test", "first": "Ann", "state": "subscribed"}


def _person(number: int, email: str) -> dict[str, Any]:
    return {"data": {"id": number, "email": email}}


def test_create_reads_the_record_back_by_the_id_the_provider_answered() -> None:
    step = plan("relay", "contacts", "create", body={"email": "ann@relay.test", "status": "active"})
    step.expect(
        "POST",
        "/contacts",
        body={"email": "ann@relay.test", "state": "subscribed"},
        idempotent=False,
    )
    step.answer(201, {"id": 7})
    step.expect("GET", "/contacts/7", body=None, idempotent=True).answer(200, ANN)
    assert (step.result["id"], step.result["email"]) == ("7", "ann@relay.test")


def test_upsert_created_comes_from_the_created_expression() -> None:
    step = plan("relay", "contacts", "upsert", body={"email": "ann@relay.test"})
    step.expect(
        "POST",
        "/contacts",
        body={"email": "ann@relay.test", "update_enabled": True},
        idempotent=True,
    )
    step.answer(201, {"id": 7})
    step.expect("GET", "/contacts/7").answer(200, ANN)
    assert step.result["created"] is True


def test_upsert_without_an_id_reads_back_by_the_input_email() -> None:
    step = plan("relay", "contacts", "upsert", body={"email": "ann@relay.test"})
    step.expect("POST", "/contacts").answer(204)
    step.expect("GET", "/contacts/ann%40relay.test").answer(200, ANN)
    assert (step.result["id"], step.result["created"]) == ("7", False)


def test_upsert_before_steps_go_first_one_request_per_item() -> None:
    body = {"email": "ann@relay.test", "tags": [{"name": "vip"}, {"name": "new"}]}
    step = plan("relay", "contacts", "upsert", body=body)
    step.expect("PUT", "/tags/vip").answer(204)
    step.expect("PUT", "/tags/new").answer(204)
    step.expect("POST", "/contacts").answer(200, {"id": 7})


def test_upsert_created_comes_from_the_outcome_of_the_status() -> None:
    created = plan("batched", "contacts", "upsert", body={"email": "a@b.test"})
    created.expect("POST", "/people", body={"email": "a@b.test"}, buckets=("general",))
    created.answer(201, _person(1, "a@b.test"))
    updated = plan("batched", "contacts", "upsert", body={"email": "a@b.test"})
    updated.expect("POST", "/people").answer(200, _person(1, "a@b.test"))
    assert (created.result["created"], updated.result["created"]) == (True, False)


def test_update_sends_its_before_steps_then_the_update() -> None:
    body = {"email": "a@b.test", "lists": [{"id": "L1"}, {"id": "L2"}]}
    step = plan("batched", "contacts", "update", call_id="5", body=body)
    step.expect("POST", "/people/5/groups/L1", buckets=("general",)).answer(200, {})
    step.expect("POST", "/people/5/groups/L2").answer(200, {})
    step.expect("PUT", "/people/5", body={"email": "a@b.test"}).answer(200, _person(5, "a@b.test"))
    assert step.result["id"] == "5"


def test_a_setting_feeds_before_steps_and_body_keys_when_given() -> None:
    settings = {"welcome_list": "W"}
    ctx = dataclasses.replace(context("batched", "contacts", "update"), settings=settings)
    step = Stepper(plan_call(ctx, "5", None, {"email": "a@b.test"}))
    step.expect("POST", "/people/5/groups/W").answer(200, {})
    body = {"email": "a@b.test", "group": "W"}
    step.expect("PUT", "/people/5", body=body).answer(200, _person(5, "a@b.test"))
    assert step.result["id"] == "5"


def test_update_reads_back_by_the_call_id() -> None:
    step = plan("relay", "contacts", "update", call_id="7", body={"first_name": "Ann"})
    step.expect("PUT", "/contacts/7", body={"first": "Ann"}).answer(204)
    step.expect("GET", "/contacts/7").answer(200, ANN)
    assert step.result["first_name"] == "Ann"


def test_delete_sends_its_before_steps_first() -> None:
    step = plan("relay", "contacts", "delete", call_id="7")
    step.expect("POST", "/contacts/7/cancel").answer(204)
    step.expect("DELETE", "/contacts/7", idempotent=True).answer(204)
    assert step.result == {"id": "7"}


def test_delete_accepts_a_declared_provider_error_as_success() -> None:
    step = plan("relay", "contacts", "delete", call_id="7")
    step.expect("POST", "/contacts/7/cancel").answer(204)
    step.expect("DELETE", "/contacts/7").answer(404, {"code": "document_not_found"})
    assert step.result == {"id": "7"}


def test_delete_fails_on_an_undeclared_provider_error() -> None:
    step = plan("relay", "contacts", "delete", call_id="7")
    step.expect("POST", "/contacts/7/cancel").answer(204)
    step.expect("DELETE", "/contacts/7")
    with pytest.raises(NotFoundError):
        step.answer(404, {"code": "something_else", "message": "gone"})


def test_result_input_merges_the_unified_input_with_the_answered_id() -> None:
    step = plan("relay", "lists", "create", body={"name": "News"})
    step.expect("POST", "/lists", body={"name": "News"}).answer(201, {"id": 12})
    assert (step.result["id"], step.result["name"]) == ("12", "News")


def test_a_refused_map_value_is_a_validation_error_before_any_request() -> None:
    with pytest.raises(ValidationError) as caught:
        plan("relay", "contacts", "create", body={"email": "a@b.test", "status": "bounced"})
    assert [problem.field for problem in caught.value.details] == ["status"]


def test_each_sends_one_request_per_item_and_answers_each_item() -> None:
    step = plan("relay", "lists", "remove_contacts", call_id="3", body={"contact_ids": ["1", "2"]})
    step.expect("DELETE", "/lists/3/contacts/1").answer(204)
    step.expect("DELETE", "/lists/3/contacts/2").answer(500, {"message": "boom"})
    first, second = step.result["result"]
    assert first == {"success": True, "contact_id": "1"}
    assert second["success"] is False


def test_each_accepts_a_declared_error_per_item() -> None:
    step = plan("relay", "lists", "remove_contacts", call_id="3", body={"contact_ids": ["1"]})
    step.expect("DELETE", "/lists/3/contacts/1").answer(404, {"code": "not_a_member"})
    assert step.result["result"] == [{"success": True, "contact_id": "1"}]


def test_each_group_sends_chunks_of_max_items_and_reads_failed_items() -> None:
    body = {"contact_ids": ["1", "2", "3"]}
    step = plan("relay", "lists", "add_contacts", call_id="3", body=body)
    step.expect("POST", "/lists/3/contacts/add", body={"ids": ["1", "2"]})
    step.answer(200, {"failure": ["2"]})
    step.expect("POST", "/lists/3/contacts/add", body={"ids": ["3"]}).answer(200, {})
    assert [item["success"] for item in step.result["result"]] == [True, False, True]


def test_each_operation_writes_every_item_through_the_other_method() -> None:
    body = {"contacts": [{"email": "a@relay.test"}, {"email": "b@relay.test", "status": "bounced"}]}
    step = plan("relay", "contacts", "bulk_upsert", body=body)
    step.expect("POST", "/contacts", body={"email": "a@relay.test", "update_enabled": True})
    step.answer(201, {"id": 1})
    step.expect("GET", "/contacts/1").answer(200, {"id": 1, "email": "a@relay.test"})
    first, second = step.result["result"]
    assert (first["success"], first["created"], first["record"]["id"]) == (True, True, "1")
    assert (second["success"], second["error"]["error"]) == (False, "validation_error")


def _sub(code: int, body: Any) -> dict[str, Any]:
    return {"code": code, "body": body}


def test_batch_sends_sub_requests_in_chunks_with_per_item_results() -> None:
    body = {"contacts": [{"email": "a@b.test"}, {"email": "c@d.test"}, {"email": "e@f.test"}]}
    step = plan("batched", "contacts", "bulk_upsert", body=body)
    step.expect(
        "POST",
        "/batch",
        buckets=("general", "imports"),
        idempotent=True,
        body={
            "requests": [
                {"method": "POST", "path": "v2/people", "body": {"email": "a@b.test"}},
                {"method": "POST", "path": "v2/people", "body": {"email": "c@d.test"}},
            ]
        },
    )
    step.answer(
        200, {"responses": [_sub(201, _person(1, "a@b.test")), _sub(422, {"message": "bad email"})]}
    )
    step.expect("POST", "/batch").answer(200, {"responses": [_sub(200, _person(3, "e@f.test"))]})
    results = step.result["result"]
    assert [(r["success"], r.get("created")) for r in results] == [
        (True, True),
        (False, None),
        (True, False),
    ]


def test_batch_retries_the_sub_requests_that_answered_a_retryable_status() -> None:
    body = {"contacts": [{"email": "a@b.test"}, {"email": "c@d.test"}]}
    step = plan("batched", "contacts", "bulk_upsert", body=body)
    step.expect("POST", "/batch").answer(
        200, {"responses": [_sub(503, {}), _sub(201, _person(2, "c@d.test"))]}
    )
    step.expect(
        "POST",
        "/batch",
        body={"requests": [{"method": "POST", "path": "v2/people", "body": {"email": "a@b.test"}}]},
    )
    step.answer(200, {"responses": [_sub(201, _person(1, "a@b.test"))]})
    assert [r["record"]["id"] for r in step.result["result"]] == ["1", "2"]
