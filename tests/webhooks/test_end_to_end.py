"""End to end over loopback: the simulator (served with uvicorn) delivers signed webhooks to a
receiver built on `engine.webhooks.handle`, after subscribing through `connection.webhooks`.

Unsubscribing, bouncing and adding to a group through the unified API each arrive as the right
unified event for the right contact; a replayed delivery is caught by the deduplicator; a forged
one is rejected with 401 and processes nothing. Every wait is bounded.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from engine.accounts import Account, MemoryAccountStore
from engine.api import Connection, Engine
from engine.errors import SignatureError, UnimapError
from engine.webhooks import Deduplicator
from simulators.mailerlite import Simulator, serve_in_thread
from tests.webhooks.conftest import assert_valid_events

TOKEN = "e2e-token"
DEADLINE_SECONDS = 15.0


class Receiver:
    """A loopback webhook endpoint: verify with the account's secret, dedupe, keep events."""

    def __init__(self, engine: Engine, store: MemoryAccountStore, account_id: str) -> None:
        self.events: list[dict[str, Any]] = []
        self.duplicates: list[dict[str, Any]] = []
        self.rejected = 0
        self.deliveries: list[tuple[dict[str, str], bytes]] = []
        self.dedupe = Deduplicator(max_size=1000, ttl_seconds=600)
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length", "0")))
                headers = dict(self.headers.items())
                try:
                    account = store.get(account_id)
                    events = engine.webhooks.handle("mailerlite", headers, raw, account=account)
                except SignatureError:
                    status = 401
                    with outer.lock:
                        outer.rejected += 1
                except UnimapError:
                    status = 400
                else:
                    status = 200
                    with outer.lock:
                        outer.deliveries.append((headers, raw))
                        for event in events:
                            target = (
                                outer.duplicates if outer.dedupe.seen(event["id"]) else outer.events
                            )
                            target.append(event)
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/mailerlite"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self.thread.start()

    def wait_for(self, predicate: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + DEADLINE_SECONDS
        while time.monotonic() < deadline:
            with self.lock:
                if predicate():
                    return
            time.sleep(0.02)
        raise AssertionError(f"timed out after {DEADLINE_SECONDS}s waiting for {what}")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def world(
    engine: Engine,
) -> Iterator[tuple[Connection, Simulator, Receiver, MemoryAccountStore, str]]:
    sim = Simulator(seed=21, token=TOKEN, rate_limit=None, import_limit=None)
    sim.seed_data(subscribers=30, groups=2, segments=0)
    store = MemoryAccountStore()
    account = store.add(Account.new("mailerlite", {"api_key": TOKEN}))
    receiver = Receiver(engine, store, account.id)
    try:
        with (
            serve_in_thread(sim) as base_url,
            engine.connect("mailerlite", {"api_key": TOKEN}, base_url=base_url) as ml,
        ):
            yield ml, sim, receiver, store, account.id
    finally:
        sim.close()
        receiver.close()


def _active(ml: Connection, count: int) -> list[dict[str, Any]]:
    page = ml.contacts.list(status="active", limit=count)
    assert page["result_count"] == count
    return list(page["result"])


def test_unsubscribe_bounce_and_group_add_arrive_as_unified_events(world: Any) -> None:
    ml, sim, receiver, store, account_id = world
    hook = ml.webhooks.subscribe(
        receiver.url,
        ["contact.unsubscribed", "contact.bounced", "list.contact_added"],
        name="CRM sync",
        store=store,
        account_id=account_id,
    )
    assert store.get(account_id).secret_metadata["webhook_secret"].reveal() == hook["secret"]
    group = ml.lists.list(limit=1)["result"][0]
    active = _active(ml, 10)
    joining = next(c for c in active if group["id"] not in {m["id"] for m in c["lists"]})
    leaving, bouncing = [c for c in active if c is not joining][:2]

    ml.contacts.update(leaving["id"], {"status": "unsubscribed"})
    ml.contacts.update(bouncing["id"], {"status": "bounced"})
    ml.lists.add_contacts(group["id"], [joining["id"]])

    receiver.wait_for(lambda: len(receiver.events) >= 3, "three unified events")
    assert_valid_events(receiver.events)
    by_type = {event["type"]: event for event in receiver.events}
    assert set(by_type) == {"contact.unsubscribed", "contact.bounced", "list.contact_added"}
    assert by_type["contact.unsubscribed"]["contact"]["id"] == leaving["id"]
    assert by_type["contact.unsubscribed"]["contact"]["email"] == leaving["email"]
    assert by_type["contact.unsubscribed"]["contact"]["status"] == "unsubscribed"
    assert by_type["contact.bounced"]["contact"]["id"] == bouncing["id"]
    assert by_type["contact.bounced"]["contact"]["status"] == "bounced"
    added = by_type["list.contact_added"]
    assert added["contact"]["id"] == joining["id"]
    assert (added["list"]["id"], added["list"]["name"]) == (group["id"], group["name"])
    assert {event["account_id"] for event in receiver.events} == {str(sim.state.account_id)}

    # A replayed delivery (same headers, same bytes) is recognised as a duplicate.
    received, raw = receiver.deliveries[0]
    skip = {"content-length", "host", "connection", "accept-encoding"}
    headers = {k: v for k, v in received.items() if k.lower() not in skip}
    replay = httpx.post(receiver.url, content=raw, headers=headers, timeout=5)
    assert replay.status_code == 200
    receiver.wait_for(lambda: len(receiver.duplicates) == 1, "the replay")
    assert receiver.duplicates[0]["id"] == receiver.events[0]["id"]
    assert len(receiver.events) == 3

    # A forged delivery (tampered body, or a signature from another secret) is rejected.
    forged_body = raw.replace(b'"account_id":', b'"account_id":1')
    forged = httpx.post(receiver.url, content=forged_body, headers=headers, timeout=5)
    unsigned = httpx.post(
        receiver.url, content=raw, headers={"content-type": "application/json"}, timeout=5
    )
    assert (forged.status_code, unsigned.status_code) == (401, 401)
    assert receiver.rejected == 2 and len(receiver.events) == 3 and len(receiver.duplicates) == 1

    # Every delivery the simulator made was accepted.
    assert sim.webhooks.flush(DEADLINE_SECONDS)
    assert {result.status_code for result in sim.webhooks.results} == {200}

    # After unsubscribing the webhook nothing more arrives.
    ml.webhooks.unsubscribe(hook["id"])
    ml.contacts.update(joining["id"], {"status": "unsubscribed"})
    assert sim.webhooks.flush(DEADLINE_SECONDS)
    assert len(receiver.events) == 3


def test_batched_deliveries_are_split(world: Any) -> None:
    ml, sim, receiver, store, account_id = world
    ml.webhooks.subscribe(
        receiver.url, ["contact.deleted", "contact.created"], store=store, account_id=account_id
    )
    assert [h.batchable for h in sim.state.webhooks.values()] == [True]
    created = ml.contacts.create({"email": "batch-e2e@example.com", "first_name": "Bea"})
    ml.contacts.delete(created["id"])
    receiver.wait_for(lambda: len(receiver.events) >= 2, "created and deleted events")
    assert_valid_events(receiver.events)
    assert [e["type"] for e in receiver.events] == ["contact.created", "contact.deleted"]
    assert {e["contact"]["id"] for e in receiver.events} == {created["id"]}
    assert all(b'"events":' in raw for _, raw in receiver.deliveries)


def test_a_delivery_signed_with_a_stale_secret_is_rejected(world: Any) -> None:
    ml, sim, receiver, store, account_id = world
    ml.webhooks.subscribe(receiver.url, ["contact.bounced"], store=store, account_id=account_id)
    store.set_secret_metadata(account_id, "webhook_secret", "rotatedXYZ")
    ml.contacts.update(_active(ml, 1)[0]["id"], {"status": "bounced"})
    receiver.wait_for(lambda: receiver.rejected == 1, "the rejected delivery")
    assert receiver.events == []
    assert sim.webhooks.flush(DEADLINE_SECONDS)
    assert [result.status_code for result in sim.webhooks.results] == [401]
