"""How checks are declared: a `Check` record and the decorator that collects them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from engine.conformance.probe import Probe

CheckFunction = Callable[[Probe], str | None]


@dataclass(frozen=True)
class Check:
    """One contract check: a name, whether it writes, and what it runs."""

    name: str
    description: str
    writes: bool
    run: CheckFunction


Registrar = Callable[..., Callable[[CheckFunction], CheckFunction]]


def registrar(checks: list[Check]) -> Registrar:
    """A `@check(name, writes=...)` decorator appending to `checks` (docstring = description)."""

    def check(name: str, *, writes: bool = False) -> Callable[[CheckFunction], CheckFunction]:
        def register(function: CheckFunction) -> CheckFunction:
            description = (function.__doc__ or name).strip().splitlines()[0]
            checks.append(Check(name, description, writes, function))
            return function

        return register

    return check
