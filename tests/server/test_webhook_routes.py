"""The webhook subscription routes reach the provider the way every other route does: through
the server's `transport` (here an in-process MailerLite simulator whose host does not resolve),
never around it."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterator
from pathlib import Path

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

TOKEN = "webhook-routes-token"
SECRET = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


@pytest.fixture
def in_process(server_engine: Engine, tmp_path: Path) -> Iterator[tuple[httpx.Client, str]]:
    """A server whose provider calls go to a simulator in process; a client and the account."""
    sim = Simulator(seed=3, token=TOKEN, rate_limit=None)
    outbox = SqliteOutbox(tmp_path / "unimap.db")
    context = ServerContext(
        engine=server_engine,
        accounts=MemoryAccountStore(),
        tokens=MemoryTokenStore(),
        scoped_key=secrets.token_bytes(32),
        transport=sim.transport(),
        forwarder=Forwarder(outbox, SECRET),
    )
    account = context.accounts.add(
        Account.new("mailerlite", {"api_key": TOKEN}, base_url=IN_PROCESS_BASE_URL)
    )
    _, token = create_token(context.tokens, "host")
    try:
        with serve_app_in_thread(create_app(context), lifespan="on") as url:
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=url, headers=headers, timeout=10.0) as client:
                yield client, account.id
    finally:
        sim.close()
        outbox.close()


def test_subscribe_list_and_unsubscribe_go_through_the_servers_transport(
    in_process: tuple[httpx.Client, str],
) -> None:
    client, account_id = in_process
    hooks = f"/integrated-accounts/{account_id}/webhooks"
    created = client.post(hooks, json={"events": ["contact.unsubscribed"]})
    assert created.status_code == 201, created.text
    listed = client.get(hooks)
    assert [hook["id"] for hook in listed.json()["result"]] == [created.json()["id"]]
    removed = client.delete(f"{hooks}/{created.json()['id']}")
    assert (removed.status_code, client.get(hooks).json()) == (200, {"result": []})
