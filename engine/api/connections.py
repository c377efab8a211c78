"""Connections to one provider account: `Connection` (blocking) and `AsyncConnection`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

from engine.api.resources import ResourceClient
from engine.explain import explain_call
from engine.plan.calls import CallContext, ConnectionCache, resolve
from engine.plan.dispatch import plan_call, split_list_query
from engine.plan.enrich import enrich, whole_pages
from engine.plan.listing import ListPlan
from engine.plan.operations import next_page, next_records
from engine.plan.pending import MAPPED_AT_ONCE
from engine.run.drivers import run_async, run_sync
from engine.run.retry import RetryStats
from engine.run.session import AsyncSender, ProviderSession, SyncSender

if TYPE_CHECKING:
    from engine.api.engine import Engine
    from engine.webhooks import AsyncSubscriptions, Subscriptions


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
        base_url = self.session.redact(self.session.base_url)
        return f"{type(self).__name__}(provider={self.provider!r}, base_url={base_url!r})"

    def context(self, resource: str, method: str, remote_data: bool = True) -> CallContext:
        """The resolved operation of `resource.method` (raises not_supported and the like)."""
        mapping, key, settings = self.session.mapping, self.engine.cursor_key, self.session.settings
        return resolve(mapping, resource, method, key, self.cache, remote_data, settings)

    def open_list(
        self, resource: str, query: dict[str, Any] | None, remote_data: bool
    ) -> tuple[CallContext, ListPlan]:
        """The context and plan of a list call read page after page (`pages`, `iterate`)."""
        filters, limit, cursor = split_list_query(query)
        ctx = self.context(resource, "list", remote_data)
        return ctx, ListPlan(ctx, filters, limit, cursor)

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
        """Every record of a list call, page after page, lazily and in constant memory (each
        page's records mapped and enriched a few at a time as they are read)."""
        ctx, plan = self.open_list(resource, query, remote_data)
        size = None if whole_pages(ctx) else MAPPED_AT_ONCE
        chunk: list[dict[str, Any]] = []
        while not plan.done:
            page = run_sync(next_page(ctx, plan), self.sender.send)
            for chunk in page.chunks(size):
                yield from run_sync(enrich(ctx, chunk), self.sender.send)
            del page  # neither the page nor its last chunk is kept while the next is read
            chunk = []

    def pages(
        self, resource: str, query: dict[str, Any] | None = None, *, remote_data: bool = True
    ) -> Iterator[list[dict[str, Any]]]:
        """What `iterate` gives, one provider page (a list of records) at a time."""
        ctx, plan = self.open_list(resource, query, remote_data)
        while not plan.done:
            yield run_sync(next_records(ctx, plan), self.sender.send)

    def proxy(
        self, method: str, path: str, query: Any = None, body: Any = None, *, paginate: bool = False
    ) -> dict[str, Any]:
        """The provider's own API, 1-to-1 (see `engine.proxy`; `docs/proxy.md`)."""
        key = self.engine.cursor_key
        from engine.proxy import proxy_plan

        plan = proxy_plan(self.session, key, method, path, query, body, paginate=paginate)
        return run_sync(plan, self.sender.send)

    @property
    def webhooks(self) -> Subscriptions:
        """Provider webhooks: `subscribe(url, events)`, `list()`, `unsubscribe(id)`."""
        from engine.webhooks import Subscriptions

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
        """Every record of a list call, page after page, lazily and in constant memory (each
        page's records mapped and enriched a few at a time as they are read)."""
        ctx, plan = self.open_list(resource, query, remote_data)
        size = None if whole_pages(ctx) else MAPPED_AT_ONCE
        chunk: list[dict[str, Any]] = []
        while not plan.done:
            page = await run_async(next_page(ctx, plan), self.sender.send)
            for chunk in page.chunks(size):
                for record in await run_async(enrich(ctx, chunk), self.sender.send):
                    yield record
            del page  # neither the page nor its last chunk is kept while the next is read
            chunk = []

    async def pages(
        self, resource: str, query: dict[str, Any] | None = None, *, remote_data: bool = True
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """What `iterate` gives, one provider page (a list of records) at a time."""
        ctx, plan = self.open_list(resource, query, remote_data)
        while not plan.done:
            yield await run_async(next_records(ctx, plan), self.sender.send)

    async def proxy(
        self, method: str, path: str, query: Any = None, body: Any = None, *, paginate: bool = False
    ) -> dict[str, Any]:
        """The provider's own API, 1-to-1 (see `engine.proxy`; `docs/proxy.md`)."""
        key = self.engine.cursor_key
        from engine.proxy import proxy_plan

        plan = proxy_plan(self.session, key, method, path, query, body, paginate=paginate)
        return await run_async(plan, self.sender.send)

    @property
    def webhooks(self) -> AsyncSubscriptions:
        """Provider webhooks: `await subscribe(url, events)`, `list()`, `unsubscribe(id)`."""
        from engine.webhooks import AsyncSubscriptions

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
