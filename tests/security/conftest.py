"""Fixtures of the security suite: the bundled and synthetic providers, a recording transport,
and every logger opened at DEBUG so the canary watch sees what the HTTP libraries log."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from engine.api import Engine
from engine.run.clock import FakeClock

PROVIDERS = Path(__file__).parent / "providers"
READS = Path(__file__).parents[1] / "reads" / "providers"


@pytest.fixture(scope="session")
def engine() -> Engine:
    """The bundled providers plus the security tests' synthetic ones (fake clock)."""
    return Engine.load(PROVIDERS, READS, clock=FakeClock(), cursor_key=b"k" * 32)


@pytest.fixture(autouse=True)
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every record at DEBUG (root, httpx, httpcore, the engine), captured."""
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "unimap", "engine"):
        caplog.set_level(logging.DEBUG, logger=name)
    yield caplog


class Recorder(httpx.MockTransport):
    """A transport answering every request with `body` and keeping what was sent."""

    def __init__(self, body: Any = None, status: int = 200) -> None:
        self.sent: list[httpx.Request] = []

        def answer(request: httpx.Request) -> httpx.Response:
            self.sent.append(request)
            return httpx.Response(status, json=body if body is not None else {"data": []})

        super().__init__(answer)


def rendered(error: BaseException) -> str:
    """Everything an error shows: str, repr, args, to_dict, and its chained causes."""
    parts = [str(error), repr(error), repr(error.args)]
    to_dict = getattr(error, "to_dict", None)
    if to_dict is not None:
        parts.append(repr(to_dict()))
    cause = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    if cause is not None:
        parts.append(rendered(cause))
    return "\n".join(parts)
