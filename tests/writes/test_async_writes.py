"""The async connection writes exactly like the sync one (upsert and bulk upsert)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from engine.api import Engine
from simulators.mailerlite import FakeClock, Simulator
from tests.writes.conftest import RecordingTransport, aconnect_to, connect_to
from tests.writes.helpers import stored


def _comparable(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in ("remote_data", "created_at", "updated_at")}


@pytest.fixture
def frozen_sim() -> Iterator[Simulator]:
    """An account whose clock stands still: the sync and the async upsert get equal
    timestamps even when a second boundary passes between them."""
    simulator = Simulator(seed=5, rate_limit=None, import_limit=None, clock=FakeClock())
    yield simulator.seed_data(subscribers=5, groups=1, segments=0)
    simulator.close()


def test_async_upsert_matches_sync_upsert(fast_engine: Engine, frozen_sim: Simulator) -> None:
    sim = frozen_sim
    body: dict[str, Any] = {
        "first_name": "Ann",
        "custom_fields": {"loyalty_tier": "gold", "score": 2},
        "status": "unconfirmed",
    }
    sync_conn = connect_to(fast_engine, RecordingTransport(sim.transport()))
    sync_first = sync_conn.contacts.upsert({"email": "sync@writes.example", **body})
    sync_again = sync_conn.contacts.upsert({"email": "sync@writes.example", **body})

    async def run() -> tuple[dict[str, Any], dict[str, Any]]:
        async with aconnect_to(fast_engine, RecordingTransport(sim.transport())) as conn:
            first = await conn.contacts.upsert({"email": "async@writes.example", **body})
            again = await conn.contacts.upsert({"email": "async@writes.example", **body})
            return first, again

    async_first, async_again = asyncio.run(run())
    assert (async_first["created"], async_again["created"]) == (True, False)
    assert (sync_first["created"], sync_again["created"]) == (True, False)
    for a, s in ((async_first, sync_first), (async_again, sync_again)):
        assert {**_comparable(a), "id": None, "email": None} == {
            **_comparable(s),
            "id": None,
            "email": None,
        }
    assert stored(sim, "async@writes.example").fields == stored(sim, "sync@writes.example").fields


def test_async_bulk_upsert_matches_sync_bulk_upsert(fast_engine: Engine, sim: Simulator) -> None:
    def inputs(prefix: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = [
            {"email": f"{prefix}{i}@bulk.example", "custom_fields": {"score": i}}
            for i in range(130)
        ]
        items[7] = {"email": "nope"}
        items[77]["custom_fields"] = {"scroe": 1}
        items[100]["custom_fields"] = {"score": "NaN-ish"}  # refused by the provider
        return items

    sync_results = connect_to(
        fast_engine, RecordingTransport(sim.transport())
    ).contacts.bulk_upsert(inputs("s"))["result"]
    recorder = RecordingTransport(sim.transport())

    async def run() -> list[dict[str, Any]]:
        async with aconnect_to(fast_engine, recorder) as conn:
            answer = await conn.contacts.bulk_upsert(inputs("a"))
            return list(answer["result"])

    async_results = asyncio.run(run())
    assert [r["success"] for r in async_results] == [r["success"] for r in sync_results]
    assert [i for i, r in enumerate(async_results) if not r["success"]] == [7, 77, 100]
    for a, s in zip(async_results, sync_results, strict=True):
        if a["success"]:
            assert a["created"] is s["created"] is True
            assert a["record"]["custom_fields"] == s["record"]["custom_fields"]
        else:
            assert a["error"]["fields"] == s["error"]["fields"]
    assert [len(b.sub_requests) for b in recorder.sent if b.path == "/api/batch"] == [50, 50, 28]
    with sim.lock:
        assert "a100@bulk.example" not in sim.state.by_email
        assert all(f"a{i}@bulk.example" in sim.state.by_email for i in (0, 50, 129))
