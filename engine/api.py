"""The Python API for host apps: `Engine.load()`, `engine.connect()`, `connection.call()`.

Sync and async connections have the same surface:

    engine = Engine.load()
    with engine.connect("acme", credentials={"api_key": "..."}) as ml:
        page = ml.contacts.list(limit=50, list_id="123")
        for contact in ml.iterate("contacts", {"status": "active"}):
            ...
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx

from engine.accounts.keys import cursor_key as installation_cursor_key
from engine.errors import ConfigurationError
from engine.explain import explain_call
from engine.loader import LoadResult, ProviderMapping, load_layers
from engine.paths import mappings_dir
from engine.plan.calls import CallContext, ConnectionCache, resolve
from engine.plan.dispatch import plan_call, split_list_query
from engine.plan.enrich import enrich
from engine.plan.listing import ListPlan
from engine.proxy import proxy_plan
from engine.run.clock import Clock, SystemClock
from engine.run.concurrency import ConcurrencyLimiter
from engine.run.drivers import run_async, run_sync
from engine.run.ratelimit import BucketSpec, InMemoryRateLimiter, RateLimiter
from engine.run.retry import RetryPolicy, RetryStats
from engine.run.session import AsyncSender, ProviderSession, SessionOptions, SyncSender
from engine.secrets import Secret
from engine.settings import resolve_settings
from engine.suggest import did_you_mean
from engine.webhooks import AsyncSubscriptions, Subscriptions, WebhookHandler

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
    ) -> None:
        """`cursor_key` seals unified cursors; by default the installation's (see below)."""
        self.providers = dict(providers)
        self.retry_policy = retry_policy or RetryPolicy()
        self.clock = clock or SystemClock()
        self._limiters: dict[str, RateLimiter] = {}
        self._slots: dict[str, ConcurrencyLimiter] = {}
        self._lock = threading.Lock()
        self._cursor_key = cursor_key

    @property
    def cursor_key(self) -> bytes:
        """The key unified cursors are sealed with, resolved on first use (see
        `engine.accounts.keys.cursor_key`: `UNIMAP_CURSOR_KEY`, else the installation's key)."""
        with self._lock:
            if self._cursor_key is None:
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
        result: LoadResult = load_layers(layers)
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
        return WebhookHandler(self.mapping, self.providers)

    def limiter(self, provider: str) -> RateLimiter:
        """The process-wide rate limiter of a provider's buckets (shared by all connections)."""
        with self._lock:
            limiter = self._limiters.get(provider)
            if limiter is None:
                limits = self.mapping(provider).provider.rate_limits
                specs = [
                    BucketSpec(b.name, b.limit, b.period_seconds)
                    for b in limits.buckets
                    if b.limit is not None and b.period_seconds is not None
                ]
                limiter = InMemoryRateLimiter(specs, self.clock, padding=limits.padding_seconds)
                self._limiters[provider] = limiter
            return limiter

    def slots(self, provider: str) -> ConcurrencyLimiter:
        """The process-wide concurrency caps of a provider (requests in flight per account)."""
        with self._lock:
            slots = self._slots.get(provider)
            if slots is None:
                buckets = self.mapping(provider).provider.rate_limits.buckets
                caps = {b.name: b.concurrency for b in buckets if b.concurrency is not None}
                slots = ConcurrencyLimiter(caps)
                self._slots[provider] = slots
            return slots

    def _session(
        self,
        provider: str,
        credentials: Credentials | None,
        base_url: str | None,
        account_key: str | None,
        on_unauthorized: Callable[[], None] | None,
        retry_policy: RetryPolicy | None,
        settings: Mapping[str, Any] | None = None,
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
        key = account_key or _credential_fingerprint(creds)
        options = SessionOptions(
            retry_policy=retry_policy or self.retry_policy,
            clock=self.clock,
            limiter=self.limiter(provider),
            slots=self.slots(provider),
            limiter_key=key,
            stats=RetryStats(),
            on_unauthorized=on_unauthorized,
        )
        return ProviderSession(mapping, creds, base_url, options, resolved)

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
    ) -> Connection:
        """A blocking connection to one provider account; `settings` are its connection
        settings (an unknown or missing required one is a `ValidationError` naming it)."""
        session = self._session(
            provider, credentials, base_url, account_key, on_unauthorized, retry_policy, settings
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
    ) -> AsyncConnection:
        """An async connection (same surface, awaitable; `settings` as for `connect`)."""
        session = self._session(
            provider, credentials, base_url, account_key, on_unauthorized, retry_policy, settings
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


class _BaseConnection:
    """What sync and async connections share: resolving calls and explaining them."""

    def __init__(self, engine: Engine, session: ProviderSession) -> None:
        self.engine = engine
        self.session = session
        self.cache = ConnectionCache()

    @property
    def provider(self) -> str:
        """The provider's name."""
        return self.session.mapping.name

    @property
    def stats(self) -> RetryStats:
        """Attempts, retries and give-ups of this connection."""
        return self.session.options.stats

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(provider={self.provider!r}, base_url={self.session.base_url!r})"
        )

    def context(self, resource: str, method: str, remote_data: bool = True) -> CallContext:
        """The resolved operation of `resource.method` (raises not_supported and the like)."""
        mapping, key, settings = self.session.mapping, self.engine.cursor_key, self.session.settings
        return resolve(mapping, resource, method, key, self.cache, remote_data, settings)

    def explain(
        self,
        resource: str,
        method: str,
        id: Any = None,
        query: dict[str, Any] | None = None,
        body: Any = None,
    ) -> dict[str, Any]:
        """The provider requests a call would make, with secrets redacted; nothing is sent."""
        return explain_call(self.context(resource, method), self.session, id, query, body)


