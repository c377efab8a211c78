"""`unimap sandbox --provider mailchimp` builds a seeded simulator."""

from __future__ import annotations

import argparse
import importlib

from simulators import SANDBOX_PROVIDERS


def test_sandbox_builds_a_seeded_simulator_with_the_connection_cap() -> None:
    module = importlib.import_module(SANDBOX_PROVIDERS["mailchimp"])
    args = argparse.Namespace(
        seed=4,
        token=module.DEFAULT_TOKEN,
        rate_limit="provider",
        faults=None,
        subscribers=30,
        groups=2,
        segments=1,
    )
    sim = module.build(args)
    assert module.DEFAULT_TOKEN.endswith("-us21")
    assert sim.base_path == "/3.0"
    assert len(sim.state.audiences) == 2
    assert sim.max_connections == 10
    with sim.client() as client:
        assert client.get("/lists").json()["total_items"] == 2
