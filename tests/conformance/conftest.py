"""Every simulated provider with a bundled mapping, connected in process on a fake clock."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from engine.api import Connection, Engine
from engine.paths import mappings_dir
from engine.run.clock import FakeClock
from simulators import SANDBOX_PROVIDERS

SIMULATED = sorted(p for p in SANDBOX_PROVIDERS if (mappings_dir() / p).is_dir())
"""Providers that have both a simulator and a bundled mapping."""


def seeded_simulator(provider: str, contacts: int = 40) -> Any:
    """A provider's simulator seeded as `unimap sandbox` would, without rate limits."""
    module = importlib.import_module(SANDBOX_PROVIDERS[provider])
    args = argparse.Namespace(
        seed=3,
        token=module.DEFAULT_TOKEN,
        subscribers=contacts,
        groups=4,
        segments=2,
        rate_limit=None,
        import_limit=None,
        faults=None,
    )
    return module.build(args)


@pytest.fixture(scope="session")
def engine() -> Engine:
    """The bundled mappings; pacing waits pass on a fake clock."""
    return Engine.load(clock=FakeClock())


@pytest.fixture
def connect(engine: Engine) -> Iterator[Callable[[str], Connection]]:
    """`connect(provider)`: a connection to a freshly seeded simulator of that provider."""
    opened: list[Connection] = []

    def make(provider: str) -> Connection:
        module = importlib.import_module(SANDBOX_PROVIDERS[provider])
        simulator = seeded_simulator(provider)
        credentials = getattr(module, "credentials", lambda token: {"api_key": token})
        settings = getattr(module, "settings", lambda simulator: None)
        connection = engine.connect(
            provider,
            credentials=credentials(module.DEFAULT_TOKEN),
            base_url=f"http://{provider}.sim{simulator.base_path}",
            transport=simulator.transport(),
            settings=settings(simulator),
        )
        opened.append(connection)
        return connection

    yield make
    for connection in opened:
        connection.close()
