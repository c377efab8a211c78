"""Cursor pagination: `after`/`before`, `per_page` bounds, the pagination object."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from simulators.kit import Simulator


def _walk(client: httpx.Client, per_page: int) -> list[int]:
    ids: list[int] = []
    params: dict[str, Any] = {"per_page": per_page, "status": "all"}
    for _ in range(200):
        body = client.get("/subscribers", params=params).json()
        ids += [s["id"] for s in body["subscribers"]]
        if not body["pagination"]["has_next_page"]:
            return ids
        params["after"] = body["pagination"]["end_cursor"]
    raise AssertionError("listing did not end")


@pytest.mark.parametrize("per_page", [1, 7, 1000])
def test_after_cursors_list_everything_exactly_once(
    sim: Simulator, client: httpx.Client, per_page: int
) -> None:
    ids = _walk(client, per_page)
    assert sorted(ids) == sorted(sim.state.subscribers)
    assert len(ids) == len(set(ids))


def test_before_cursor_returns_the_previous_page(client: httpx.Client) -> None:
    first = client.get("/subscribers", params={"per_page": 5}).json()
    second = client.get(
        "/subscribers", params={"per_page": 5, "after": first["pagination"]["end_cursor"]}
    ).json()
    back = client.get(
        "/subscribers", params={"per_page": 5, "before": second["pagination"]["start_cursor"]}
    ).json()
    assert back["subscribers"] == first["subscribers"]
    assert back["pagination"]["has_previous_page"] is False
    assert second["pagination"]["has_previous_page"] is True


def test_pagination_object_has_kit_fields(client: httpx.Client) -> None:
    pagination = client.get("/tags", params={"per_page": 2}).json()["pagination"]
    assert set(pagination) == {
        "has_previous_page",
        "has_next_page",
        "start_cursor",
        "end_cursor",
        "per_page",
    }
    assert pagination["per_page"] == 2


def test_default_page_size_is_500(client: httpx.Client) -> None:
    assert client.get("/tags").json()["pagination"]["per_page"] == 500


def test_empty_page_has_null_cursors(client: httpx.Client) -> None:
    body = client.get("/webhooks").json()
    assert body["pagination"]["start_cursor"] is None
    assert body["pagination"]["end_cursor"] is None


@pytest.mark.parametrize("value", ["0", "1001", "many"])
def test_per_page_outside_1_to_1000_is_a_422(client: httpx.Client, value: str) -> None:
    assert client.get("/tags", params={"per_page": value}).status_code == 422


def test_garbage_cursor_is_a_422(client: httpx.Client) -> None:
    assert client.get("/tags", params={"after": "%%%"}).status_code == 422


def test_include_total_count_adds_total_count(sim: Simulator, client: httpx.Client) -> None:
    body = client.get(
        "/subscribers", params={"per_page": 1, "status": "all", "include_total_count": "true"}
    ).json()
    assert body["pagination"]["total_count"] == len(sim.state.subscribers)


def test_descending_order_pages_follow_the_order(client: httpx.Client) -> None:
    params: dict[str, Any] = {"per_page": 4, "sort_order": "desc", "status": "all"}
    first = client.get("/subscribers", params=params).json()
    second = client.get(
        "/subscribers", params={**params, "after": first["pagination"]["end_cursor"]}
    ).json()
    ids = [s["id"] for s in first["subscribers"] + second["subscribers"]]
    assert ids == sorted(ids, reverse=True)
