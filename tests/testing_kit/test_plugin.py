"""The pytest plugin: fixtures, the `unimap` marker, skips, and a cheap, inert import.

The scenarios live in `scenarios.py` and run once, in a separate pytest process that finds
the plugin through its entry point; each test here checks one scenario's outcome.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from importlib.metadata import entry_points
from pathlib import Path

import pytest

HERE = Path(__file__).parent
pytestmark = pytest.mark.slow  # a separate process: started first (tests/conftest.py)


@pytest.fixture(scope="session")
def outcomes(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> dict[str, list[str]]:
    """Test name -> [outcome, message] of every scenario, from one separate pytest run.

    Under xdist the workers share that run: the first to get here runs the scenarios and
    leaves the outcomes in the run's shared temporary folder; the others read them.
    """
    if worker_id == "master":
        return _run_scenarios(tmp_path_factory)
    shared = tmp_path_factory.getbasetemp().parent
    with open(shared / "testing-kit-scenarios.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        saved = shared / "testing-kit-scenarios.json"
        if not saved.exists():
            saved.write_text(json.dumps(_run_scenarios(tmp_path_factory)))
        found: dict[str, list[str]] = json.loads(saved.read_text())
        return found


def _run_scenarios(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    folder = tmp_path_factory.mktemp("scenarios")
    shutil.copy(HERE / "scenarios.py", folder / "test_scenarios.py")
    # The kit's plugin is found through its entry point, as in a host app; installed plugins
    # that take no part in the scenarios are left out (importing them is most of the run).
    unrelated = "-p no:schemathesis -p no:hypothesispytest -p no:respx"
    (folder / "pytest.ini").write_text(
        f"[pytest]\naddopts = --strict-markers -p no:cacheprovider {unrelated}\n"
    )
    report = folder / "report.xml"
    subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:randomly", f"--junitxml={report}"],
        cwd=folder,
        capture_output=True,
        timeout=120,
    )
    found: dict[str, list[str]] = {}
    for case in ET.parse(report).iter("testcase"):
        outcome, message = "passed", ""
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome, message = child.tag, child.get("message", "") + (child.text or "")
        found[case.get("name", "")] = [outcome, message]
    return found


def test_the_plugin_is_registered_as_a_pytest11_entry_point() -> None:
    found = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert found.get("unimap") == "simulators.testing.plugin"


def test_importing_the_plugin_loads_neither_the_engine_nor_a_simulator() -> None:
    code = (
        "import sys, simulators.testing.plugin as p; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('engine', 'httpx', 'anyio') "
        "or m.startswith('simulators.mailerlite')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_each_provider_fixture_gives_a_sandbox_seeded_from_the_marker(outcomes) -> None:
    for name in ("mailerlite", "mailchimp", "brevo", "kit"):
        assert outcomes[f"test_seeded[{name}]"][0] == "passed"


def test_unimap_sandbox_takes_its_provider_from_the_marker(outcomes) -> None:
    assert outcomes["test_marker_provider"][0] == "passed"
    assert outcomes["test_default_provider"][0] == "passed"


def test_indirect_parameters_win_over_the_marker(outcomes) -> None:
    assert outcomes["test_indirect[unimap_kit0]"][0] == "passed"
    assert outcomes["test_indirect[unimap_kit1]"][0] == "passed"


def test_a_bad_marker_option_errors_naming_it(outcomes) -> None:
    outcome, message = outcomes["test_typo"]
    assert outcome == "error"
    assert "unknown unimap option(s) contact" in message


def test_a_connection_to_a_provider_without_mapping_skips_the_test(outcomes) -> None:
    outcome, message = outcomes["test_unmapped"]
    assert outcome == "skipped"
    assert "Unimap has no 'kit' mapping yet" in message


def test_fixtures_work_in_async_tests(outcomes) -> None:
    assert outcomes["test_async[asyncio]"][0] == "passed"


def test_a_suite_without_the_fixtures_imports_neither_engine_nor_simulators(outcomes) -> None:
    assert outcomes["test_plain"][0] == "passed"
