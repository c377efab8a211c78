"""`contacts.bulk_upsert`: one result per input in input order, batches of at most 50, paced
under both rate limits (compressed windows), partial failures that lose and hide nothing, and
idempotent retries."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from engine.api import Engine
from simulators.mailerlite import FakeClock, Simulator
from tests.writes.conftest import RecordingTransport, compressed_mappings, connect_to

WINDOW = 1.0
"""Seconds per rate window of the simulator for the 5,000-contact test."""

PADDING = 0.02
"""Seconds added to the engine's periods: the simulator's fixed windows open when a request
arrives, the engine counts grant times, so a request granted exactly one period after the first
of a window can arrive a hair early (see benchmarks/bulk_upsert.py)."""


@pytest.fixture(scope="module")
def window_engine(tmp_path_factory: pytest.TempPathFactory, shared_clock: FakeClock) -> Engine:
    """An engine whose buckets are MailerLite's limits over WINDOW + PADDING seconds, pacing
    on the same fake clock as the simulator (no real time passes)."""
    return Engine.load(
        compressed_mappings(tmp_path_factory.mktemp("window") / "m", WINDOW + PADDING),
        clock=shared_clock,
    )


@pytest.fixture(scope="module")
def shared_clock() -> FakeClock:
    """One fake clock for the engine and the simulator."""
    return FakeClock()


@pytest.fixture
def limited_sim(shared_clock: FakeClock) -> Iterator[Simulator]:
    """An empty account (default + seeded custom fields, 2 groups) enforcing 120 requests and
    5 imports per WINDOW seconds, like MailerLite per minute."""
    simulator = Simulator(
        seed=11, rate_limit=(120, WINDOW), import_limit=(5, WINDOW), clock=shared_clock
    )
    simulator.seed_data(subscribers=0, groups=2, segments=0)
    yield simulator
    simulator.close()


def _contact(i: int, group_ids: list[str]) -> dict[str, Any]:
    """A valid input; which fields it gives varies with `i`."""
    body: dict[str, Any] = {"email": f"Bulk{i}@Bulk.Example", "custom_fields": {"score": i}}
    if i % 2:
        body["first_name"] = f"First{i}"
    if i % 3 == 0:
        body["last_name"] = f"Last{i}"
        body["custom_fields"]["loyalty_tier"] = ("bronze", "silver", "gold")[(i // 3) % 3]
    if i % 5 == 0:
        body["lists"] = [{"id": group_ids[i % 2]}]
    if i % 7 == 0:
        body["status"] = "unsubscribed"
    return body


def _expected_fields(body: dict[str, Any]) -> dict[str, Any]:
    fields = dict(body.get("custom_fields", {}))
    if "first_name" in body:
        fields["name"] = body["first_name"]
    if "last_name" in body:
        fields["last_name"] = body["last_name"]
    return fields


def _invalid(i: int, group_ids: list[str]) -> tuple[dict[str, Any], str]:
    """An input that must fail before sending, and the field its error names."""
    kind = i % 4
    if kind == 0:
        return {"email": f"broken-{i}.bulk.example"}, "email"
    if kind == 1:
        return {"email": f"unknown{i}@bulk.example", "custom_fields": {"scroe": 1}}, (
            "custom_fields.scroe"
        )
    if kind == 2:
        return {"email": f"tags{i}@bulk.example", "tags": [{"id": "1", "name": "t"}]}, "tags"
    return {"email": f"typed{i}@bulk.example", "first_name": 12}, "first_name"


@pytest.mark.slow
def test_bulk_upsert_of_5000_stores_exactly_the_valid_ones_within_the_request_budget(
    window_engine: Engine, limited_sim: Simulator
) -> None:
    with limited_sim.lock:
        group_ids = [str(g) for g in limited_sim.state.groups]
    inputs: list[dict[str, Any]] = []
    bad: dict[int, str] = {}
    for i in range(5000):
        if i % 37 == 5:
            body, field = _invalid(i, group_ids)
            bad[i] = field
        else:
            body = _contact(i, group_ids)
        inputs.append(body)
    recorder = RecordingTransport(limited_sim.transport())
    conn = connect_to(window_engine, recorder)
    results = conn.contacts.bulk_upsert(inputs)["result"]

    valid = len(inputs) - len(bad)
    assert len(results) == len(inputs)
    for i, (body, result) in enumerate(zip(inputs, results, strict=True)):
        if i in bad:
            assert result["success"] is False
            assert result["error"]["error"] == "validation_error"
            assert [p["field"] for p in result["error"]["fields"]] == [bad[i]], result
        else:
            assert result["success"] is True, result
            assert result["record"]["email"] == body["email"].lower()
            assert result["created"] is True
    assert not any(r["error"]["error"] == "rate_limited" for r in results if not r["success"]), (
        "a 429 reached the caller"
    )

    with limited_sim.lock:
        held = {sub.email: sub for sub in limited_sim.state.subscribers.values()}
        assert len(held) == valid
        for i, body in enumerate(inputs):
            if i in bad:
                assert body.get("email", "").lower() not in held
                continue
            sub = held[body["email"].lower()]
            assert sub.fields == _expected_fields(body)
            assert sub.status == body.get("status", "active")
            assert sub.groups == {int(item["id"]) for item in body.get("lists", [])}

    gets = [s for s in recorder.sent if s.method == "GET"]
    batches = [s for s in recorder.sent if s.path == "/api/batch"]
    assert [s.path for s in gets] == ["/api/fields"]  # one definitions fetch
    assert len(recorder.sent) <= math.ceil(valid / 50) + 5 + 1
    assert all(1 <= len(b.sub_requests) <= 50 for b in batches)
    assert sum(len(b.sub_requests) for b in batches) >= valid


def test_sub_requests_the_provider_rejects_fail_alone_and_say_why(
    fast_engine: Engine, sim: Simulator, recorder: RecordingTransport, group_ids: list[str]
) -> None:
    conn = connect_to(fast_engine, recorder)
    inputs: list[dict[str, Any]] = [
        {"email": f"part{i}@bulk.example", "first_name": f"P{i}"} for i in range(120)
    ]
    inputs[3]["custom_fields"] = {"score": "not a number"}  # passes our schema, 422 remotely
    inputs[60]["lists"] = [{"id": "999999999999999999"}]  # unknown group: 422 remotely
    inputs[119]["custom_fields"] = {"birthday": "31/01/2000"}
    results = conn.contacts.bulk_upsert(inputs)["result"]
    failed = {i: r["error"] for i, r in enumerate(results) if not r["success"]}
    assert sorted(failed) == [3, 60, 119]
    assert all(e["remote"] is True and e["remote_status"] == 422 for e in failed.values())
    assert failed[3]["fields"][0]["field"] == "fields.score"
    assert failed[60]["fields"][0]["field"] == "groups.0"
    assert failed[119]["fields"][0]["field"] == "fields.birthday"
    with sim.lock:
        held = set(sim.state.by_email)
    for i, body in enumerate(inputs):
        assert (body["email"] in held) is (i not in failed)


class FlakySubResponses(httpx.BaseTransport):
    """Answers 503 for chosen sub-requests of the first batch (after the simulator ran them)."""

    def __init__(self, inner: RecordingTransport, positions: set[int]) -> None:
        self.inner = inner
        self.positions = positions
        self.batches = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.url.path.endswith("/batch"):
            self.batches += 1
            if self.batches == 1:
                body = json.loads(response.read())
                for position in self.positions:
                    body["responses"][position] = {"code": 503, "body": {"message": "Busy"}}
                return httpx.Response(200, json=body, headers={"content-type": "application/json"})
        return response


def test_sub_requests_that_got_a_server_error_are_retried_in_a_later_round(
    fast_engine: Engine, sim: Simulator, recorder: RecordingTransport
) -> None:
    flaky = FlakySubResponses(recorder, {2, 30})
    conn = fast_engine.connect(
        "mailerlite",
        credentials={"api_key": sim.token},
        base_url="http://mailerlite.sim/api",
        transport=flaky,
        account_key="flaky-sub-responses",
    )
    inputs = [{"email": f"flaky{i}@bulk.example"} for i in range(70)]
    results = conn.contacts.bulk_upsert(inputs)["result"]
    assert all(r["success"] for r in results)
    batches = [s for s in recorder.sent if s.path == "/api/batch"]
    assert [len(b.sub_requests) for b in batches] == [50, 20, 2]
    assert [r["path"] for r in batches[2].sub_requests] == ["api/subscribers"] * 2
    assert [r["body"]["email"] for r in batches[2].sub_requests] == [
        "flaky2@bulk.example",
        "flaky30@bulk.example",
    ]


def test_whole_batches_failing_with_server_errors_are_retried_and_nothing_is_lost(
    fast_engine: Engine,
) -> None:
    faulty = Simulator(seed=3, rate_limit=None, import_limit=None, faults="500:0.25,503:0.1")
    faulty.seed_data(subscribers=0, groups=1, segments=0)
    recorder = RecordingTransport(faulty.transport())
    conn = connect_to(fast_engine, recorder)
    inputs = [
        {"email": f"fault{i}@bulk.example", "custom_fields": {"score": i}} for i in range(400)
    ]
    results = conn.contacts.bulk_upsert(inputs)["result"]
    assert conn.stats.snapshot()["retries_total"] > 0  # faults were served and retried
    with faulty.lock:
        held = {sub.email: sub.fields for sub in faulty.state.subscribers.values()}
    for body, result in zip(inputs, results, strict=True):
        if result["success"]:
            assert held[body["email"]] == body["custom_fields"]
        else:  # hides nothing: a failure is reported, and then nothing was stored
            assert result["error"]["error"] in ("remote_error", "rate_limited")
            assert body["email"] not in held
    assert all(r["success"] for r in results)  # this seed's faults all heal within the retries
    faulty.close()


def test_a_batch_applied_but_unanswered_is_repeated_safely(fast_engine: Engine) -> None:
    dropping = Simulator(seed=2, rate_limit=None, import_limit=None, faults="drop_after_apply:0.5")
    dropping.seed_data(subscribers=0, groups=1, segments=0)
    recorder = RecordingTransport(dropping.transport())
    conn = connect_to(fast_engine, recorder)
    inputs = [{"email": f"dropped{i}@bulk.example", "first_name": f"D{i}"} for i in range(200)]
    results = conn.contacts.bulk_upsert(inputs)["result"]
    assert dropping.fault_counts.get("drop_after_apply", 0) > 0
    assert all(r["success"] for r in results)
    with dropping.lock:
        assert sorted(dropping.state.by_email) == sorted(b["email"] for b in inputs)
        for i, body in enumerate(inputs):
            assert dropping.state.by_email[body["email"]].fields == {"name": f"D{i}"}
    dropping.close()


def _state(sim: Simulator) -> dict[str, tuple[Any, ...]]:
    with sim.lock:
        return {
            sub.email: (sub.id, sub.status, dict(sub.fields), frozenset(sub.groups))
            for sub in sim.state.subscribers.values()
        }


def test_running_the_same_bulk_upsert_twice_changes_nothing_the_second_time(
    fast_engine: Engine, sim: Simulator, recorder: RecordingTransport, group_ids: list[str]
) -> None:
    conn = connect_to(fast_engine, recorder)
    inputs = [_contact(i, group_ids) for i in range(260)]
    first = conn.contacts.bulk_upsert(inputs)["result"]
    after_first = _state(sim)
    second = conn.contacts.bulk_upsert(inputs)["result"]
    assert _state(sim) == after_first
    assert [r["created"] for r in first] == [True] * len(inputs)
    assert [r["created"] for r in second] == [False] * len(inputs)
    assert [r["record"]["id"] for r in first] == [r["record"]["id"] for r in second]
