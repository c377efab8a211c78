"""Retry policy: what may be repeated, after how long, and when to give up.

The drivers describe what happened to an attempt as an `Outcome` (independent of httpx; use
`classify_exception` for exceptions) and ask `RetryPolicy.should_retry`. The policy is pure:
it never sleeps and never sends.

Safety rule (see `docs/rate-limits-and-retries.md`):

* a request that provably never reached the server (`NotSent`: connect error, connect or pool
  timeout) and a **429** (the server refused it, nothing was applied) are retried for every
  operation;
* anything that may have been applied — a 5xx or 408, a read/write timeout, a dropped connection,
  a malformed body (`MaybeSent`) — is retried only when the operation is *idempotent* (reads,
  PUT, DELETE, upsert by key, as declared by the mapping). A create that failed ambiguously is
  never blindly repeated;
* all other statuses and programming errors (`Fatal`) are not retried.

Retries are bounded by `max_attempts` and by `max_total` seconds of elapsed time.
"""

from __future__ import annotations

import enum
import json
import math
import random
import threading
from dataclasses import dataclass, field
from typing import Literal, Protocol

__all__ = [
    "Cause",
    "Fatal",
    "HttpStatus",
    "MaybeSent",
    "NotSent",
    "Outcome",
    "RetryDecision",
    "RetryPolicy",
    "RetryStats",
    "classify_exception",
]


class Cause(enum.StrEnum):
    """Why an attempt failed without an HTTP status."""

    CONNECT_ERROR = "connect_error"
    CONNECT_TIMEOUT = "connect_timeout"
    POOL_TIMEOUT = "pool_timeout"
    READ_TIMEOUT = "read_timeout"
    WRITE_TIMEOUT = "write_timeout"
    TIMEOUT = "timeout"
    CONNECTION_DROPPED = "connection_dropped"
    MALFORMED_BODY = "malformed_body"
    TRANSPORT_ERROR = "transport_error"
    PROGRAMMING_ERROR = "programming_error"


@dataclass(frozen=True)
class Outcome:
    """What happened to one attempt. Use one of the subclasses."""

    @property
    def label(self) -> str:
        """A short stable name, used as the key in `RetryStats`."""
        raise NotImplementedError


@dataclass(frozen=True)
class HttpStatus(Outcome):
    """The server answered with `status`; `retry_after` is its parsed `Retry-After`, if any."""

    status: int
    retry_after: float | None = None

    @property
    def label(self) -> str:
        """`status_<code>`, e.g. `status_429`."""
        return f"status_{self.status}"


@dataclass(frozen=True)
class NotSent(Outcome):
    """The request provably never reached the server (connect error/timeout, pool timeout)."""

    cause: Cause = Cause.CONNECT_ERROR

    @property
    def label(self) -> str:
        """The cause's value, e.g. `connect_error`."""
        return self.cause.value


@dataclass(frozen=True)
class MaybeSent(Outcome):
    """The request may have been processed: read/write timeout, dropped connection, bad body."""

    cause: Cause = Cause.CONNECTION_DROPPED

    @property
    def label(self) -> str:
        """The cause's value, e.g. `read_timeout`."""
        return self.cause.value


@dataclass(frozen=True)
class Fatal(Outcome):
    """A failure that repeating cannot fix (bad URL, local protocol misuse, a bug)."""

    cause: Cause = Cause.PROGRAMMING_ERROR
    detail: str = ""

    @property
    def label(self) -> str:
        """The cause's value, e.g. `programming_error`."""
        return self.cause.value


