"""`benchmarks/server_load.py` runs end to end on a short budget: sandbox, `unimap serve` and
the clients in separate processes, every call answered 2xx, the sandbox's own limit never
exceeded, and the JSON line carries every figure the README reports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_a_short_load_run_has_no_errors_and_never_exceeds_the_providers_limit() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "benchmarks/server_load.py",
            "--seconds",
            "0.5",
            "--clients",
            "8",
            "--overhead-calls",
            "3",
            "--contacts",
            "20",
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["errors"] == 0 and figures["sandbox"]["rate_limited"] == 0
    assert figures["calls"] > 0 and figures["clients"] == 8
    assert figures["p50_ms"] <= figures["p99_ms"] <= figures["max_ms"]
    assert set(figures["overhead"]) == {"direct_median_ms", "server_median_ms", "overhead_ms"}
