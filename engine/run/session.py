"""Turning plan requests into HTTP: credentials, URLs, pacing, retries (sync and async).

The retry loop exists twice (sync and async) because only the waiting and sending differ;
everything it decides is in the shared `_Attempts` helper and in `engine.run.retry`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager, AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from engine import jsonio
from engine.errors import RemoteError, ValidationError
from engine.loader import ProviderMapping
from engine.plan.build import fill_headers, fill_template
from engine.plan.messages import ProviderRequest, ProviderResponse
from engine.run.attempts import Attempts
from engine.run.clock import Clock, SystemClock
from engine.run.concurrency import ConcurrencySlots
from engine.run.credentials import auth_parts
from engine.run.feedback import ServerView, read_view, tell_limiter
from engine.run.http_logs import track
from engine.run.ratelimit import RateLimiter
from engine.run.retry import (
    NotSent,
    RetryPolicy,
    RetryStats,
)
from engine.secrets import Secret, redact, redact_data

if TYPE_CHECKING:  # httpx loads when a connection first sends (not for --explain)
    import httpx

logger = logging.getLogger("unimap.http")


class MalformedBody(json.JSONDecodeError):
    """A response body that is not the JSON it claims to be (retried like a broken read)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "", 0)


@dataclass
class SessionOptions:
    """Knobs shared by every request of a connection."""

    retry_policy: RetryPolicy = field(default_factory=RetryPolicy)
    clock: Clock = field(default_factory=SystemClock)
    limiter: RateLimiter | None = None
    slots: ConcurrencySlots | None = None
    limiter_key: str = "default"
    stats: RetryStats = field(default_factory=RetryStats)
    on_unauthorized: Callable[[], None] | None = None
    timeout: float | None = None
    on_success: Callable[[], None] | None = None


@dataclass(frozen=True)
class SessionHooks:
    """Sender hooks of a connection: `on_unauthorized` when the provider answers 401,
    `on_success` when a request's final answer is a 2xx."""

    on_unauthorized: Callable[[], None] | None = None
    on_success: Callable[[], None] | None = None


