"""The engine and the in-process simulators work without the `sandbox` extra installed."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import sys
sys.modules["uvicorn"] = None      # as if the sandbox extra were not installed
sys.modules["starlette"] = None
from engine.api import Engine
from simulators.mailerlite import DEFAULT_TOKEN, IN_PROCESS_BASE_URL, Simulator
sim = Simulator(seed=1, rate_limit=None, import_limit=None).seed_data(subscribers=3)
with Engine.load().connect("mailerlite", credentials={"api_key": DEFAULT_TOKEN},
                           base_url=IN_PROCESS_BASE_URL, transport=sim.transport()) as c:
    print(len(c.contacts.list(limit=10)["result"]))
from engine.cli import main
sys.exit(main(["sandbox", "--port", "0", "--lifetime", "0"]))
"""


def test_embedding_and_in_process_simulator_need_no_web_server() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.stdout.splitlines()[0] == "3", done.stderr
    assert done.returncode == 2
    assert "pip install 'unimap[sandbox]'" in done.stderr
