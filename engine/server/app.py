"""`create_app(context)`: the ASGI app of `unimap serve`, assembled from route groups.

Each module in `ROUTE_MODULES` exports `routes(context: ServerContext) -> list[BaseRoute]`;
adding a group is one line here. A module may also export `lifespan(context)`, an async
context manager entered when the server starts and left when it stops (background workers);
the connection pool is closed last. Errors of every route are answered by
`engine.server.errors` as unified error objects.

`app_factory()` builds the app from the environment (what `unimap serve --workers N` has
uvicorn call in each worker process): the bundled mappings plus `UNIMAP_MAPPINGS`, the
stores in the installation's database (`UNIMAP_DATABASE_URL`), and the settings from
`UNIMAP_PUBLIC_URL`, `UNIMAP_FORWARD_TO`, `UNIMAP_BASE_URLS` and `UNIMAP_ALLOWED_HOSTS`
(with allowed hosts, `engine.server.hosts.HostCheck` refuses any other `Host` header).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from engine.accounts.database import default_store
from engine.accounts.scoped_tokens import scoped_token_key
from engine.accounts.sql_link_tokens import SqlLinkTokenStore
from engine.accounts.sql_tokens import SqlTokenStore
from engine.api import Engine
from engine.errors import ConfigurationError
from engine.forwarding.forwarder import default_forwarder
from engine.paths import env_mapping_folders
from engine.server.context import ServerContext, ServerSettings
from engine.server.errors import exception_handlers
from engine.server.hosts import HostCheck

__all__ = [
    "ALLOWED_HOSTS_ENV",
    "BASE_URLS_ENV",
    "FORWARD_TO_ENV",
    "PUBLIC_URL_ENV",
    "ROUTE_MODULES",
    "app_factory",
    "create_app",
]

#: The route groups, each a module exporting `routes(context) -> list[BaseRoute]`.
ROUTE_MODULES: tuple[str, ...] = (
    "engine.server.health",
    "engine.server.account_tokens",
    "engine.server.link_page",
    "engine.server.unified",
    "engine.server.proxy",
    "engine.server.accounts",
    "engine.server.webhooks",
    "engine.server.forwarding",
    "engine.server.reference",
)

#: The server's public address (links, webhook URLs); default `http://HOST:PORT`.
PUBLIC_URL_ENV = "UNIMAP_PUBLIC_URL"
#: Where unified webhook events are forwarded.
FORWARD_TO_ENV = "UNIMAP_FORWARD_TO"
#: Provider base URLs of accounts linked on the link page, `PROVIDER=URL ...` (a sandbox).
BASE_URLS_ENV = "UNIMAP_BASE_URLS"
#: The `Host` names the server answers to, separated by spaces or commas (unset: any).
ALLOWED_HOSTS_ENV = "UNIMAP_ALLOWED_HOSTS"


def create_app(context: ServerContext) -> Starlette:
    """The ASGI app serving every route group on `context`."""
    modules = [importlib.import_module(name) for name in ROUTE_MODULES]
    routes: list[BaseRoute] = []
    for module in modules:
        routes.extend(module.routes(context))
    hooks = [module.lifespan for module in modules if hasattr(module, "lifespan")]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            stack.push_async_callback(context.connections.aclose)
            for hook in hooks:
                await stack.enter_async_context(hook(context))
            yield

    allowed = context.settings.allowed_hosts
    app = Starlette(
        routes=routes,
        exception_handlers=exception_handlers(),
        lifespan=lifespan,
        middleware=[Middleware(HostCheck, allowed=allowed)] if allowed else [],
    )
    app.state.context = context
    return app


def settings_from_environment() -> ServerSettings:
    """`ServerSettings` from `UNIMAP_PUBLIC_URL` and `UNIMAP_FORWARD_TO` (unset: defaults)."""
    defaults = ServerSettings()
    return ServerSettings(
        public_url=os.environ.get(PUBLIC_URL_ENV) or defaults.public_url,
        forward_to=os.environ.get(FORWARD_TO_ENV) or None,
        base_urls=parse_base_urls(os.environ.get(BASE_URLS_ENV, "")),
        allowed_hosts=tuple(os.environ.get(ALLOWED_HOSTS_ENV, "").replace(",", " ").split()),
    )


def parse_base_urls(text: str) -> dict[str, str]:
    """`PROVIDER=URL` pairs separated by spaces or commas (`UNIMAP_BASE_URLS`)."""
    pairs = [item for item in text.replace(",", " ").split() if item]
    found: dict[str, str] = {}
    for item in pairs:
        provider, sep, url = item.partition("=")
        if not (sep and provider and url.startswith(("http://", "https://"))):
            raise ConfigurationError(f"{BASE_URLS_ENV}: expected PROVIDER=URL, got {item!r}")
        found[provider] = url
    return found


def context_from_environment() -> ServerContext:
    """The context of a server process: engine, the stores in the installation's database
    (`UNIMAP_DATABASE_URL`, else `$UNIMAP_HOME/unimap.db`), settings."""
    accounts = default_store()
    settings = settings_from_environment()
    return ServerContext(
        engine=Engine.load(*env_mapping_folders()),
        accounts=accounts,
        tokens=SqlTokenStore(accounts),
        scoped_key=scoped_token_key(),
        settings=settings,
        link_tokens=SqlLinkTokenStore(accounts),
        forwarder=default_forwarder(settings.forward_to),
    )


def app_factory() -> Starlette:
    """The app of one server process, configured from the environment (uvicorn factory)."""
    return create_app(context_from_environment())
