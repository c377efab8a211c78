"""Sync and async connections give the same answers for the same calls."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from engine.api import AsyncConnection, Connection, Engine
from engine.errors import NotFoundError, UnimapError, ValidationError
from simulators.mailerlite import DEFAULT_TOKEN, IN_PROCESS_BASE_URL, Simulator

CALLS: list[tuple[str, str, str | None, dict[str, Any] | None]] = [
    ("contacts", "list", None, {"limit": 7}),
    ("contacts", "list", None, {"status": "unsubscribed", "limit": 3}),
    ("contacts", "list", None, {"email": "nobody@example.com"}),
    ("lists", "list", None, {"limit": 2}),
    ("segments", "list", None, None),
    ("custom_fields", "list", None, None),
]


def _async(ml_engine: Engine, sim: Simulator) -> AsyncConnection:
    return ml_engine.aconnect(
        "mailerlite",
        credentials={"api_key": DEFAULT_TOKEN},
        base_url=IN_PROCESS_BASE_URL,
        transport=sim.transport(),
    )


def test_list_calls_agree(ml: Connection, ml_engine: Engine, sim: Simulator) -> None:
    async def run() -> list[Any]:
        async with _async(ml_engine, sim) as conn:
            return [await conn.call(r, m, id=i, query=q) for r, m, i, q in CALLS]

    assert asyncio.run(run()) == [ml.call(r, m, id=i, query=q) for r, m, i, q in CALLS]


def test_next_cursor_from_sync_works_on_async(
    ml: Connection, ml_engine: Engine, sim: Simulator
) -> None:
    first = ml.contacts.list(limit=4)

    async def run() -> Any:
        async with _async(ml_engine, sim) as conn:
            return await conn.contacts.list(next_cursor=first["next_cursor"])

    assert asyncio.run(run()) == ml.contacts.list(next_cursor=first["next_cursor"])


def test_get_and_attribute_access_agree(ml: Connection, ml_engine: Engine, sim: Simulator) -> None:
    some = [str(i) for i in sim.state.order[:3]]
    group = str(next(iter(sim.state.groups)))

    async def run() -> list[Any]:
        async with _async(ml_engine, sim) as conn:
            found = [await conn.contacts.get(i) for i in some]
            found.append(await conn.lists.get(group))
            found.append(await conn.custom_fields.get("1", remote_data=False))
            return found

    expected = [ml.contacts.get(i) for i in some]
    expected += [ml.lists.get(group), ml.custom_fields.get("1", remote_data=False)]
    assert asyncio.run(run()) == expected


def test_iterate_agrees(ml: Connection, ml_engine: Engine, sim: Simulator) -> None:
    group = str(next(iter(sim.state.groups)))

    async def run() -> list[Any]:
        async with _async(ml_engine, sim) as conn:
            return [r async for r in conn.contacts.iterate(list_id=group, limit=9)]

    assert asyncio.run(run()) == list(ml.contacts.iterate(list_id=group, limit=9))


@pytest.mark.parametrize(
    ("resource", "method", "call_id", "query", "error"),
    [
        ("contacts", "get", "999999999999999999", None, NotFoundError),
        ("contacts", "list", None, {"statu": "active"}, ValidationError),
    ],
)
def test_errors_agree(
    ml: Connection,
    ml_engine: Engine,
    sim: Simulator,
    resource: str,
    method: str,
    call_id: str | None,
    query: dict[str, Any] | None,
    error: type[UnimapError],
) -> None:
    async def run() -> dict[str, Any]:
        async with _async(ml_engine, sim) as conn:
            with pytest.raises(error) as raised:
                await conn.call(resource, method, id=call_id, query=query)
            return raised.value.to_dict()

    with pytest.raises(error) as raised:
        ml.call(resource, method, id=call_id, query=query)
    assert asyncio.run(run()) == raised.value.to_dict()