class ProviderSession:
    """Credential injection and URL building for one provider account (no I/O)."""

    def __init__(
        self,
        mapping: ProviderMapping,
        credentials: Mapping[str, str | Secret],
        base_url: str | None,
        options: SessionOptions,
        settings: Mapping[str, Any] | None = None,
    ) -> None:
        self.mapping = mapping
        self.options = options
        self.settings: dict[str, Any] = dict(settings or {})
        self._credentials = {
            k: v if isinstance(v, Secret) else Secret(v) for k, v in credentials.items()
        }
        revealed = {k: v.reveal() for k, v in self._credentials.items()}
        scope = {**revealed, "settings": self.settings}
        self.base_url = (
            base_url or fill_template(mapping.provider.base_url, scope, mapping=mapping)
        ).rstrip("/")
        self._base = urlsplit(self.base_url)
        self._auth_headers, self._auth_query = auth_parts(
            mapping, lambda t: fill_template(t, scope, encode=False, mapping=mapping)
        )
        self.headers = dict(fill_headers(mapping, mapping.provider.headers, scope))
        """The provider's headers, filled over the credentials and settings."""
        auth_values = [*self._auth_headers.values(), *(v for _, v in self._auth_query)]
        self._secrets = [v for v in [*revealed.values(), *auth_values] if v]
        self.release_logs = track(self, self._secrets)
        """Stop masking this session's credentials in the HTTP libraries' logs (on close)."""
        self.timeout = options.timeout or mapping.provider.timeout_seconds

    def __repr__(self) -> str:
        base_url = self.redact(self.base_url)
        return f"ProviderSession(provider={self.mapping.name!r}, base_url={base_url!r})"

    def redact(self, text: str) -> str:
        """`text` with every credential of this session masked."""
        return redact(text, self._secrets)

    def url_for(self, request: ProviderRequest) -> tuple[str, list[tuple[str, str]]]:
        """The absolute URL and query of a request, refusing links that leave the provider."""
        query = list(request.query)
        if request.url is None:
            return self.base_url + request.path, query
        link = urlsplit(request.url)
        base_path = self._base.path.rstrip("/")
        # A scheme-relative link (`//host/path`) names a host too, so it is checked as well.
        if (link.scheme or link.netloc) and (
            link.scheme or self._base.scheme,
            link.netloc,
        ) != (self._base.scheme, self._base.netloc):
            raise RemoteError("a next-page link points to another host; refused", remote=False)
        if not link.path.startswith(base_path + "/") or "/../" in link.path + "/":
            raise RemoteError(
                "a next-page link points outside the provider's API; refused", remote=False
            )
        carried = parse_qsl(link.query, keep_blank_values=True)
        names = {name for name, _ in carried}
        merged = carried + [(n, v) for n, v in query if n not in names]
        return f"{self._base.scheme}://{self._base.netloc}{link.path}", merged

    def build(self, request: ProviderRequest) -> httpx.Request:
        """The httpx request with default headers and credentials added."""
        from engine.run.http import httpx

        url, query = self.url_for(request)
        headers = {**self.headers, **dict(request.headers), **self._auth_headers}
        content = None if request.body is None else json.dumps(request.body).encode()
        params: list[tuple[str, str | int | float | bool | None]] = [*query, *self._auth_query]
        try:
            return httpx.Request(
                request.method, url, params=params, headers=headers, content=content
            )
        except (UnicodeError, httpx.InvalidURL) as exc:
            # The cause's text and arguments quote the value: raised without it.
            detail = self.redact(str(exc))
            raise ValidationError(f"the request cannot be encoded: {detail}") from None

    def parse(self, response: httpx.Response) -> ProviderResponse:
        """Status, lower-cased headers and parsed JSON; `MalformedBody` when it is not JSON."""
        from engine.run.http import httpx

        headers = {k.lower(): v for k, v in response.headers.items()}
        raw = response.content
        # httpx binds the stream to its response (a reference cycle), so a page's body would
        # live until the next full garbage collection and peak memory would grow with the
        # number of pages. The body is read: drop the bound stream to free it right away.
        response.stream = httpx.ByteStream(b"")
        body: Any = None
        if raw.strip():
            try:
                body = jsonio.loads(raw)
            except RecursionError:
                raise MalformedBody(
                    f"response body of HTTP {response.status_code} is nested too deeply"
                ) from None
            except ValueError:
                if "json" in headers.get("content-type", "json") or response.is_success:
                    raise MalformedBody(
                        f"response body of HTTP {response.status_code} is not valid JSON"
                    ) from None
                body = raw.decode("utf-8", "replace")[:2000]
        if not response.is_success:
            # A provider may echo the credential it refused: the unified error built from
            # this body (its message, `raw_response`) must not carry it.
            body = redact_data(body, self.redact)
        return ProviderResponse(response.status_code, headers, body)

    def server_view(self, response: ProviderResponse) -> ServerView:
        """The declared rate-limit headers of a response."""
        limits = self.mapping.provider.rate_limits
        return read_view(limits, response.headers, self.options.clock.time())

    def observe(self, request: ProviderRequest, response: ProviderResponse) -> None:
        """Feed the rate limiter what the response says about the server's budget."""
        if self.options.limiter is None:
            return
        tell_limiter(
            self.options.limiter,
            self.options.limiter_key,
            self.mapping.provider.rate_limits,
            request.buckets,
            response.status,
            self.server_view(response),
            self.options.retry_policy.retry_after_cap,
        )

    def rate_buckets(self, request: ProviderRequest) -> tuple[str, ...]:
        """The request's buckets that pace by rate (concurrency buckets are held instead)."""
        slots = self.options.slots
        return tuple(b for b in request.buckets if slots is None or b not in slots.caps)

    def slot(self, request: ProviderRequest) -> AbstractContextManager[None]:
        """Hold the request's concurrency slots (blocking) for the duration of an attempt."""
        slots = self.options.slots
        if slots is None or not slots.relevant(request.buckets):
            return nullcontext()
        return slots.hold(self.options.limiter_key, request.buckets)

    def aslot(self, request: ProviderRequest) -> AbstractAsyncContextManager[None]:
        """Async `slot`: the task waits for a free slot without blocking the event loop."""
        slots = self.options.slots
        if slots is None or not slots.relevant(request.buckets):
            return nullcontext()
        return slots.ahold(self.options.limiter_key, request.buckets)


