"""Running checks and reporting their outcomes."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from engine.conformance.probe import CheckFailed, Probe, Unsupported
from engine.conformance.registry import Check
from engine.conformance.suite import CHECKS
from engine.errors import UnimapError

Outcome = Literal["ok", "failed", "not_supported", "skipped"]

@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check, with what it saw or why it failed."""

    name: str
    outcome: Outcome
    detail: str
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return {
            "check": self.name,
            "outcome": self.outcome,
            "detail": self.detail,
            "seconds": round(self.seconds, 3),
        }


def run_check(check: Check, probe: Probe) -> CheckResult:
    """Run one check; writes are skipped unless the probe allows them."""
    if check.writes and not probe.allow_writes:
        return CheckResult(check.name, "skipped", "writes not allowed (--allow-writes)", 0.0)
    started = time.monotonic()
    try:
        detail = check.run(probe) or ""
        outcome: Outcome = "ok"
    except Unsupported as unsupported:
        detail, outcome = unsupported.reason, "not_supported"
    except CheckFailed as failure:
        detail, outcome = str(failure), "failed"
    except UnimapError as error:
        detail, outcome = f"{error.code}: {error.message}", "failed"
    return CheckResult(check.name, outcome, detail, time.monotonic() - started)


def run_checks(
    probe: Probe,
    only: Iterable[str] = (),
    on_result: Callable[[CheckResult], None] | None = None,
) -> list[CheckResult]:
    """Run every registered check (or those named in `only`), in order."""
    wanted = set(only)
    results = []
    for check in CHECKS:
        if wanted and check.name not in wanted:
            continue
        result = run_check(check, probe)
        if on_result is not None:
            on_result(result)
        results.append(result)
    return results
