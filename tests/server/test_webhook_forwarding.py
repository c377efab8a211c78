"""Webhooks through the server, as a host app sees them: the MailerLite simulator (uvicorn on
127.0.0.1) delivers to `POST /webhooks/mailerlite/{id}` of a real server (uvicorn, lifespan on,
SQLite stores), which forwards each unified event, signed per Standard Webhooks, to a tiny
receiving app (a `ThreadingHTTPServer` that verifies every request with
`verify_standard_webhook`). Every wait is bounded."""

from __future__ import annotations

import dataclasses
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from engine.accounts import Account, SqliteAccountStore
from engine.accounts.tokens import MemoryTokenStore, create_token
from engine.api import Engine
from engine.errors import SignatureError
from engine.forwarding import (
    Forwarder,
    ForwardingSettings,
    SqliteOutbox,
    forwarding_secret,
    verify_standard_webhook,
)
from engine.forwarding.forwarder import DISABLED_ERROR, GONE_ERROR
from engine.run.retry import RetryPolicy
from engine.server.app import create_app
from engine.server.context import ServerContext, ServerSettings
from simulators.core.server import serve_app_in_thread
from simulators.mailerlite import Simulator, serve_in_thread

TOKEN = "forwarding-e2e-token"
DEADLINE = 15.0
FAST_RETRY = RetryPolicy(max_attempts=5, base_delay=0.2, max_delay=0.5, jitter="equal")


def wait_for(predicate: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out after {DEADLINE}s waiting for {what}")


class Receiver:
    """The host app's webhook endpoint: verifies each request, answers the next planned
    status (then 200), keeps the verified payloads with their headers and bodies."""

    def __init__(self, secret: str, *statuses: int, port: int = 0) -> None:
        self.secret = secret
        self.statuses = list(statuses)
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.accepted: list[dict[str, Any]] = []
        self.refused = 0
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/unimap-events"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self.thread.start()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length", "0")))
                headers = dict(self.headers.items())
                self.send_response(outer.receive(headers, raw))
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler

    def receive(self, headers: dict[str, str], raw: bytes) -> int:
        with self.lock:
            self.requests.append((headers, raw))
            if self.statuses:
                return self.statuses.pop(0)
            try:
                payload = verify_standard_webhook(self.secret, headers, raw)
            except SignatureError:
                self.refused += 1
                return 401
            self.accepted.append(payload)
            return 204

    def close(self) -> None:
        if self.thread.is_alive():
            self.server.shutdown()
            self.server.server_close()
            self.thread.join(timeout=5)


@dataclasses.dataclass
class World:
    """The simulator, the account and its store, the host app's receiver."""

    engine: Engine
    sim: Simulator
    sim_url: str
    store: SqliteAccountStore
    account_id: str
    db: Path
    secret: str
    receiver: Receiver

    def connection(self) -> Any:
        return self.engine.connect("mailerlite", {"api_key": TOKEN}, base_url=self.sim_url)


@dataclasses.dataclass
class Served:
    """A running server: its URL, a client with a host token, its outbox."""

    url: str
    client: httpx.Client
    outbox: SqliteOutbox


@pytest.fixture
def world(server_engine: Engine, tmp_path: Path) -> Iterator[World]:
    sim = Simulator(seed=5, token=TOKEN, rate_limit=None, import_limit=None)
    sim.seed_data(subscribers=10, groups=1, segments=0)
    db = tmp_path / "unimap.db"
    store = SqliteAccountStore(db)
    secret = forwarding_secret()
    receivers = [Receiver(secret)]
    try:
        with serve_in_thread(sim) as sim_url:
            account = Account.new(
                "mailerlite", {"api_key": TOKEN}, base_url=sim_url, tenant_id="tenant-1"
            )
            store.add(account)
            world = World(server_engine, sim, sim_url, store, account.id, db, secret, receivers[0])
            yield world
            receivers.append(world.receiver)
    finally:
        sim.close()
        for receiver in receivers:
            receiver.close()
        store.close()


