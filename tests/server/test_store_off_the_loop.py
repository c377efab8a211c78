"""The server never calls the account store on its event loop: SQLite and PostgreSQL stores
block, and one slow store call on the loop would stall every request in flight. Each test
serves the app (uvicorn, 127.0.0.1) with a store that notes every call made from a thread
running an event loop, drives one route, and expects no such call."""

from __future__ import annotations

import asyncio
import base64
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from engine.accounts.model import Account
from engine.accounts.store import MemoryAccountStore
from engine.accounts.tokens import MemoryTokenStore, create_token
from engine.api import Engine
from engine.forwarding import Forwarder, SqliteOutbox
from engine.server.app import create_app
from engine.server.context import ServerContext
from simulators.core.server import serve_app_in_thread
from simulators.mailerlite import IN_PROCESS_BASE_URL, Simulator

TOKEN = "off-the-loop-token"
SECRET = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class LoopWatchingStore(MemoryAccountStore):
    """A memory store noting the name of every method called on an event loop's thread."""

    def __init__(self) -> None:
        super().__init__()
        self.on_loop: list[str] = []
        self._seen = threading.Lock()

    def __getattribute__(self, name: str) -> Any:
        found = super().__getattribute__(name)
        if name.startswith("_") or name == "on_loop" or not callable(found):
            return found
        return self._watched(name, found)

    def _watched(self, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                pass
            else:
                with self._seen:
                    self.on_loop.append(name)
            return method(*args, **kwargs)

        return call


@dataclass
class Served:
    """The host app's client, the watched store and the linked account's id."""

    client: httpx.Client
    store: LoopWatchingStore
    account_id: str


@pytest.fixture
def served(server_engine: Engine, tmp_path: Path) -> Iterator[Served]:
    """The server with a watched store and a forwarder; provider calls go to a simulator in
    process."""
    sim = Simulator(seed=5, token=TOKEN, rate_limit=None)
    outbox = SqliteOutbox(tmp_path / "unimap.db")
    store = LoopWatchingStore()
    context = ServerContext(
        engine=server_engine,
        accounts=store,
        tokens=MemoryTokenStore(),
        scoped_key=secrets.token_bytes(32),
        transport=sim.transport(),
        forwarder=Forwarder(outbox, SECRET),
    )
    account = store.add(Account.new("mailerlite", {"api_key": TOKEN}, base_url=IN_PROCESS_BASE_URL))
    _, token = create_token(context.tokens, "host")
    try:
        with serve_app_in_thread(create_app(context), lifespan="on") as url:
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=url, headers=headers, timeout=10.0) as client:
                yield Served(client, store, account.id)
    finally:
        sim.close()
        outbox.close()


def test_subscribing_an_accounts_webhooks_keeps_store_calls_off_the_event_loop(
    served: Served,
) -> None:
    hooks = f"/integrated-accounts/{served.account_id}/webhooks"
    created = served.client.post(hooks, json={"events": ["contact.unsubscribed"]})
    assert created.status_code == 201, created.text
    assert served.store.get(served.account_id).secret_metadata  # the secret was kept
    assert served.store.on_loop == []


def test_a_unified_call_and_a_refused_key_keep_store_calls_off_the_event_loop(
    served: Served,
) -> None:
    params = {"integrated_account_id": served.account_id}
    listed = served.client.get("/unified/marketing-automation/contacts", params=params)
    assert listed.status_code == 200, listed.text
    served.store.set_credentials(served.account_id, {"api_key": "wrong"})
    refused = served.client.get("/unified/marketing-automation/contacts", params=params)
    assert refused.status_code == 401
    assert served.store.get(served.account_id).status.value == "needs_reauth"
    assert served.store.on_loop == []


def test_importing_an_account_keeps_store_calls_off_the_event_loop(served: Served) -> None:
    body = {
        "provider": "mailerlite",
        "credentials": {"api_key": TOKEN},
        "base_url": IN_PROCESS_BASE_URL,
    }
    created = served.client.post("/integrated-accounts", json=body)
    assert created.status_code == 201, created.text
    assert served.store.get(created.json()["id"]).provider == "mailerlite"
    assert served.store.on_loop == []