def classify_exception(exc: BaseException) -> Outcome:
    """Map an exception raised while sending a request or reading its body to an `Outcome`.

    httpx: `ConnectError`, `ConnectTimeout`, `PoolTimeout`, `ProxyError` → `NotSent`;
    `ReadTimeout`, `WriteTimeout`, other timeouts, `ReadError`, `WriteError`, `CloseError`,
    `RemoteProtocolError` and other transport errors → `MaybeSent`; `DecodingError` and a
    `json.JSONDecodeError` from parsing the body → `MaybeSent(MALFORMED_BODY)`;
    `HTTPStatusError` → `HttpStatus`; anything else (invalid URL, unsupported protocol, local
    protocol misuse, too many redirects, non-httpx errors) → `Fatal`.
    """
    from engine.run.http import httpx  # the only place this module touches httpx

    if isinstance(exc, json.JSONDecodeError | httpx.DecodingError):
        return MaybeSent(Cause.MALFORMED_BODY)
    if isinstance(exc, httpx.HTTPStatusError):
        return HttpStatus(exc.response.status_code)
    if isinstance(exc, httpx.ConnectTimeout):
        return NotSent(Cause.CONNECT_TIMEOUT)
    if isinstance(exc, httpx.PoolTimeout):
        return NotSent(Cause.POOL_TIMEOUT)
    if isinstance(exc, httpx.ConnectError | httpx.ProxyError):
        return NotSent(Cause.CONNECT_ERROR)
    if isinstance(exc, httpx.ReadTimeout):
        return MaybeSent(Cause.READ_TIMEOUT)
    if isinstance(exc, httpx.WriteTimeout):
        return MaybeSent(Cause.WRITE_TIMEOUT)
    if isinstance(exc, httpx.TimeoutException):
        return MaybeSent(Cause.TIMEOUT)
    if isinstance(exc, httpx.RemoteProtocolError | httpx.NetworkError):
        return MaybeSent(Cause.CONNECTION_DROPPED)
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.LocalProtocolError):
        return Fatal(Cause.PROGRAMMING_ERROR, type(exc).__name__)
    if isinstance(exc, httpx.TransportError):
        return MaybeSent(Cause.TRANSPORT_ERROR)
    return Fatal(Cause.PROGRAMMING_ERROR, type(exc).__name__)


class _Uniform(Protocol):
    """The one method of `random.Random` the policy needs."""

    def uniform(self, a: float, b: float) -> float: ...


_DEFAULT_RNG = random.Random()

Jitter = Literal["full", "equal", "none"]


