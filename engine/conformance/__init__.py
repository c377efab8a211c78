"""The provider contract suite: provider-agnostic checks of the unified operations.

The same checks run in the test suite against every provider's simulator and, as
`unimap conformance PROVIDER`, against a sandbox or a real test account (read-only unless
writes are allowed). Each check reports `ok`, `failed` (with what went wrong) or
`not_supported` (with the mapping's reason).
"""

from __future__ import annotations

from engine.conformance.probe import CheckFailed, Probe
from engine.conformance.registry import Check
from engine.conformance.runner import CheckResult, run_checks
from engine.conformance.suite import CHECKS

__all__ = ["CHECKS", "Check", "CheckFailed", "CheckResult", "Probe", "run_checks"]
