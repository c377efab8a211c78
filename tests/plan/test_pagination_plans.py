"""List plans of every pagination family, stepped with canned pages: the request each page
sends, where the plan stops, and what the unified cursors carry to the next call."""

from __future__ import annotations

from typing import Any

from tests.plan.stepper import Stepper, plan


def _lists(*ids: int) -> list[dict[str, Any]]:
    return [{"id": i, "name": f"list {i}"} for i in ids]


def _ids(envelope: dict[str, Any]) -> list[str]:
    return [record["id"] for record in envelope["result"]]


def _list(provider: str, **query: Any) -> Stepper:
    return plan(provider, "lists", "list", query=query)


def test_cursor_first_page_sends_the_limit_and_returns_the_next_cursor() -> None:
    step = _list("cursor_body", limit=2)
    step.expect("GET", "/lists", query={"limit": "2"}, body=None, buckets=(), idempotent=True)
    step.answer(200, {"data": _lists(1, 2), "meta": {"next_cursor": "c2"}})
    assert _ids(step.result) == ["1", "2"]
    assert step.result["next_cursor"] is not None


def test_cursor_next_call_sends_the_provider_cursor_from_the_unified_one() -> None:
    first = _list("cursor_body", limit=2)
    first.expect("GET", "/lists").answer(200, {"data": _lists(1, 2), "meta": {"next_cursor": "c2"}})
    step = _list("cursor_body", next_cursor=first.result["next_cursor"])
    step.expect("GET", "/lists", query={"limit": "2", "cursor": "c2"})
    step.answer(200, {"data": _lists(3), "meta": {"next_cursor": None}})
    assert (_ids(step.result), step.result["next_cursor"]) == (["3"], None)


def test_cursor_previous_page_uses_the_prev_cursor_param() -> None:
    first = _list("cursor_before", limit=2)
    first.expect("GET", "/lists").answer(
        200, {"data": _lists(1, 2), "meta": {"has_next": True, "end_cursor": "e2"}}
    )
    assert first.result["prev_cursor"] is None
    second = _list("cursor_before", next_cursor=first.result["next_cursor"])
    second.expect("GET", "/lists", query={"limit": "2", "after": "e2"})
    second.answer(
        200,
        {
            "data": _lists(3, 4),
            "meta": {"has_next": True, "end_cursor": "e4", "has_prev": True, "start_cursor": "s3"},
        },
    )
    back = _list("cursor_before", next_cursor=second.result["prev_cursor"])
    back.expect("GET", "/lists", query={"limit": "2", "before": "s3"})
    back.answer(200, {"data": _lists(1, 2), "meta": {"has_next": True, "end_cursor": "e2"}})
    assert _ids(back.result) == ["1", "2"]


def test_page_family_counts_pages_from_first_page_and_stops_at_the_last_page() -> None:
    first = _list("page_one", limit=2)
    first.expect("GET", "/lists", query={"limit": "2", "page": "1"})
    first.answer(200, {"data": _lists(1, 2), "meta": {"last_page": 2}})
    second = _list("page_one", next_cursor=first.result["next_cursor"])
    second.expect("GET", "/lists", query={"limit": "2", "page": "2"})
    second.answer(200, {"data": _lists(3), "meta": {"last_page": 2}})
    assert (_ids(second.result), second.result["next_cursor"]) == (["3"], None)


def test_page_family_goes_back_one_page() -> None:
    first = _list("page_one", limit=2)
    first.expect("GET", "/lists").answer(200, {"data": _lists(1, 2), "meta": {"last_page": 3}})
    second = _list("page_one", next_cursor=first.result["next_cursor"])
    second.expect("GET", "/lists").answer(200, {"data": _lists(3, 4), "meta": {"last_page": 3}})
    back = _list("page_one", next_cursor=second.result["prev_cursor"])
    back.expect("GET", "/lists", query={"limit": "2", "page": "1"})


def test_page_family_stops_on_an_empty_page_when_declared() -> None:
    first = _list("page_zero", limit=3)
    first.expect("GET", "/lists", query={"size": "3", "page": "0"})
    first.answer(200, {"data": _lists(1, 2, 3)})
    second = _list("page_zero", next_cursor=first.result["next_cursor"])
    second.expect("GET", "/lists", query={"size": "3", "page": "1"}).answer(200, {"data": []})
    assert (_ids(second.result), second.result["next_cursor"]) == ([], None)


