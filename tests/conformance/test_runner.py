"""How the contract suite reports: failures named, writes skipped unless allowed."""

from __future__ import annotations

from collections.abc import Callable

from engine.api import Connection
from engine.conformance import CHECKS, Probe, run_checks
from engine.conformance.probe import CheckFailed
from engine.conformance.registry import Check
from engine.conformance.runner import run_check


def test_write_checks_are_skipped_unless_writes_are_allowed(
    connect: Callable[[str], Connection],
) -> None:
    results = run_checks(Probe(connect("mailerlite"), max_records=20))
    writes = {c.name for c in CHECKS if c.writes}
    assert {r.name for r in results if r.outcome == "skipped"} == writes


def test_a_failing_check_is_reported_with_its_message(
    connect: Callable[[str], Connection],
) -> None:
    def broken(probe: Probe) -> str:
        raise CheckFailed("the provider forgot everything")

    result = run_check(Check("demo", "fails", False, broken), Probe(connect("mailerlite")))
    assert (result.outcome, result.detail) == ("failed", "the provider forgot everything")


def test_a_unified_error_fails_the_check_with_its_code(
    connect: Callable[[str], Connection],
) -> None:
    def missing(probe: Probe) -> str:
        return str(probe.call("contacts", "get", "nobody-at-all@example.com"))

    result = run_check(Check("demo", "404", False, missing), Probe(connect("mailerlite")))
    assert result.outcome == "failed" and result.detail.startswith("not_found:")


def test_only_the_named_checks_run(connect: Callable[[str], Connection]) -> None:
    probe = Probe(connect("mailerlite"))
    results = run_checks(probe, only=["contacts.get.by_id", "lists.get"])
    assert [r.name for r in results] == ["contacts.get.by_id", "lists.get"]
    assert all(r.outcome == "ok" for r in results)