class Connection(_BaseConnection):
    """A blocking connection: `call`, `iterate`, and `connection.<resource>.<method>(...)`."""

    def __init__(self, engine: Engine, session: ProviderSession, sender: SyncSender) -> None:
        super().__init__(engine, session)
        self.sender = sender

    def call(
        self,
        resource: str,
        method: str,
        id: Any = None,
        query: dict[str, Any] | None = None,
        body: Any = None,
        *,
        remote_data: bool = True,
    ) -> Any:
        """Run one unified call and return its unified result."""
        ctx = self.context(resource, method, remote_data)
        return run_sync(plan_call(ctx, id, query, body), self.sender.send)

    def iterate(
        self, resource: str, query: dict[str, Any] | None = None, *, remote_data: bool = True
    ) -> Iterator[dict[str, Any]]:
        """Every record of a list call, page after page, lazily and in constant memory."""
        filters, limit, cursor = split_list_query(query)
        ctx = self.context(resource, "list", remote_data)
        plan = ListPlan(ctx, filters, limit, cursor)
        while not plan.done:
            page = plan.receive(self.sender.send(plan.request()))
            yield from run_sync(enrich(ctx, page), self.sender.send)

    def proxy(
        self, method: str, path: str, query: Any = None, body: Any = None, *, paginate: bool = False
    ) -> dict[str, Any]:
        """The provider's own API, 1-to-1 (see `engine.proxy`; `docs/proxy.md`)."""
        key = self.engine.cursor_key
        plan = proxy_plan(self.session, key, method, path, query, body, paginate=paginate)
        return run_sync(plan, self.sender.send)

    @property
    def webhooks(self) -> Subscriptions:
        """Provider webhooks: `subscribe(url, events)`, `list()`, `unsubscribe(id)`."""
        return Subscriptions(self.session.mapping, self.sender.send, self.session.settings)

    def close(self) -> None:
        """Close the underlying HTTP client."""
        self.sender.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __getattr__(self, resource: str) -> ResourceClient:
        if resource.startswith("_"):
            raise AttributeError(resource)
        return ResourceClient(self, resource)