def _transport_errors() -> tuple[type[BaseException], ...]:
    from engine.run.http import httpx

    return (httpx.TransportError, MalformedBody)


class SyncSender:
    """Sends plan requests with a blocking httpx client."""

    def __init__(
        self, session: ProviderSession, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.session = session
        self._transport = transport
        self._client: httpx.Client | None = None

    @property
    def client(self) -> httpx.Client:
        """The HTTP client, made on first use (a connection that only explains needs none)."""
        if self._client is None:
            from engine.run.http import httpx

            self._client = httpx.Client(
                transport=self._transport, timeout=self.session.timeout, follow_redirects=False
            )
        return self._client

    def close(self) -> None:
        """Close the HTTP client."""
        if self._client is not None:
            self._client.close()
        self.session.release_logs()

    def send(self, request: ProviderRequest) -> ProviderResponse:
        """Send with pacing and bounded retries; a final HTTP error status is returned as is."""
        session, options = self.session, self.session.options
        attempts = Attempts(session, request)
        http_request = session.build(request)
        transport_errors = _transport_errors()
        rate_buckets = session.rate_buckets(request)
        while True:
            attempts.begin()
            with session.slot(request):
                if options.limiter is not None and rate_buckets:
                    wait = options.limiter.reserve_delay(options.limiter_key, rate_buckets)
                    if not attempts.may_wait(wait):
                        return attempts.give_up()
                    options.limiter.acquire(options.limiter_key, rate_buckets)
                attempts.sending()
                answered: ProviderResponse | None = None
                failed: BaseException | None = None
                try:
                    answered = session.parse(self.client.send(http_request))
                except transport_errors as exc:
                    failed = exc
                # Outside the handler: a final error must not chain the transport's exception,
                # whose text may quote a header value.
                result = attempts.settle(answered, failed)
            if isinstance(result, ProviderResponse):
                return result
            options.clock.sleep(result)


class AsyncSender:
    """Sends plan requests with an async httpx client."""

    def __init__(
        self, session: ProviderSession, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.session = session
        self._transport = transport
        self._client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        """The HTTP client, made on first use (a connection that only explains needs none)."""
        if self._client is None:
            from engine.run.http import httpx

            self._client = httpx.AsyncClient(
                transport=self._transport, timeout=self.session.timeout, follow_redirects=False
            )
        return self._client

    async def aclose(self) -> None:
        """Close the HTTP client."""
        if self._client is not None:
            await self._client.aclose()
        self.session.release_logs()

    async def send(self, request: ProviderRequest) -> ProviderResponse:
        """Send with pacing and bounded retries; a final HTTP error status is returned as is."""
        session, options = self.session, self.session.options
        attempts = Attempts(session, request, defer_hooks=True)
        http_request = session.build(request)
        transport_errors = _transport_errors()
        rate_buckets = session.rate_buckets(request)
        while True:
            attempts.begin()
            async with session.aslot(request):
                if options.limiter is not None and rate_buckets:
                    wait = options.limiter.reserve_delay(options.limiter_key, rate_buckets)
                    if not attempts.may_wait(wait):
                        return attempts.give_up()
                    await options.limiter.aacquire(options.limiter_key, rate_buckets)
                attempts.sending()
                answered: ProviderResponse | None = None
                failed: BaseException | None = None
                try:
                    answered = session.parse(await self.client.send(http_request))
                except transport_errors as exc:
                    failed = exc
                # Outside the handler: a final error must not chain the transport's exception,
                # whose text may quote a header value.
                result = attempts.settle(answered, failed)
            while attempts.deferred:
                import asyncio  # loaded by async callers only: a blocking command never needs it

                await asyncio.to_thread(attempts.deferred.pop(0))
            if isinstance(result, ProviderResponse):
                return result
            await options.clock.asleep(result)


__all__ = [
    "AsyncSender",
    "MalformedBody",
    "NotSent",
    "ProviderSession",
    "SessionHooks",
    "SessionOptions",
    "SyncSender",
]
