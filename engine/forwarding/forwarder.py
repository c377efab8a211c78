"""The forwarder: a bounded asyncio loop POSTing outbox messages to the host app, signed.

    forwarder = Forwarder(outbox, forwarding_secret(), ForwardingSettings(default_url=url))
    forwarder.start()            # inside a running event loop (the server's lifespan)
    forwarder.wake()             # after an enqueue: deliver now instead of at the next poll
    await forwarder.stop()

Each round claims at most `batch_size` due messages with a lease of `lease_seconds` and sends
them concurrently, each with a `timeout_seconds` limit, to the tenant's endpoint (set with
`outbox.set_endpoint`) or else `default_url`. A 2xx answer marks the message delivered.
A 410 Gone means the endpoint asked to receive nothing more (Standard Webhooks): the message
is dead at once and the URL disabled (`outbox.disable_endpoint`), so later messages for it
are dead without a request until it is set or enabled again. Anything else (another status,
a network error, no endpoint configured) reschedules the message after the retry policy's
exponential backoff with jitter (a `Retry-After` on 429/503 is honoured, capped), until
`retry.max_attempts` attempts were made: then it is dead (`outbox.dead()`, `unimap webhook
dead`), kept for `requeue`. Every attempt is signed afresh
(`engine.forwarding.standard`): same `webhook-id` and body, new timestamp.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import httpx

from engine.forwarding.outbox import Outbox, StoredMessage, checked_endpoint
from engine.forwarding.sqlite_outbox import default_outbox
from engine.forwarding.standard import (
    forwarding_secrets,
    secret_key_bytes,
    standard_webhook_headers,
)
from engine.http_headers import parse_retry_after
from engine.run.retry import RetryPolicy

__all__ = [
    "DEFAULT_FORWARD_RETRY",
    "DISABLED_ERROR",
    "GONE_ERROR",
    "Forwarder",
    "ForwardingSettings",
    "default_forwarder",
]

logger = logging.getLogger("unimap.webhooks.forward")

#: 15 attempts, backoff doubling from 5 s up to one hour, equal jitter: the last attempt
#: comes 4 to 5.4 hours after the first.
DEFAULT_FORWARD_RETRY = RetryPolicy(
    max_attempts=15, base_delay=5.0, max_delay=3600.0, max_total=math.inf, jitter="equal"
)
_PRUNE_EVERY = 3600.0
#: Why a message is dead when its endpoint answered 410 Gone (the endpoint is then disabled).
GONE_ERROR = "HTTP 410 Gone: the endpoint is gone; it is disabled until set or enabled again"
#: Why a message is dead, unsent, when its endpoint is disabled.
DISABLED_ERROR = "not sent: the endpoint is disabled (it answered 410 Gone); set or enable it"


@dataclass(frozen=True)
class ForwardingSettings:
    """How the forwarder sends; see the module documentation."""

    default_url: str | None = None
    retry: RetryPolicy = field(default_factory=lambda: DEFAULT_FORWARD_RETRY)
    batch_size: int = 16
    lease_seconds: float = 60.0
    poll_seconds: float = 1.0
    timeout_seconds: float = 10.0
    retention_seconds: float = 7 * 86400.0

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if not 0 < self.timeout_seconds < self.lease_seconds:
            raise ValueError("timeout_seconds must be positive and shorter than lease_seconds")
        if self.poll_seconds <= 0:
            raise ValueError("poll_seconds must be positive")


class Forwarder:
    """Delivers outbox messages to the host app until stopped (one per process is enough)."""

    def __init__(
        self,
        outbox: Outbox,
        secret: str | Callable[[], Sequence[str]],
        settings: ForwardingSettings | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`secret` is the `whsec_` signing secret, or a function giving the secrets to sign
        with (read, off the event loop, before each batch: a rotation takes effect without a
        restart); `transport` replaces the network (tests)."""
        self._signing: Sequence[str] = []
        if isinstance(secret, str):
            secret_key_bytes(secret, source="the forwarding secret")
            self._signing = [secret]
            self._secrets: Callable[[], Sequence[str]] = lambda: [secret]
        else:
            self._secrets = secret
        self.outbox = outbox
        self.settings = settings or ForwardingSettings()
        self._transport = transport
        self._clock = clock
        self._wake: asyncio.Event | None = None
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._last_prune = -math.inf

    def __repr__(self) -> str:
        """Show the outbox and default URL (never the secret)."""
        return f"Forwarder({self.outbox!r}, default_url={self.settings.default_url!r})"

    def wake(self) -> None:
        """Deliver without waiting for the next poll (call from the forwarder's event loop)."""
        if self._wake is not None:
            self._wake.set()

    def start(self) -> None:
        """Start the loop as a task of the running event loop (again after `stop`)."""
        if self._task is None or self._task.done():
            self._stopping = False
            self._wake = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(self._run(), name="forwarder")

    async def stop(self, timeout: float = 5.0) -> None:
        """Finish the round in progress (at most `timeout` seconds), then stop.

        A message whose send was cut short keeps its lease until it expires, then it is
        claimed again, so nothing is lost.
        """
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self.wake()
        try:
            await asyncio.wait_for(task, timeout)
        except TimeoutError:
            logger.warning("the webhook forwarder did not stop within %.1f s", timeout)

    async def run_once(self, client: httpx.AsyncClient | None = None) -> int:
        """Claim one batch and deliver it; returns how many messages were tried."""
        if client is None:
            async with self._client() as own:
                return await self.run_once(own)
        batch = await asyncio.to_thread(
            self.outbox.claim, self.settings.batch_size, self.settings.lease_seconds
        )
        if batch:
            self._signing = await asyncio.to_thread(self._secrets)
            disabled = await asyncio.to_thread(self.outbox.disabled_endpoints)
            await asyncio.gather(*(self._deliver(client, m, disabled) for m in batch))
        return len(batch)

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=self._transport,
            timeout=self.settings.timeout_seconds,
            follow_redirects=False,
        )

    async def _run(self) -> None:
        wake = self._wake
        assert wake is not None
        async with self._client() as client:
            while not self._stopping:
                try:
                    await self._maybe_prune()
                    if await self.run_once(client):
                        continue
                except Exception:  # the loop must survive a broken store or endpoint
                    logger.exception("webhook forwarding round failed")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), self.settings.poll_seconds)
                wake.clear()

    async def _maybe_prune(self) -> None:
        now = self._clock()
        if now - self._last_prune >= _PRUNE_EVERY:
            self._last_prune = now
            await asyncio.to_thread(self.outbox.prune, self.settings.retention_seconds)

    async def _url(self, message: StoredMessage) -> str | None:
        """The tenant's endpoint, else the default URL."""
        if message.tenant_id is not None:
            own = await asyncio.to_thread(self.outbox.endpoint, message.tenant_id)
            if own:
                return own
        return self.settings.default_url

    async def _send(self, client: httpx.AsyncClient, url: str, message: StoredMessage) -> _Sent:
        """POST the message to `url`, signed afresh."""
        headers = standard_webhook_headers(
            self._signing, message.id, message.body, int(self._clock())
        )
        try:
            response = await client.post(url, content=message.body, headers=headers)
        except httpx.HTTPError as exc:
            return _Sent(f"{type(exc).__name__}: {exc}"[:300])
        if 200 <= response.status_code < 300:
            return _Sent(None)
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        return _Sent(f"HTTP {response.status_code}", retry_after, response.status_code == 410)

    async def _deliver(
        self, client: httpx.AsyncClient, message: StoredMessage, disabled: Collection[str]
    ) -> None:
        lease = message.lease_id or ""
        outbox = self.outbox
        url = await self._url(message)
        if not url:
            sent = _Sent(f"no forwarding endpoint for tenant {message.tenant_id!r}")
        elif url in disabled:
            await asyncio.to_thread(outbox.mark_dead, message.id, lease, DISABLED_ERROR)
            return
        else:
            sent = await self._send(client, url, message)
        if sent.error is None:
            await asyncio.to_thread(outbox.mark_delivered, message.id, lease)
        elif sent.gone and url:
            logger.warning(
                "the forwarding endpoint of tenant %r answered 410 Gone: disabled",
                message.tenant_id,
            )
            await asyncio.to_thread(outbox.disable_endpoint, url, GONE_ERROR)
            await asyncio.to_thread(outbox.mark_dead, message.id, lease, GONE_ERROR)
        elif message.attempts >= self.settings.retry.max_attempts:
            logger.warning(
                "webhook %s is dead after %d attempts: %s", message.id, message.attempts, sent.error
            )
            await asyncio.to_thread(outbox.mark_dead, message.id, lease, sent.error)
        else:
            delay = self.settings.retry.delay_for(message.attempts, sent.retry_after)
            await asyncio.to_thread(outbox.reschedule, message.id, lease, delay, sent.error)


class _Sent(NamedTuple):
    """What one attempt came to: `error` None when acknowledged."""

    error: str | None
    retry_after: float | None = None
    gone: bool = False


def default_forwarder(default_url: str | None = None) -> Forwarder:
    """The installation's forwarder: the outbox in the installation's database
    (`UNIMAP_DATABASE_URL`, else `$UNIMAP_HOME/unimap.db`), the forwarding secrets
    (`forwarding_secrets()`, checked now, re-read before each batch), default settings with
    `default_url`."""
    forwarding_secrets()
    return Forwarder(
        default_outbox(),
        forwarding_secrets,
        ForwardingSettings(
            default_url=checked_endpoint(default_url, "forward_to") if default_url else None
        ),
    )
