"""Listing contacts and bulk-upserting under each fault kind, then all mixed.

One fault kind at a time runs at an eighth of full scale (2,500 listed, 500 upserted); the mixed
scenarios at half scale (10,000 and 2,500), enough requests for every kind to occur.
`benchmarks/fault_suite.py` runs every scenario at full scale.

Every record must be read exactly once and every write applied (net) exactly once, checked
against the simulator's state. Figures per scenario are printed at the end of the session
(`fault_report`) and by `benchmarks/fault_suite.py`.
"""

from __future__ import annotations

import pytest

from tests.faults.harness import SCENARIOS, Scenario, ScenarioResult, run_scenario

pytestmark = pytest.mark.slow


def scale(scenario: Scenario) -> tuple[int, int]:
    """(contacts listed, contacts upserted) for a scenario."""
    return (10_000, 2_500) if scenario.name.startswith("mixed") else (2_500, 500)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_every_record_read_once_and_every_write_applied_once(
    scenario: Scenario, fault_report: list[ScenarioResult]
) -> None:
    contacts, upserts = scale(scenario)
    result = run_scenario(scenario, contacts=contacts, upserts=upserts)
    fault_report.append(result)

    for kind in scenario.expect:
        assert result.faults.get(kind, 0) > 0, f"no {kind} fault was injected"
    if scenario.faults:
        assert sum(result.faults.values()) > 0
    else:
        assert result.faults == {}
    # Reads: exactly the seeded ids, each once.
    assert result.records_read == result.records_expected == contacts
    assert result.read_duplicates == 0
    assert result.read_losses == 0
    # Writes: every item acknowledged, stored once with its fields, nothing extra.
    assert result.failed_items == []
    assert result.writes_acknowledged == result.writes_requested == upserts
    assert result.writes_applied_distinct == upserts
    assert result.write_duplicates == 0
    assert result.write_losses == 0
    assert result.field_mismatches == 0
    assert result.gave_up == {}
    assert result.clean
    # Every fault that fails a request was retried (slow responses need no retry).
    failing = sum(n for kind, n in result.faults.items() if kind != "slow")
    assert result.retries_total == failing
    assert result.attempts >= result.retries_total
    if "drop_after_apply" in result.faults:
        # Replays of applied upserts happened and were harmless (upsert by email).
        assert result.writes_reapplied > 0
