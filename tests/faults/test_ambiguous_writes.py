"""Exact fault sequences on single writes: what is retried, what is reported, what is stored.

A scripted injector replaces the simulator's random one, so each test decides which request
gets which fault. Non-idempotent creates are repeated only when the server provably did not
apply them (429); an ambiguous failure (dropped connection, 5xx) is reported, never repeated.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine.api import Connection, Engine
from engine.errors import ConnectionFailedError, RemoteError, UnimapError
from simulators.core.faults import FaultInjector, FaultPlan, FaultRule
from simulators.mailerlite import IN_PROCESS_BASE_URL, Simulator
from tests.faults.harness import POLICY, SharedFakeClock


class ScriptedInjector(FaultInjector):
    """Serves the given fault kinds (None = no fault) in order, then no faults."""

    def __init__(self, kinds: list[str | None]) -> None:
        super().__init__(FaultPlan(), seed=0)
        self.script = list(kinds)

    def decide(self) -> FaultRule | None:
        """The next scripted fault."""
        kind = self.script.pop(0) if self.script else None
        if kind is None:
            return None
        self.counts[kind] += 1
        return FaultRule(kind, 1.0, delay=0.0, count=1)


@pytest.fixture
def sim() -> Iterator[Simulator]:
    simulator = Simulator(seed=5, clock=SharedFakeClock()).seed_data(subscribers=10, groups=1)
    yield simulator
    simulator.close()


@pytest.fixture
def connection(sim: Simulator) -> Iterator[Connection]:
    clock = sim.clock
    assert isinstance(clock, SharedFakeClock)
    engine = Engine(Engine.load().providers, retry_policy=POLICY, clock=clock)
    with engine.connect(
        "mailerlite", {"api_key": sim.token}, IN_PROCESS_BASE_URL, sim.transport()
    ) as conn:
        yield conn


def script(sim: Simulator, *kinds: str | None) -> ScriptedInjector:
    injector = ScriptedInjector(list(kinds))
    sim.faults = injector
    return injector


def group_names(sim: Simulator) -> list[str]:
    with sim.lock:
        return sorted(g.name for g in sim.state.groups.values())


def test_create_dropped_after_apply_is_reported_not_repeated(
    sim: Simulator, connection: Connection
) -> None:
    script(sim, "drop_after_apply")
    with pytest.raises(ConnectionFailedError) as caught:
        connection.lists.create({"name": "Ambiguous"})
    assert "may have been applied" in caught.value.message
    assert connection.stats.snapshot()["attempts"] == 1
    assert group_names(sim).count("Ambiguous") == 1  # applied once, not duplicated


def test_create_dropped_before_apply_is_reported_and_nothing_exists(
    sim: Simulator, connection: Connection
) -> None:
    script(sim, "drop")
    with pytest.raises(ConnectionFailedError):
        connection.lists.create({"name": "Never"})
    assert connection.stats.snapshot()["attempts"] == 1
    assert "Never" not in group_names(sim)


@pytest.mark.parametrize("kind", ["500", "502", "503", "504", "malformed", "truncate"])
def test_create_ambiguous_failures_are_not_repeated(
    sim: Simulator, connection: Connection, kind: str
) -> None:
    script(sim, kind)
    with pytest.raises(UnimapError) as caught:
        connection.lists.create({"name": f"Group {kind}"})
    assert isinstance(caught.value, RemoteError | ConnectionFailedError) or caught.value.remote
    assert connection.stats.snapshot()["attempts"] == 1
    assert connection.stats.retries_total == 0


def test_create_refused_with_429_is_retried_and_created_once(
    sim: Simulator, connection: Connection
) -> None:
    script(sim, "429burst", "429burst", None)
    created = connection.lists.create({"name": "Patient"})
    assert created["name"] == "Patient"
    assert connection.stats.snapshot()["attempts"] == 3
    assert group_names(sim).count("Patient") == 1


def test_upsert_dropped_after_apply_is_retried_without_duplicate(
    sim: Simulator, connection: Connection
) -> None:
    script(sim, "drop_after_apply", "drop_after_apply", None)
    record = connection.contacts.upsert({"email": "twice@example.org", "first_name": "Once"})
    assert record["email"] == "twice@example.org"
    with sim.lock:
        matches = [s for s in sim.state.subscribers.values() if s.email == "twice@example.org"]
    assert len(matches) == 1
    assert matches[0].fields["name"] == "Once"
    assert connection.stats.snapshot()["attempts"] == 3


def test_bulk_upsert_given_up_batch_reports_its_items_and_a_rerun_converges(
    sim: Simulator, connection: Connection
) -> None:
    """A batch that keeps failing is reported item by item; the other batches still run and
    report their results. Because upserts are idempotent, a plain re-run converges."""
    items = [{"email": f"bulk-{i}@example.org", "first_name": f"B{i}"} for i in range(120)]
    script(sim, None, *(["drop"] * POLICY.max_attempts))
    first = connection.contacts.bulk_upsert(items)["result"]
    assert [r["success"] for r in first] == [True] * 50 + [False] * 50 + [True] * 20
    assert {r["error"]["error"] for r in first[50:100]} == {"connection_error"}
    with sim.lock:
        applied_first = sum(1 for i in items if i["email"] in sim.state.by_email)
    assert applied_first == 70  # the first and last batches went through
    result = connection.contacts.bulk_upsert(items)["result"]
    assert all(r["success"] for r in result)
    with sim.lock:
        emails = [s.email for s in sim.state.subscribers.values()]
    assert sorted(e for e in emails if e.startswith("bulk-")) == sorted(i["email"] for i in items)
