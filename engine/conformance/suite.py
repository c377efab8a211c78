"""The whole contract suite: the read checks, then the write checks."""

from __future__ import annotations

from engine.conformance import reads, writes
from engine.conformance.registry import Check

CHECKS: tuple[Check, ...] = (*reads.CHECKS, *writes.CHECKS)
"""Every check, in the order `run_checks` runs them."""
