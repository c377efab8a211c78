"""One request's attempts: when to retry, how long pacing may wait, and the final error.

The time budget (`RetryPolicy.max_total`) runs from the moment the first attempt is sent and
covers every wait after it, retry delays and rate-limit pacing alike.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from engine.errors import ConnectionFailedError, RemoteError, RequestTimeoutError, UnimapError
from engine.plan.messages import ProviderRequest, ProviderResponse
from engine.run.retry import Cause, HttpStatus, MaybeSent, Outcome, classify_exception

if TYPE_CHECKING:
    from engine.run.session import ProviderSession

logger = logging.getLogger("unimap.http")


class Attempts:
    """The decisions of one request's retry loop, shared by the sync and async senders."""

    def __init__(
        self, session: ProviderSession, request: ProviderRequest, defer_hooks: bool = False
    ) -> None:
        self.session = session
        # With `defer_hooks` (the async sender), `on_unauthorized` is left to the caller in
        # `deferred`: it may block (an account store), so it runs off the event loop.
        self.defer_hooks = defer_hooks
        self.deferred: list[Callable[[], None]] = []
        self.request = request
        self.attempt = 0
        self.started: float | None = None  # when the first attempt went out
        self.last_error: BaseException | None = None
        self.last_response: ProviderResponse | None = None
        self.last_outcome: Outcome | None = None

    def begin(self) -> None:
        """Count a new attempt."""
        self.attempt += 1
        self.session.options.stats.record_attempt()

    def may_wait(self, seconds: float) -> bool:
        """Whether pacing for `seconds` before this attempt fits the time budget.

        The budget (`RetryPolicy.max_total`) runs from the moment the first attempt is sent:
        the pacing before it is queueing, but every wait after it — retry delays and pacing
        alike — counts, so a request answered 429 forever ends within the budget.
        """
        if self.started is None:
            return True
        clock = self.session.options.clock
        elapsed = clock.monotonic() - self.started
        fits = elapsed + seconds <= self.session.options.retry_policy.max_total
        if not fits:
            logger.debug(
                "%s %s: gave up, pacing %.2fs more would exceed the %gs budget",
                self.request.method,
                self.request.path,
                seconds,
                self.session.options.retry_policy.max_total,
            )
        return fits

    def sending(self) -> None:
        """Note that an attempt goes out now (the budget starts with the first)."""
        if self.started is None:
            self.started = self.session.options.clock.monotonic()

    def give_up(self) -> ProviderResponse:
        """The last answer when the budget cannot cover more pacing: the last response, or
        the unified error of the last failure."""
        if self.last_response is not None:
            return self.last_response
        assert self.last_outcome is not None
        raise self.failure(self.last_outcome)

    def settle(
        self, response: ProviderResponse | None = None, error: BaseException | None = None
    ) -> ProviderResponse | float:
        """After an attempt: the response to hand back, or the seconds to wait before the
        next attempt; raises the unified error when a failure without a response is final."""
        if response is not None:
            self.session.observe(self.request, response)
            outcome = self.outcome_of(response)
            if outcome is None:
                if response.ok and self.session.options.on_success is not None:
                    self.session.options.on_success()
                return response
        else:
            assert error is not None
            self.last_error, outcome = error, classify_exception(error)
        self.last_response, self.last_outcome = response, outcome
        delay = self.decide(outcome)
        if delay is not None:
            return delay
        if response is not None:
            return response
        raise self.failure(outcome)

    def outcome_of(self, response: ProviderResponse) -> Outcome | None:
        hook = self.session.options.on_unauthorized
        if response.status == 401 and hook is not None:
            if self.defer_hooks:
                self.deferred.append(hook)
            else:
                hook()
        if response.status in self.session.options.retry_policy.retry_statuses:
            hint = self.session.server_view(response).retry_hint(response.status)
            return HttpStatus(response.status, hint)
        return None

    def decide(self, outcome: Outcome) -> float | None:
        """Seconds to wait before retrying, or None to stop."""
        options = self.session.options
        started = self.started if self.started is not None else options.clock.monotonic()
        elapsed = options.clock.monotonic() - started
        decision = options.retry_policy.should_retry(
            outcome, self.attempt, elapsed, self.request.idempotent
        )
        options.stats.record(outcome, decision)
        logger.debug("%s %s: %s", self.request.method, self.request.path, decision.reason)
        return decision.delay if decision.retry else None

    def failure(self, outcome: Outcome) -> UnimapError:
        """The unified error for a request that never got a usable response."""
        detail = self.session.redact(str(self.last_error)) if self.last_error else outcome.label
        what = f"{self.request.purpose or self.request.method + ' ' + self.request.path}"
        cause = getattr(outcome, "cause", None)
        if cause in (
            Cause.READ_TIMEOUT,
            Cause.WRITE_TIMEOUT,
            Cause.CONNECT_TIMEOUT,
            Cause.POOL_TIMEOUT,
            Cause.TIMEOUT,
        ):
            return RequestTimeoutError(f"{what}: the provider did not answer in time ({detail})")
        if cause == Cause.MALFORMED_BODY:
            return RemoteError(
                f"{what}: the provider sent a malformed response ({detail})", remote=True
            )
        ambiguous = isinstance(outcome, MaybeSent) and not self.request.idempotent
        suffix = "; it may have been applied, so it was not repeated" if ambiguous else ""
        return ConnectionFailedError(f"{what}: connection failed ({detail}){suffix}")
