"""The provider contract suite against every simulated provider: one test per check.

A check may only end `ok`, or `not_supported` when the provider's mapping declares the
operation unsupported (the reason is then the mapping's own).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from engine.api import Connection
from engine.conformance import CHECKS, Probe
from engine.conformance.runner import run_check
from tests.conformance.conftest import SIMULATED


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.name)
@pytest.mark.parametrize("provider", SIMULATED)
def test_provider_passes_contract_check(
    provider: str, check: object, connect: Callable[[str], Connection]
) -> None:
    connection = connect(provider)
    probe = Probe(connection, allow_writes=True, max_records=1000)
    result = run_check(check, probe)  # type: ignore[arg-type]
    assert result.outcome in ("ok", "not_supported"), f"{provider}: {result.detail}"
    if result.outcome == "not_supported":
        resource_method = result.detail.split(":", 1)[0]
        resource, method = resource_method.split(".", 1)
        if resource != "webhooks":
            declared = connection.session.mapping.resources.get(resource)
            operation = declared.operations.get(method) if declared else None
            assert operation is None or operation.not_supported, result.detail