class AsyncConnection(_BaseConnection):
    """An async connection with the same surface as `Connection`, awaitable."""

    def __init__(self, engine: Engine, session: ProviderSession, sender: AsyncSender) -> None:
        super().__init__(engine, session)
        self.sender = sender

    async def call(
        self,
        resource: str,
        method: str,
        id: Any = None,
        query: dict[str, Any] | None = None,
        body: Any = None,
        *,
        remote_data: bool = True,
    ) -> Any:
        """Run one unified call and return its unified result."""
        ctx = self.context(resource, method, remote_data)
        return await run_async(plan_call(ctx, id, query, body), self.sender.send)

    async def iterate(
        self, resource: str, query: dict[str, Any] | None = None, *, remote_data: bool = True
    ) -> AsyncIterator[dict[str, Any]]:
        """Every record of a list call, page after page, lazily and in constant memory."""
        filters, limit, cursor = split_list_query(query)
        ctx = self.context(resource, "list", remote_data)
        plan = ListPlan(ctx, filters, limit, cursor)
        while not plan.done:
            page = plan.receive(await self.sender.send(plan.request()))
            for record in await run_async(enrich(ctx, page), self.sender.send):
                yield record

    async def proxy(
        self, method: str, path: str, query: Any = None, body: Any = None, *, paginate: bool = False
    ) -> dict[str, Any]:
        """The provider's own API, 1-to-1 (see `engine.proxy`; `docs/proxy.md`)."""
        key = self.engine.cursor_key
        plan = proxy_plan(self.session, key, method, path, query, body, paginate=paginate)
        return await run_async(plan, self.sender.send)

    @property
    def webhooks(self) -> AsyncSubscriptions:
        """Provider webhooks: `await subscribe(url, events)`, `list()`, `unsubscribe(id)`."""
        return AsyncSubscriptions(self.session.mapping, self.sender.send, self.session.settings)

    async def aclose(self) -> None:
        """Close the underlying HTTP client."""
        await self.sender.aclose()

    async def __aenter__(self) -> AsyncConnection:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __getattr__(self, resource: str) -> ResourceClient:
        if resource.startswith("_"):
            raise AttributeError(resource)
        return ResourceClient(self, resource)


class ResourceClient:
    """`connection.contacts.list(limit=50)`: attribute access to one resource's methods.

    On an async connection every method returns an awaitable (and `iterate` an async
    iterator), exactly like `AsyncConnection.call`.
    """

    def __init__(self, connection: Connection | AsyncConnection, resource: str) -> None:
        self._connection = connection
        self._resource = resource

    def __repr__(self) -> str:
        return f"ResourceClient({self._resource!r})"

    def _call(self, method: str, **kwargs: Any) -> Any:
        return self._connection.call(self._resource, method, **kwargs)

    def list(self, *, remote_data: bool = True, **query: Any) -> Any:
        """One page: filters, `limit` and `next_cursor` as keyword arguments."""
        return self._call("list", query=query, remote_data=remote_data)

    def iterate(self, *, remote_data: bool = True, **query: Any) -> Any:
        """Every record, lazily."""
        return self._connection.iterate(self._resource, query, remote_data=remote_data)

    def get(self, id: str, *, remote_data: bool = True) -> Any:
        """One record by id (contacts: id or email)."""
        return self._call("get", id=id, remote_data=remote_data)

    def create(self, body: dict[str, Any]) -> Any:
        """Create a record."""
        return self._call("create", body=body)

    def update(self, id: str, body: dict[str, Any]) -> Any:
        """Change only the given fields of a record."""
        return self._call("update", id=id, body=body)

    def upsert(self, body: dict[str, Any]) -> Any:
        """Create or update by identity (contacts: email); reports `created`."""
        return self._call("upsert", body=body)

    def delete(self, id: str) -> Any:
        """Delete a record; answers `{"id": ...}`."""
        return self._call("delete", id=id)

    def bulk_upsert(self, contacts: Sequence[dict[str, Any]]) -> Any:
        """Upsert many contacts; one result per input, in order."""
        return self._call("bulk_upsert", body={"contacts": [*contacts]})

    def add_contacts(self, id: str, contact_ids: Sequence[str]) -> Any:
        """Add contacts to a list; one result per contact id."""
        return self._call("add_contacts", id=id, body={"contact_ids": [*contact_ids]})

    def remove_contacts(self, id: str, contact_ids: Sequence[str]) -> Any:
        """Remove contacts from a list; one result per contact id."""
        return self._call("remove_contacts", id=id, body={"contact_ids": [*contact_ids]})


__all__ = ["AsyncConnection", "Connection", "Engine", "ResourceClient"]
