"""Fixtures for the language-v2 tests: synthetic providers under `providers/`, driven by respx."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.api import Engine
from engine.run.clock import FakeClock

PROVIDERS = Path(__file__).parent / "providers"
"""Synthetic provider folders for computed templates, settings and get-by-query."""


@pytest.fixture(scope="session")
def language_engine() -> Engine:
    """The engine loaded from `tests/language/providers` (pacing on a fake clock)."""
    return Engine.load(PROVIDERS, clock=FakeClock())
