"""The benchmark's hand-written baseline does exactly the engine's work, so its figures compare
like with like: listed contacts equal record by record, for every provider in `mappings/`, and
the replay server answers what was recorded, and upsert bodies equal the engine's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import hand, pages, writes  # noqa: E402
from benchmarks.workers import first_difference  # noqa: E402
from engine.api import Engine  # noqa: E402
from engine.run.clock import FakeClock  # noqa: E402
from simulators.core.transport import SimulatorTransport  # noqa: E402

CONTACTS = 120
PAGE = 50  # three pages: the hand loop's pagination is exercised too


@pytest.mark.parametrize("provider", pages.PROVIDERS)
def test_hand_listing_equals_the_engines_record_by_record(provider: str) -> None:
    sim = pages.simulator(provider, CONTACTS)
    bench = pages.bench_for(provider, sim)
    base_url = pages.in_process_base_url(provider)
    transport = SimulatorTransport(sim)
    engine = Engine.load(clock=FakeClock())
    with engine.connect(provider, bench.credentials, base_url, transport=transport) as conn:
        mine = list(conn.iterate("contacts", {**bench.query, "limit": PAGE}))
    with hand.client(provider, base_url, bench.credentials["api_key"], transport) as client:
        theirs = list(hand.contacts(provider, client, PAGE, bench.query))
    assert len(mine) == CONTACTS
    assert first_difference(mine, theirs) is None


def test_the_replay_server_serves_recorded_pages_to_both_sides(tmp_path: Path) -> None:
    path = tmp_path / "brevo.pickle"
    pages.write_pages("brevo", 30, path)
    bench, recorded = pages.read_pages(path)
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.replay_server", str(path)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert server.stdout is not None
        base_url = server.stdout.readline().strip() + bench.prefix
        check = subprocess.run(
            [sys.executable, "-m", "benchmarks.workers", "check", "brevo", base_url,
             bench.credentials["api_key"], json.dumps(bench.query), "30"],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=10)
    assert json.loads(check.stdout) == {"equal": True, "records": 30, "problem": None}
    assert len(recorded) == 1


@pytest.mark.parametrize("provider", writes.CONNECT)
def test_hand_upsert_bodies_equal_the_engines(provider: str) -> None:
    figures = writes.measure(provider, writes.contacts(60), repeats=1)  # exits when they differ
    assert figures["upserts"]["engine"] > 0
