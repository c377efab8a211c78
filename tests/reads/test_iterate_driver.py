"""`iterate` runs each page as a plan through the drivers: a failed request is thrown into the
list plan and surfaces as the unified error; pacing and retries are the sender's."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx

from engine.api import Connection, Engine
from engine.errors import ConnectionFailedError, RateLimitedError
from engine.plan.listing import ListPlan
from engine.plan.messages import ProviderRequest, ProviderResponse
from engine.plan.operations import next_records
from engine.run.drivers import run_sync
from tests.reads.helpers import TOKEN, base_url, items, page

Connect = Callable[[str], Connection]
BODY = "cursor_body"


def _pages() -> list[httpx.Response]:
    return [
        httpx.Response(429, headers={"Retry-After": "1"}),
        page(items("1", "2"), meta={"next_cursor": "c2"}),
        page(items("3"), meta={"next_cursor": None}),
    ]


def test_iterate_retries_a_429_through_the_sender(connect: Connect) -> None:
    connection = connect(BODY)
    with respx.mock(base_url=base_url(BODY)) as mock:
        mock.get("/lists").mock(side_effect=_pages())
        ids = [record["id"] for record in connection.iterate("lists")]
        assert len(mock.calls) == 3
    assert ids == ["1", "2", "3"]
    assert connection.stats.retries_total == 1


def test_async_iterate_retries_a_429_through_the_sender(synthetic_engine: Engine) -> None:
    async def run() -> tuple[list[str], int]:
        connection = synthetic_engine.aconnect(BODY, credentials={"api_key": TOKEN})
        async with connection:
            ids = [record["id"] async for record in connection.iterate("lists")]
        return ids, connection.stats.retries_total

    with respx.mock(base_url=base_url(BODY)) as mock:
        mock.get("/lists").mock(side_effect=_pages())
        assert asyncio.run(run()) == (["1", "2", "3"], 1)


def test_a_request_that_fails_for_good_surfaces_from_iterate_as_the_unified_error(
    connect: Connect,
) -> None:
    connection = connect(BODY)
    with respx.mock(base_url=base_url(BODY)) as mock:
        mock.get("/lists").mock(side_effect=httpx.ConnectError("refused"))
        with pytest.raises(ConnectionFailedError):
            list(connection.iterate("lists"))


def test_the_driver_throws_a_sender_error_into_the_list_plan(connect: Connect) -> None:
    ctx = connect(BODY).context("lists", "list")
    plan = next_records(ctx, ListPlan(ctx))
    sent: list[ProviderRequest] = []

    def refuse(request: ProviderRequest) -> ProviderResponse:
        sent.append(request)
        raise RateLimitedError("the provider kept answering 429")

    with pytest.raises(RateLimitedError, match="kept answering 429"):
        run_sync(plan, refuse)
    assert [request.path for request in sent] == ["/lists"]
    assert plan.gi_frame is None  # thrown in, not raised past it: the plan has finished


def test_on_success_hook_is_called_once_per_successful_request(
    synthetic_engine: Engine,
) -> None:
    calls: list[Any] = []
    connection = synthetic_engine.connect(
        BODY, credentials={"api_key": TOKEN}, on_success=lambda: calls.append(1)
    )
    with connection, respx.mock(base_url=base_url(BODY)) as mock:
        mock.get("/lists").mock(side_effect=_pages())
        list(connection.iterate("lists"))
    assert len(calls) == 2
