"""Fixtures for the fault suite: a session-wide report printed at the end of the run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.faults.harness import ScenarioResult, report_table


@pytest.fixture(scope="session")
def fault_report(request: pytest.FixtureRequest) -> Iterator[list[ScenarioResult]]:
    """Collects every scenario's figures; prints the table when the session ends."""
    results: list[ScenarioResult] = []
    yield results
    if not results:
        return
    text = "\n\nFault suite report\n" + report_table(results) + "\n"
    capture = request.config.pluginmanager.getplugin("capturemanager")
    if capture is not None:
        with capture.global_and_fixture_disabled():
            print(text, flush=True)
    else:  # pragma: no cover - run with -p no:capture
        print(text, flush=True)
