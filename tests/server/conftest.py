"""Fixtures for the server tests: a real `unimap serve` app on 127.0.0.1, driven by httpx.

`server` runs `create_app(context)` under uvicorn in a background thread on a free port, with
in-memory stores and an isolated `UNIMAP_HOME`; `server.client` is an httpx client carrying a
host app's API token. Route groups added by other modules are served too (every group in
`ROUTE_MODULES`).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from engine.accounts.model import Account
from engine.accounts.store import MemoryAccountStore
from engine.accounts.tokens import MemoryTokenStore, create_token
from engine.api import Engine
from engine.server.app import create_app
from engine.server.context import ServerContext, ServerSettings
from simulators.core.server import serve_app_in_thread
from simulators.mailerlite import Simulator, serve_in_thread
from tests.accounts.conftest import unimap_home  # noqa: F401  (autouse: an isolated home)


@dataclass
class RunningServer:
    """A server under test: its URL, context, a host token and a client sending it."""

    url: str
    context: ServerContext
    token: str
    client: httpx.Client

    def anonymous(self) -> httpx.Client:
        """A client without credentials (closed by the caller)."""
        return httpx.Client(base_url=self.url, timeout=10.0)


@pytest.fixture(scope="session")
def server_engine() -> Engine:
    """The bundled mappings, loaded once."""
    return Engine.load(cursor_key=secrets.token_bytes(32))


@pytest.fixture
def server_context(server_engine: Engine) -> ServerContext:
    """A context with empty in-memory stores."""
    return ServerContext(
        engine=server_engine,
        accounts=MemoryAccountStore(),
        tokens=MemoryTokenStore(),
        scoped_key=secrets.token_bytes(32),
        settings=ServerSettings(scoped_token_ttl=600.0),
    )


@pytest.fixture
def server(server_context: ServerContext) -> Iterator[RunningServer]:
    """The app served by uvicorn on 127.0.0.1 (free port) for one test."""
    _, token = create_token(server_context.tokens, "test-host")
    with serve_app_in_thread(create_app(server_context), lifespan="on") as url:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=url, headers=headers, timeout=10.0) as client:
            yield RunningServer(url, server_context, token, client)


SIMULATOR_TOKEN = "server-test-token-3c9d"


@pytest.fixture
def mailerlite_url() -> Iterator[str]:
    """A MailerLite simulator on 127.0.0.1 (5 contacts, 2 lists), its API base URL."""
    sim = Simulator(seed=7, token=SIMULATOR_TOKEN, rate_limit=None)
    sim.seed_data(subscribers=5, groups=2)
    with serve_in_thread(sim) as url:
        yield url
    sim.close()


@pytest.fixture
def account(server: RunningServer, mailerlite_url: str) -> Account:
    """A linked MailerLite account (tenant `t1`) whose base URL is the simulator."""
    return server.context.accounts.add(
        Account.new(
            "mailerlite",
            {"api_key": SIMULATOR_TOKEN},
            base_url=mailerlite_url,
            tenant_id="t1",
        )
    )
