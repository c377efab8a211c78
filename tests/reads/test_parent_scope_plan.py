"""The list plan of a parent-scoped resource, stepped by hand with canned provider responses
(no transport): which request comes next, and what the unified cursor carries on."""

from __future__ import annotations

from typing import Any

from engine.api import Engine
from engine.plan.calls import ConnectionCache, resolve
from engine.plan.dispatch import plan_call
from engine.plan.messages import Plan, ProviderRequest, ProviderResponse


def _lists(*ids: str, total: int) -> ProviderResponse:
    return ProviderResponse(200, {}, {"lists": [{"id": i, "name": i} for i in ids], "total": total})


def _members(list_id: str, *keys: str, total: int) -> ProviderResponse:
    members = [
        {"id": k, "list_id": list_id, "email_address": f"{k}@x.test", "status": "active"}
        for k in keys
    ]
    return ProviderResponse(200, {}, {"members": members, "total_items": total})


def _page(engine: Engine, query: dict[str, Any]) -> Plan[Any]:
    ctx = resolve(
        engine.providers["scoped"],
        "contacts",
        "list",
        engine.cursor_key,
        ConnectionCache(),
        remote_data=False,
    )
    return plan_call(ctx, None, query)


def _run(plan: Plan[Any], answers: list[ProviderResponse]) -> tuple[list[str], Any]:
    """Send the canned answers in order; the requests' paths and queries, and the result."""
    seen: list[str] = []
    request: ProviderRequest = next(plan)
    for answer in answers:
        seen.append(request.path + "?" + "&".join(f"{k}={v}" for k, v in request.query))
        try:
            request = plan.send(answer)
        except StopIteration as stop:
            return seen, stop.value
    raise AssertionError(f"the plan asked for more: {request.path}")


def test_one_page_reads_parents_skips_empty_ones_and_stops_at_records(
    synthetic_engine: Engine,
) -> None:
    seen, envelope = _run(
        _page(synthetic_engine, {"limit": 2}),
        [
            _lists("A", "B", total=3),
            _members("A", total=0),
            _members("B", "k1", "k2", total=3),
        ],
    )
    assert seen == [
        "/lists?per_page=2&page=1",
        "/lists/A/members?count=2&offset=0",
        "/lists/B/members?count=2&offset=0",
    ]
    assert [r["id"] for r in envelope["result"]] == ["B:k1", "B:k2"]
    assert envelope["prev_cursor"] is None


def test_the_cursor_carries_the_parent_and_its_offset(synthetic_engine: Engine) -> None:
    _, first = _run(
        _page(synthetic_engine, {"limit": 2}),
        [
            _lists("A", "B", total=3),
            _members("A", "k1", "k2", total=3),
        ],
    )
    seen, second = _run(
        _page(synthetic_engine, {"next_cursor": first["next_cursor"]}),
        [
            _members("A", "k3", total=3),
        ],
    )
    assert seen == ["/lists/A/members?count=2&offset=2"]
    assert [r["id"] for r in second["result"]] == ["A:k3"]
    seen, third = _run(
        _page(synthetic_engine, {"next_cursor": second["next_cursor"]}),
        [
            _members("B", total=0),
            _lists("C", total=3),
            _members("C", "k9", total=1),
        ],
    )
    assert seen == [
        "/lists/B/members?count=2&offset=0",
        "/lists?per_page=2&page=2",
        "/lists/C/members?count=2&offset=0",
    ]
    assert ([r["id"] for r in third["result"]], third["next_cursor"]) == (["C:k9"], None)


def test_a_404_for_a_parent_moves_to_the_next_parent(synthetic_engine: Engine) -> None:
    gone = ProviderResponse(404, {}, {"detail": "not found"})
    seen, envelope = _run(
        _page(synthetic_engine, {"limit": 5}),
        [
            _lists("A", "B", total=2),
            gone,
            _members("B", "k1", total=1),
        ],
    )
    assert seen[-1] == "/lists/B/members?count=5&offset=0"
    assert ([r["id"] for r in envelope["result"]], envelope["next_cursor"]) == (["B:k1"], None)
