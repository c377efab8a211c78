"""Fixtures for the webhook tests: the engine, the shared recordings, a schema check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine.api import Engine
from engine.unified.validate import validate_record

SHARED = Path(__file__).resolve().parents[3] / "shared" / "mailerlite"
"""`/work/main/../shared/mailerlite` (read-only fact sheet and recordings)."""

SECRET = "test-secret-key-12345"


@pytest.fixture(scope="session")
def engine() -> Engine:
    """The bundled mappings."""
    return Engine.load()


@pytest.fixture
def recordings() -> Path:
    """The shared recordings folder; skips when it is not there."""
    folder = SHARED / "recordings"
    if not folder.is_dir():
        pytest.skip(f"shared MailerLite recordings not found at {folder} (../shared is optional)")
    return folder


def recording(folder: Path, name: str) -> bytes:
    """The raw bytes of one recording."""
    return (folder / name).read_bytes()


def assert_valid_events(events: list[dict[str, Any]]) -> None:
    """Every event is valid against `schemas/unified/marketing_automation/event.json`."""
    for event in events:
        problems = validate_record("events", event)
        assert not problems, f"{event['type']}: {problems}"


def body_of(payload: Any) -> bytes:
    """Compact JSON bytes, as a provider would send them."""
    return json.dumps(payload, separators=(",", ":")).encode()
