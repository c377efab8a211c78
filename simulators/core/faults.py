"""Deterministic fault injection.

SPEC grammar (used by `unimap sandbox --faults` and `Simulator(faults=...)`)::

    SPEC  := ITEM ("," ITEM)*            # whitespace ignored; "" or "none" = no faults
    ITEM  := KIND ":" PROB ["@" SECONDS] ["x" COUNT]
    PROB  := a probability in [0, 1]; the PROBs of all items must add up to at most 1
    KIND  := 500 | 502 | 503 | 504 | slow | malformed | truncate | drop | drop_after_apply
             | 429burst

    e.g.  500:0.05,slow:0.02@1.5,truncate:0.01,drop:0.01,429burst:0.01x5

Kinds (every kind except `slow` and `drop_after_apply` is decided BEFORE the request is handled
and the request is NOT applied):

* `500`, `503` - JSON body `{"message": "Server Error"}` / `{"message": "Service Unavailable"}`.
* `502`, `504` - an HTML gateway page (as a CDN in front of the API would send).
* `slow@SECONDS` - the response is delayed by SECONDS (default 1.0); the request IS applied.
* `malformed` - HTTP 200, `application/json`, but the body is an HTML page (not JSON).
* `truncate` - HTTP 200 with a body cut in half (valid HTTP, invalid JSON). For GET the cut body
  is the real answer; for writes it is a cut placeholder and nothing is applied.
* `drop` - the connection is closed without any response (httpx raises
  `RemoteProtocolError`).
* `drop_after_apply` - the request IS applied (state changed, webhooks fired), then the
  connection is closed without a response: use it to test idempotent retries.
* `429burst xCOUNT` - this request and the next COUNT-1 requests (default COUNT 3) get
  `429 {"message": "Too Many Attempts."}` with `Retry-After: 1`.

Each request draws exactly one number from a `random.Random` seeded with the simulator seed, so
the fault sequence is a pure function of the seed and the request order. Requests answered by a
running 429 burst do not draw. Faults are only considered for requests that matched a route,
were authenticated and passed the real rate limiter.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import TypeVar

from simulators.core.messages import Disconnect, SimResponse

N = TypeVar("N", int, float)

KINDS: tuple[str, ...] = (
    "500",
    "502",
    "503",
    "504",
    "slow",
    "malformed",
    "truncate",
    "drop",
    "drop_after_apply",
    "429burst",
)
"""Every fault kind the SPEC accepts."""

APPLIED_KINDS: frozenset[str] = frozenset({"slow", "drop_after_apply"})
"""Kinds whose request is handled (applied) despite the fault."""


@dataclass(slots=True, frozen=True)
class FaultRule:
    """One SPEC item: a kind, its probability, and its parameter (delay or burst length)."""

    kind: str
    probability: float
    delay: float = 1.0
    count: int = 3

    def __str__(self) -> str:
        text = f"{self.kind}:{self.probability:g}"
        if self.kind == "slow":
            text += f"@{self.delay:g}"
        if self.kind == "429burst":
            text += f"x{self.count}"
        return text


@dataclass(slots=True, frozen=True)
class FaultPlan:
    """A parsed SPEC: the rules in the order they were written."""

    rules: tuple[FaultRule, ...] = ()

    @classmethod
    def parse(cls, spec: str) -> FaultPlan:
        """Parse a SPEC string (see the module docstring); raises `ValueError` when invalid."""
        text = "".join(spec.split())
        if text in ("", "none"):
            return cls()
        rules: list[FaultRule] = []
        for item in text.split(","):
            rules.append(_parse_item(item))
        if len({r.kind for r in rules}) != len(rules):
            raise ValueError("each fault kind may appear only once")
        if sum(r.probability for r in rules) > 1.0 + 1e-9:
            raise ValueError("fault probabilities add up to more than 1")
        return cls(tuple(rules))

    def __str__(self) -> str:
        return ",".join(str(rule) for rule in self.rules)


def _parse_item(item: str) -> FaultRule:
    kind, sep, rest = item.partition(":")
    if not sep or kind not in KINDS:
        raise ValueError(f"unknown fault item {item!r}; kinds are {', '.join(KINDS)}")
    count = 3
    delay = 1.0
    if "x" in rest:
        if kind != "429burst":
            raise ValueError(f"'x' (burst length) only applies to 429burst: {item!r}")
        rest, _, raw_count = rest.partition("x")
        count = _number(raw_count, int, item)
        if count < 1:
            raise ValueError(f"burst length must be at least 1: {item!r}")
    if "@" in rest:
        if kind != "slow":
            raise ValueError(f"'@' (delay) only applies to slow: {item!r}")
        rest, _, raw_delay = rest.partition("@")
        delay = _number(raw_delay, float, item)
        if delay < 0:
            raise ValueError(f"delay must not be negative: {item!r}")
    probability = _number(rest, float, item)
    if not 0.0 <= probability <= 1.0:
        raise ValueError(f"probability must be within [0, 1]: {item!r}")
    return FaultRule(kind, probability, delay, count)


def _number(text: str, kind: type[N], item: str) -> N:
    try:
        return kind(text)
    except ValueError:
        raise ValueError(f"bad number {text!r} in fault item {item!r}") from None


class FaultInjector:
    """Decides, request by request, which fault (if any) to inject; counts what it injected."""

    def __init__(self, plan: FaultPlan, seed: int) -> None:
        self.plan = plan
        self._rng = random.Random(f"faults:{seed}")
        self._burst_left = 0
        self._burst_rule: FaultRule | None = None
        self._lock = threading.Lock()
        self.counts: dict[str, int] = dict.fromkeys(KINDS, 0)
        """Faults injected so far, per kind (a 429 burst counts every 429 it served)."""

    def decide(self) -> FaultRule | None:
        """The fault for the next request, or None."""
        with self._lock:
            if self._burst_left > 0 and self._burst_rule is not None:
                self._burst_left -= 1
                self.counts["429burst"] += 1
                return self._burst_rule
            if not self.plan.rules:
                return None
            draw = self._rng.random()
            edge = 0.0
            for rule in self.plan.rules:
                edge += rule.probability
                if draw < edge:
                    self.counts[rule.kind] += 1
                    if rule.kind == "429burst":
                        self._burst_rule = rule
                        self._burst_left = rule.count - 1
                    return rule
            return None

    def total(self) -> int:
        """Every fault injected so far."""
        return sum(self.counts.values())


def apply_fault(response: SimResponse, fault: FaultRule | None) -> SimResponse:
    """Mark a handled request's `response` with an applied fault: delayed (`slow`) or dropped."""
    if fault is not None:
        if fault.kind == "slow":
            response.delay = fault.delay
        else:
            response.disconnect = Disconnect.DROP
    return response
