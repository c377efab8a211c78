"""Shared by the forwarding tests: a clock moved by hand."""

from __future__ import annotations

import pytest


class Clock:
    """Unix seconds, moved by hand (`clock.now += 60`)."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    """A fresh clock at a fixed moment."""
    return Clock()
