"""What a sandbox is built from: seed size, rate limits, faults, extra mapping folders."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

PROVIDERS: tuple[str, ...] = ("brevo", "kit", "mailchimp", "mailerlite")
"""Providers the kit can simulate (each has a simulator in `simulators/`)."""


@dataclass(frozen=True, slots=True)
class SandboxOptions:
    """Options of one sandbox; set them with `@pytest.mark.unimap(...)` or `Sandbox(...)`.

    * `provider` - which provider `unimap_sandbox` simulates (the named fixtures ignore it).
    * `contacts`, `lists`, `segments` - how much deterministic sample data to seed (lists are
      MailerLite groups, Kit tags, Brevo lists, Mailchimp audiences; Mailchimp always keeps
      at least one audience so contacts have a home).
    * `seed` - drives ids, sample data and the fault sequence.
    * `rate_limits` - True keeps the provider's documented limits in the simulator (the
      engine paces on the fake clock, so they cost no real time); False lifts them.
    * `faults` - a fault SPEC such as `"500:0.1,drop:0.05"` (see `simulators.core.faults`).
    * `mappings` - extra mapping folders layered over the bundled ones (your own providers
      or overrides), as for `Engine.load(*folders)`.
    """

    provider: str = "mailerlite"
    contacts: int = 10
    lists: int = 2
    segments: int = 1
    seed: int = 0
    rate_limits: bool = True
    faults: str | None = None
    mappings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.provider not in PROVIDERS:
            raise ValueError(
                f"no simulator for provider {self.provider!r}; choose one of {', '.join(PROVIDERS)}"
            )
        for name in ("contacts", "lists", "segments"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")

    def with_values(self, values: dict[str, Any]) -> SandboxOptions:
        """A copy with `values` applied; unknown names raise `TypeError` naming them."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise TypeError(
                f"unknown unimap option(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        if "mappings" in values:
            values = dict(values, mappings=tuple(str(m) for m in values["mappings"]))
        return replace(self, **values)
