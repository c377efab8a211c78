"""What the provider tests share: a receiver that keeps every webhook delivery."""

from __future__ import annotations

import httpx
import pytest


@pytest.fixture
def received() -> list[httpx.Request]:
    """Every delivery a simulator made through `receiver`."""
    return []


@pytest.fixture
def receiver(received: list[httpx.Request]) -> httpx.MockTransport:
    """A webhook transport for a simulator: each delivery is read, kept in `received` and
    answered 200."""

    def keep(request: httpx.Request) -> httpx.Response:
        request.read()
        received.append(request)
        return httpx.Response(200)

    return httpx.MockTransport(keep)