@contextmanager
def serve(
    world: World, forward_to: str | None, retry: RetryPolicy = FAST_RETRY
) -> Iterator[Served]:
    """A server process stand-in: a fresh app, context and outbox on the world's database."""
    outbox = SqliteOutbox(world.db)
    settings = ForwardingSettings(default_url=forward_to, retry=retry, poll_seconds=0.1)
    tokens = MemoryTokenStore()
    _, token = create_token(tokens, "host")
    context = ServerContext(
        engine=world.engine,
        accounts=world.store,
        tokens=tokens,
        scoped_key=secrets.token_bytes(32),
        forwarder=Forwarder(outbox, world.secret, settings),
    )
    try:
        with serve_app_in_thread(create_app(context), lifespan="on") as url:
            context.settings = ServerSettings(public_url=url, forward_to=forward_to)
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=url, headers=headers, timeout=10.0) as client:
                yield Served(url, client, outbox)
    finally:
        outbox.close()


def subscribe(world: World, served: Served, events: list[str]) -> dict[str, Any]:
    response = served.client.post(
        f"/integrated-accounts/{world.account_id}/webhooks", json={"events": events}
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def unsubscribe_one_contact(world: World) -> dict[str, Any]:
    with world.connection() as ml:
        contact = ml.contacts.list(status="active", limit=1)["result"][0]
        ml.contacts.update(contact["id"], {"status": "unsubscribed"})
    return dict(contact)


def test_a_simulator_webhook_reaches_the_host_app_signed(world: World) -> None:
    with serve(world, world.receiver.url) as served:
        hook = subscribe(world, served, ["contact.unsubscribed"])
        assert hook["url"] == f"{served.url}/webhooks/mailerlite/{world.account_id}"
        assert "secret" not in hook
        contact = unsubscribe_one_contact(world)
        wait_for(lambda: len(world.receiver.accepted) == 1, "the forwarded event")
    (payload,) = world.receiver.accepted
    assert payload["type"] == "contact.unsubscribed"
    assert (payload["integrated_account_id"], payload["tenant_id"], payload["provider"]) == (
        world.account_id,
        "tenant-1",
        "mailerlite",
    )
    assert payload["data"]["contact"]["email"] == contact["email"]
    assert payload["data"]["contact"]["status"] == "unsubscribed"
    assert world.receiver.refused == 0
    assert {result.status_code for result in world.sim.webhooks.results} == {200}


def test_a_replayed_or_altered_forwarded_webhook_is_refused(world: World) -> None:
    with serve(world, world.receiver.url) as served:
        subscribe(world, served, ["contact.unsubscribed"])
        unsubscribe_one_contact(world)
        wait_for(lambda: len(world.receiver.accepted) == 1, "the forwarded event")
    headers, raw = world.receiver.requests[0]
    signed_at = int(headers["webhook-timestamp"])
    assert verify_standard_webhook(world.secret, headers, raw, now=signed_at + 60)
    with pytest.raises(SignatureError, match="tolerance"):
        verify_standard_webhook(world.secret, headers, raw, now=signed_at + 301)
    with pytest.raises(SignatureError, match="no webhook-signature matches"):
        verify_standard_webhook(world.secret, headers, raw.replace(b"tenant-1", b"tenant-2"))


def test_the_same_delivery_twice_is_forwarded_once(world: World) -> None:
    with serve(world, world.receiver.url) as served:
        subscribe(world, served, ["contact.unsubscribed"])
        unsubscribe_one_contact(world)
        wait_for(lambda: served.outbox.counts()["delivered"] == 1, "the forwarded event")
        assert world.sim.webhooks.flush(DEADLINE)
        (result,) = world.sim.webhooks.results
        delivery = result.delivery
        again = httpx.post(delivery.url, content=delivery.body, headers=delivery.headers)
        assert (again.status_code, again.json()) == (200, {"enqueued": 0})
    path = httpx.URL(delivery.url).path
    with serve(world, world.receiver.url) as restarted:  # a new process: empty memory
        later = httpx.post(restarted.url + path, content=delivery.body, headers=delivery.headers)
        assert (later.status_code, later.json()) == (200, {"enqueued": 0})
        time.sleep(0.5)  # a second forward would have arrived by now
        assert restarted.outbox.counts() == {"pending": 0, "delivered": 1, "dead": 0}
    assert len(world.receiver.requests) == 1


def test_a_bad_signature_or_an_unknown_account_queues_nothing(world: World) -> None:
    body = json.dumps({"event": "subscriber.unsubscribed", "id": "1", "email": "a@b.co"})
    with serve(world, world.receiver.url) as served:
        client = served.client
        world.store.set_secret_metadata(world.account_id, "webhook_secret", "s3cret")
        forged = httpx.post(
            f"{served.url}/webhooks/mailerlite/{world.account_id}",
            content=body,
            headers={"Signature": "0" * 64},
        )
        unknown = httpx.post(f"{served.url}/webhooks/mailerlite/acc_nope", content=body)
        other_provider = httpx.post(f"{served.url}/webhooks/kit/{world.account_id}", content=body)
        counts = client.get("/forwarding/outbox").json()
    assert (forged.status_code, forged.json()["error"]) == (401, "invalid_signature")
    assert (unknown.status_code, other_provider.status_code) == (404, 404)
    assert counts == {"pending": 0, "delivered": 0, "dead": 0}
    assert world.receiver.requests == []


def test_events_queued_before_a_restart_are_delivered_by_the_next_server(world: World) -> None:
    with serve(world, forward_to=None) as first:  # nowhere to forward yet: the event waits
        subscribe(world, first, ["contact.unsubscribed"])
        unsubscribe_one_contact(world)
        wait_for(lambda: first.outbox.counts()["pending"] == 1, "the queued event")
        assert world.sim.webhooks.flush(DEADLINE)
    assert world.receiver.requests == []
    with serve(world, world.receiver.url) as second:
        wait_for(lambda: second.outbox.counts()["delivered"] == 1, "delivery after the restart")
    assert world.receiver.accepted[0]["type"] == "contact.unsubscribed"


def test_a_receiver_down_then_up_gets_the_event_after_retries(world: World) -> None:
    world.receiver.close()  # down: nothing listens on its port
    port = world.receiver.server.server_address[1]
    with serve(world, world.receiver.url) as served:
        subscribe(world, served, ["contact.unsubscribed"])
        unsubscribe_one_contact(world)
        wait_for(lambda: served.outbox.counts()["pending"] == 1, "the queued event")
        time.sleep(0.3)  # at least one refused attempt (backoff 0.1-0.2 s after the first)
        world.receiver = Receiver(world.secret, port=port)  # up again, same address
        wait_for(lambda: served.outbox.counts()["delivered"] == 1, "delivery after the outage")
        headers, _ = world.receiver.requests[0]
        message = served.outbox.get(headers["webhook-id"])
    assert message is not None and message.state == "delivered" and message.attempts >= 2


def test_a_failing_receiver_gets_the_same_message_again_until_it_answers_2xx(
    world: World,
) -> None:
    world.receiver.statuses = [503, 500]
    with serve(world, world.receiver.url) as served:
        subscribe(world, served, ["contact.unsubscribed"])
        unsubscribe_one_contact(world)
        wait_for(lambda: len(world.receiver.accepted) == 1, "the event after two failures")
    ids = {headers["webhook-id"] for headers, _ in world.receiver.requests}
    bodies = {raw for _, raw in world.receiver.requests}
    assert len(world.receiver.requests) == 3 and len(ids) == len(bodies) == 1


def test_a_tenant_endpoint_set_over_http_receives_the_tenants_events(world: World) -> None:
    other = Receiver(world.secret)
    try:
        with serve(world, world.receiver.url) as served:
            put = served.client.put("/forwarding/endpoints/tenant-1", json={"url": other.url})
            assert put.json() == {"tenant_id": "tenant-1", "url": other.url}
            subscribe(world, served, ["contact.unsubscribed"])
            unsubscribe_one_contact(world)
            wait_for(lambda: len(other.accepted) == 1, "the event at the tenant's endpoint")
            listed = served.client.get("/forwarding/endpoints").json()
        assert listed == {"result": [{"tenant_id": "tenant-1", "url": other.url}]}
        assert world.receiver.requests == []
    finally:
        other.close()


def test_a_dead_message_is_listed_and_requeued_over_http(world: World) -> None:
    world.receiver.statuses = [500]
    once = dataclasses.replace(FAST_RETRY, max_attempts=1)
    with serve(world, world.receiver.url, retry=once) as served:
        subscribe(world, served, ["contact.unsubscribed"])
        unsubscribe_one_contact(world)
        wait_for(lambda: served.outbox.counts()["dead"] == 1, "the dead message")
        (dead,) = served.client.get("/forwarding/dead?tenant_id=tenant-1").json()["result"]
        assert (dead["last_error"], dead["attempts"], dead["type"]) == (
            "HTTP 500",
            1,
            "contact.unsubscribed",
        )
        requeued = served.client.post(f"/forwarding/dead/{dead['id']}/requeue")
        assert requeued.json() == {"id": dead["id"], "state": "pending"}
        wait_for(lambda: len(world.receiver.accepted) == 1, "the requeued message")
        missing = served.client.post(f"/forwarding/dead/{dead['id']}/requeue")
    assert missing.status_code == 404


def test_a_receiver_answering_410_gets_one_request_and_its_url_is_disabled(
    world: World,
) -> None:
    world.receiver.statuses = [410]
    with serve(world, world.receiver.url) as served:
        subscribe(world, served, ["contact.unsubscribed"])
        unsubscribe_one_contact(world)
        wait_for(lambda: served.outbox.counts()["dead"] == 1, "the message dead after a 410")
        unsubscribe_one_contact(world)  # a second event: not sent to the gone endpoint
        wait_for(lambda: served.outbox.counts()["dead"] == 2, "the second message dead")
        dead = served.client.get("/forwarding/dead").json()["result"]
        disabled = served.client.get("/forwarding/disabled").json()["result"]
        enabled = served.client.delete("/forwarding/disabled", params={"url": world.receiver.url})
        for message in dead:
            served.client.post(f"/forwarding/dead/{message['id']}/requeue")
        wait_for(lambda: len(world.receiver.accepted) == 2, "both events once enabled again")
    assert sorted(m["last_error"] for m in dead) == sorted([DISABLED_ERROR, GONE_ERROR])
    assert all(m["attempts"] == 1 for m in dead)
    assert [(d["url"], d["reason"]) for d in disabled] == [(world.receiver.url, GONE_ERROR)]
    assert enabled.json() == {"url": world.receiver.url, "disabled": False}
    assert len(world.receiver.requests) == 3  # the 410, then the two requeued events


def test_administration_routes_need_a_host_token(world: World) -> None:
    with serve(world, world.receiver.url) as served:
        anonymous = httpx.get(f"{served.url}/forwarding/outbox")
        subscribe_anonymously = httpx.post(
            f"{served.url}/integrated-accounts/{world.account_id}/webhooks",
            json={"events": ["contact.unsubscribed"]},
        )
    assert (anonymous.status_code, subscribe_anonymously.status_code) == (401, 401)


def test_an_oversized_delivery_is_refused_before_parsing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("engine.server.webhooks.MAX_DELIVERY_BYTES", 100)
    with serve(world, world.receiver.url) as served:
        response = httpx.post(
            f"{served.url}/webhooks/mailerlite/{world.account_id}", content=b"x" * 101
        )
        counts = served.outbox.counts()
    assert (response.status_code, response.json()["error"]) == (413, "validation_error")
    assert counts["pending"] == 0