@dataclass(frozen=True)
class RetryDecision:
    """The policy's answer: retry or not, after how many seconds, and why (for logs/explain)."""

    retry: bool
    delay: float
    reason: str


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff with jitter, honouring `Retry-After`.

    Attributes:
        max_attempts: attempts in total, the first one included (1 = never retry).
        base_delay: backoff ceiling after the first failure; doubles each attempt.
        max_delay: largest backoff ceiling.
        max_total: no retry may start later than this many seconds after the first attempt.
        jitter: `"full"` (uniform in [0, ceiling], the default; spreads retries best),
            `"equal"` (uniform in [ceiling/2, ceiling]) or `"none"` (exactly the ceiling).
        retry_after_cap: the longest `Retry-After` honoured; longer values are clamped to it.
        retry_statuses: statuses that may be retried (429 always; the others only when the
            operation is idempotent).
    """

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_total: float = 120.0
    jitter: Jitter = "full"
    retry_after_cap: float = 120.0
    retry_statuses: tuple[int, ...] = (429, 500, 502, 503, 504, 408)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        for name in ("base_delay", "max_delay", "max_total", "retry_after_cap"):
            value = getattr(self, name)
            if not (value >= 0 and not math.isnan(value)):
                raise ValueError(f"{name} must be a non-negative number of seconds")
        if self.jitter not in ("full", "equal", "none"):
            raise ValueError(f"unknown jitter {self.jitter!r}")

    def backoff_ceiling(self, attempt: int) -> float:
        """`min(max_delay, base_delay * 2**(attempt-1))` for the failed `attempt` (1-based)."""
        exponent = min(max(attempt, 1) - 1, 1000)  # 2**1000 is already "huge"
        return min(self.max_delay, self.base_delay * math.ldexp(1.0, exponent))

    def delay_for(
        self, attempt: int, retry_after: float | None, rng: _Uniform | None = None
    ) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based).

        A server-provided `retry_after` wins, clamped to `[0, retry_after_cap]` and not
        jittered; otherwise the exponential backoff ceiling with the configured jitter.
        """
        if retry_after is not None and not math.isnan(retry_after):
            return min(max(0.0, retry_after), self.retry_after_cap)
        ceiling = self.backoff_ceiling(attempt)
        rng = rng if rng is not None else _DEFAULT_RNG
        if self.jitter == "full":
            return rng.uniform(0.0, ceiling)
        if self.jitter == "equal":
            return ceiling / 2 + rng.uniform(0.0, ceiling / 2)
        return ceiling

    def should_retry(
        self,
        outcome: Outcome | int,
        attempt: int,
        elapsed: float,
        idempotent: bool,
        rng: _Uniform | None = None,
    ) -> RetryDecision:
        """Decide whether to repeat a request whose attempt number `attempt` (1-based) failed.

        `outcome` is an `Outcome` or a bare status code; `elapsed` is seconds since the first
        attempt started; `idempotent` says whether the mapping declares the operation safe to
        repeat. Non-idempotent operations are retried only on 429 and `NotSent`.
        """
        if isinstance(outcome, int):
            outcome = HttpStatus(outcome)
        retry_after: float | None = None
        if isinstance(outcome, HttpStatus):
            retry_after = outcome.retry_after
            if outcome.status not in self.retry_statuses:
                return RetryDecision(False, 0.0, f"status {outcome.status} is not retryable")
            if outcome.status != 429 and not idempotent:
                return RetryDecision(
                    False,
                    0.0,
                    f"status {outcome.status} on a non-idempotent request: it may have been "
                    "applied, not repeating",
                )
            why = f"status {outcome.status}"
        elif isinstance(outcome, NotSent):
            why = f"{outcome.cause.value} (request never sent)"
        elif isinstance(outcome, MaybeSent):
            if not idempotent:
                return RetryDecision(
                    False,
                    0.0,
                    f"{outcome.cause.value} on a non-idempotent request: it may have been "
                    "applied, not repeating",
                )
            why = f"{outcome.cause.value} on an idempotent request"
        else:
            return RetryDecision(False, 0.0, f"{outcome.label} cannot be fixed by retrying")

        if attempt >= self.max_attempts:
            return RetryDecision(
                False, 0.0, f"{why}: gave up after {attempt} attempts (max {self.max_attempts})"
            )
        delay = self.delay_for(attempt, retry_after, rng)
        if elapsed + delay > self.max_total:
            return RetryDecision(
                False,
                0.0,
                f"{why}: gave up, waiting {delay:.2f}s more would exceed {self.max_total:g}s "
                f"in total ({elapsed:.2f}s spent)",
            )
        source = "Retry-After" if retry_after is not None else "backoff"
        return RetryDecision(True, delay, f"{why}: retry in {delay:.2f}s ({source})")


@dataclass
class RetryStats:
    """Thread-safe counters the engine exposes in reports (e.g. the fault suite's "retries").

    Call `record(outcome, decision)` for every failed attempt and `record_attempt()` for every
    attempt sent (successful or not).
    """

    attempts: int = 0
    retries: dict[str, int] = field(default_factory=dict)
    gave_up: dict[str, int] = field(default_factory=dict)
    total_delay: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def record_attempt(self) -> None:
        """Count one attempt sent."""
        with self._lock:
            self.attempts += 1

    def record(self, outcome: Outcome | int, decision: RetryDecision) -> None:
        """Count a failed attempt under its outcome label, as a retry or a give-up."""
        label = outcome.label if isinstance(outcome, Outcome) else HttpStatus(outcome).label
        with self._lock:
            target = self.retries if decision.retry else self.gave_up
            target[label] = target.get(label, 0) + 1
            if decision.retry:
                self.total_delay += decision.delay

    @property
    def retries_total(self) -> int:
        """Retries made, all reasons together."""
        with self._lock:
            return sum(self.retries.values())

    def snapshot(self) -> dict[str, object]:
        """A plain-data copy for reports."""
        with self._lock:
            return {
                "attempts": self.attempts,
                "retries": dict(self.retries),
                "retries_total": sum(self.retries.values()),
                "gave_up": dict(self.gave_up),
                "total_delay": self.total_delay,
            }