def test_offset_family_advances_by_the_records_read_and_stops_at_the_total() -> None:
    first = _list("offset_total", limit=2)
    first.expect("GET", "/lists", query={"limit": "2", "offset": "0"})
    first.answer(200, {"data": _lists(1, 2), "meta": {"total": 3}})
    second = _list("offset_total", next_cursor=first.result["next_cursor"])
    second.expect("GET", "/lists", query={"limit": "2", "offset": "2"})
    second.answer(200, {"data": _lists(3), "meta": {"total": 3}})
    assert (_ids(second.result), second.result["next_cursor"]) == (["3"], None)


def test_offset_family_stops_on_a_short_page_when_declared() -> None:
    step = _list("offset_short", limit=2)
    step.expect("GET", "/lists", query={"count": "2", "start": "0"})
    step.answer(200, {"data": _lists(1)})
    assert step.result["next_cursor"] is None


def test_offset_family_goes_back_by_one_page() -> None:
    first = _list("offset_total", limit=2)
    first.expect("GET", "/lists").answer(200, {"data": _lists(1, 2), "meta": {"total": 9}})
    second = _list("offset_total", next_cursor=first.result["next_cursor"])
    second.expect("GET", "/lists").answer(200, {"data": _lists(3, 4), "meta": {"total": 9}})
    back = _list("offset_total", next_cursor=second.result["prev_cursor"])
    back.expect("GET", "/lists", query={"limit": "2", "offset": "0"})


def test_next_link_family_follows_the_link_from_the_body() -> None:
    link = "https://api.link-body.test/v1/lists?limit=2&page_token=t2"
    first = _list("link_body", limit=2)
    first.expect("GET", "/lists", query={"limit": "2"})
    first.answer(200, {"data": _lists(1, 2), "links": {"next": link}})
    second = _list("link_body", next_cursor=first.result["next_cursor"])
    second.expect("GET", second.request.path, url=link)
    second.answer(200, {"data": _lists(3), "links": {"next": None}})
    assert (_ids(second.result), second.result["next_cursor"]) == (["3"], None)


def test_next_link_family_reads_the_link_header() -> None:
    link = "https://api.link-header.test/v1/lists?limit=2&after=x"
    first = _list("link_header", limit=2)
    first.expect("GET", "/lists", query={"limit": "2"})
    first.answer(200, {"data": _lists(1, 2)}, headers={"link": f'<{link}>; rel="next"'})
    second = _list("link_header", next_cursor=first.result["next_cursor"])
    second.expect("GET", second.request.path, url=link)


def test_no_pagination_reads_one_request_and_has_no_next_cursor() -> None:
    step = _list("single")
    step.expect("GET", "/lists", query=None)
    step.answer(200, {"data": _lists(1, 2, 3)})
    assert (_ids(step.result), step.result["next_cursor"]) == (["1", "2", "3"], None)


def test_a_filter_is_sent_as_its_declared_query_parameter() -> None:
    step = _list("single", name="news")
    step.expect("GET", "/lists", query={"filter[name]": "news"})


def test_a_parent_scoped_scan_reads_each_parent_behind_one_cursor() -> None:
    first = plan("scoped", "contacts", "list", query={"limit": 2})
    first.expect("GET", "/lists", query={"per_page": "2", "page": "1"})
    first.answer(200, {"lists": [{"id": "A", "name": "A"}, {"id": "B", "name": "B"}], "total": 2})
    first.expect("GET", "/lists/A/members", query={"count": "2", "offset": "0"})
    first.answer(200, {"members": [_member("A", "k1")], "total_items": 1})
    assert _ids(first.result) == ["A:k1"]
    second = plan("scoped", "contacts", "list", query={"next_cursor": first.result["next_cursor"]})
    second.expect("GET", "/lists/B/members", query={"count": "2", "offset": "0"})
    second.answer(200, {"members": [_member("B", "k2"), _member("B", "k3")], "total_items": 3})
    assert _ids(second.result) == ["B:k2", "B:k3"]
    third = plan("scoped", "contacts", "list", query={"next_cursor": second.result["next_cursor"]})
    third.expect("GET", "/lists/B/members", query={"count": "2", "offset": "2"})
    third.answer(200, {"members": [_member("B", "k4")], "total_items": 3})
    assert (_ids(third.result), third.result["next_cursor"]) == (["B:k4"], None)


def _member(list_id: str, key: str) -> dict[str, Any]:
    return {"id": key, "list_id": list_id, "email_address": f"{key}@x.test", "status": "active"}
