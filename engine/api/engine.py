"""`Engine`: loaded mappings plus what connections share (rate limiters, concurrency caps,
the cursor key), and `connect`/`aconnect` to open a connection to one provider account."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.api.connections import AsyncConnection, Connection
from engine.errors import ConfigurationError
from engine.loader import LoadResult, ProviderMapping
from engine.loader.cached import load_layers_cached
from engine.paths import mappings_dir
from engine.run.backend import Pacing
from engine.run.clock import Clock, SystemClock
from engine.run.concurrency import ConcurrencySlots
from engine.run.credentials import checked_credentials
from engine.run.ratelimit import BucketSpec, RateLimiter
from engine.run.retry import RetryPolicy, RetryStats
from engine.run.session import (
    AsyncSender,
    ProviderSession,
    SessionHooks,
    SessionOptions,
    SyncSender,
)
from engine.secrets import Secret
from engine.settings import resolve_settings
from engine.suggest import did_you_mean

if TYPE_CHECKING:  # loaded by what uses them (sending, webhooks), not by every command
    import httpx

    from engine.webhooks import WebhookHandler

Credentials = Mapping[str, str | Secret]
_LOG = logging.getLogger("engine.loader")


class Engine:
    """Loaded mappings plus what connections share: rate limiters and defaults."""

    def __init__(
        self,
        providers: Mapping[str, ProviderMapping],
        *,
        retry_policy: RetryPolicy | None = None,
        clock: Clock | None = None,
        cursor_key: bytes | None = None,
        pacing: Pacing | None = None,
    ) -> None:
        """`cursor_key` seals unified cursors; by default the installation's (see below).
        `pacing` says where rate-limit and concurrency state lives; by default
        `Pacing.from_env()` on first use (in process, or in Redis with `UNIMAP_REDIS_URL`)."""
        self.providers = dict(providers)
        self.retry_policy = retry_policy or RetryPolicy()
        self.clock = clock or SystemClock()
        self._limiters: dict[str, RateLimiter] = {}
        self._slots: dict[str, ConcurrencySlots] = {}
        self._lock = threading.Lock()
        self._cursor_key = cursor_key
        self._pacing = pacing

    @property
    def pacing(self) -> Pacing:
        """Where this engine's rate-limit and concurrency state lives (resolved on first use)."""
        with self._lock:
            return self._resolve_pacing()

    def _resolve_pacing(self) -> Pacing:
        if self._pacing is None:
            self._pacing = Pacing.from_env()
        return self._pacing

    @property
    def cursor_key(self) -> bytes:
        """The key unified cursors are sealed with, resolved on first use (see
        `engine.accounts.keys.cursor_key`: `UNIMAP_CURSOR_KEY`, else the installation's key)."""
        with self._lock:
            if self._cursor_key is None:
                from engine.accounts.keys import cursor_key as installation_cursor_key

                self._cursor_key = installation_cursor_key()
            return self._cursor_key

    @classmethod
    def load(
        cls, *folders: str | Path | None, bundled: bool = True, **options: Any
    ) -> Engine:
        """Load and validate the bundled mappings plus `folders`; invalid mappings raise.

        Each folder is a provider folder (holding `provider.yaml`) or a folder of provider
        folders. Folders apply in order on top of the bundled mappings (`bundled=False` leaves
        those out): a provider of a later folder replaces one of the same name, and a warning
        is logged (logger `engine.loader`) naming both folders.
        """
        layers = [[mappings_dir()]] if bundled else []
        layers += [[Path(folder)] for folder in folders if folder is not None]
        missing = [str(layer[0]) for layer in layers if not layer[0].exists()]
        if missing:
            raise ConfigurationError(f"no such mappings folder: {', '.join(missing)}")
        result: LoadResult = load_layers_cached(layers)
        if not result.ok:
            lines = "\n".join(problem.to_text() for problem in result.problems[:20])
            raise ConfigurationError(f"the mappings are invalid:\n{lines}")
        for replacement in result.replaced:
            _LOG.warning("%s", replacement.to_text())
        return cls(result.providers, **options)

    def __repr__(self) -> str:
        return f"Engine(providers={sorted(self.providers)!r})"

    def mapping(self, provider: str) -> ProviderMapping:
        """The mapping of a provider, or a clear error."""
        found = self.providers.get(provider)
        if found is None:
            raise ConfigurationError(
                f"unknown provider '{provider}'{did_you_mean(provider, self.providers)}; "
                f"loaded: {', '.join(sorted(self.providers)) or 'none'}"
            )
        return found

    @property
    def webhooks(self) -> WebhookHandler:
        """Webhook handling: `engine.webhooks.handle(provider, headers, raw_body, account=...)`."""
        from engine.webhooks import WebhookHandler

        return WebhookHandler(self.mapping, self.providers)

    def limiter(self, provider: str) -> RateLimiter:
        """The rate limiter of a provider's buckets, shared by all connections (and, with
        Redis, by every worker)."""
        with self._lock:
            limiter = self._limiters.get(provider)
            if limiter is None:
                limits = self.mapping(provider).provider.rate_limits
                specs = [
                    BucketSpec(b.name, b.limit, b.period_seconds)
                    for b in limits.buckets
                    if b.limit is not None and b.period_seconds is not None
                ]
                limiter = self._resolve_pacing().rate_limiter(
                    provider, specs, self.clock, limits.padding_seconds
                )
                self._limiters[provider] = limiter
            return limiter

    def slots(self, provider: str) -> ConcurrencySlots:
        """The concurrency caps of a provider (requests in flight per account), shared by all
        connections (and, with Redis, by every worker)."""
        with self._lock:
            slots = self._slots.get(provider)
            if slots is None:
                buckets = self.mapping(provider).provider.rate_limits.buckets
                caps = {b.name: b.concurrency for b in buckets if b.concurrency is not None}
                slots = self._resolve_pacing().concurrency(provider, caps)
                self._slots[provider] = slots
            return slots

    def _session(
        self,
        provider: str,
        credentials: Credentials | None,
        base_url: str | None,
        account_key: str | None,
        retry_policy: RetryPolicy | None,
        settings: Mapping[str, Any] | None,
        hooks: SessionHooks,
    ) -> ProviderSession:
        mapping = self.mapping(provider)
        resolved = resolve_settings(mapping.provider, settings)
        creds = dict(credentials or {})
        declared = {c.name for c in mapping.provider.credentials}
        unknown = sorted(set(creds) - declared)
        missing = sorted(
            c.name for c in mapping.provider.credentials if c.required and not creds.get(c.name)
        )
        if unknown or missing:
            parts = [f"missing credential '{m}'" for m in missing]
            parts += [f"unknown credential '{u}'{did_you_mean(u, declared)}" for u in unknown]
            raise ConfigurationError(f"{mapping.provider.label}: " + "; ".join(parts))
        sealed = checked_credentials(mapping, creds)
        key = account_key or _credential_fingerprint(sealed)
        options = SessionOptions(
            retry_policy=retry_policy or self.retry_policy,
            clock=self.clock,
            limiter=self.limiter(provider),
            slots=self.slots(provider),
            limiter_key=key,
            stats=RetryStats(),
            on_unauthorized=hooks.on_unauthorized,
            on_success=hooks.on_success,
        )
        return ProviderSession(mapping, sealed, base_url, options, resolved)

    def connect(
        self,
        provider: str,
        credentials: Credentials | None = None,
        base_url: str | None = None,
        transport: httpx.BaseTransport | None = None,
        *,
        account_key: str | None = None,
        on_unauthorized: Callable[[], None] | None = None,
        retry_policy: RetryPolicy | None = None,
        settings: Mapping[str, Any] | None = None,
        on_success: Callable[[], None] | None = None,
    ) -> Connection:
        """A blocking connection to one provider account; `settings` are its connection
        settings (an unknown or missing required one is a `ValidationError` naming it).

        Sender hooks: `on_unauthorized` is called when the provider answers 401, `on_success`
        when a request's final answer is a 2xx (after pacing and retries).
        """
        hooks = SessionHooks(on_unauthorized=on_unauthorized, on_success=on_success)
        session = self._session(
            provider, credentials, base_url, account_key, retry_policy, settings, hooks
        )
        return Connection(self, session, SyncSender(session, transport))

    def aconnect(
        self,
        provider: str,
        credentials: Credentials | None = None,
        base_url: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        account_key: str | None = None,
        on_unauthorized: Callable[[], None] | None = None,
        retry_policy: RetryPolicy | None = None,
        settings: Mapping[str, Any] | None = None,
        on_success: Callable[[], None] | None = None,
    ) -> AsyncConnection:
        """An async connection (same surface, awaitable; `settings` and the sender hooks as
        for `connect`)."""
        hooks = SessionHooks(on_unauthorized=on_unauthorized, on_success=on_success)
        session = self._session(
            provider, credentials, base_url, account_key, retry_policy, settings, hooks
        )
        return AsyncConnection(self, session, AsyncSender(session, transport))


def _credential_fingerprint(credentials: Mapping[str, str | Secret]) -> str:
    digest = hashlib.sha256()
    for name in sorted(credentials):
        value = credentials[name]
        digest.update(
            name.encode()
            + b"\0"
            + (value.reveal() if isinstance(value, Secret) else value).encode()
            + b"\0"
        )
    return "cred-" + digest.hexdigest()[:16]
