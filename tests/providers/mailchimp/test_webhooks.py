"""Mailchimp audience webhooks: subscriptions on the connection's audience, and the simulator's
unsigned, form-encoded deliveries turned into unified events (token in the callback URL)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from engine.api import Connection, Engine
from engine.errors import SignatureError
from simulators.core.clock import FakeClock
from simulators.mailchimp import DEFAULT_TOKEN, Simulator, subscriber_hash
from simulators.mailchimp.sandbox import settings

HOOK = "https://receiver.example/mailchimp"


def _wired(engine: Engine) -> tuple[Simulator, list[httpx.Request], Connection]:
    received: list[httpx.Request] = []

    def capture(request: httpx.Request) -> httpx.Response:
        request.read()
        received.append(request)
        return httpx.Response(200)

    sim = Simulator(seed=8, clock=FakeClock(), webhook_transport=httpx.MockTransport(capture))
    sim.seed_data(members=10, audiences=2)
    conn = engine.connect(
        "mailchimp",
        credentials={"api_key": DEFAULT_TOKEN},
        transport=sim.transport(),
        settings=settings(sim),
    )
    return sim, received, conn


def test_subscribe_lists_and_unsubscribe_on_the_connections_audience(engine: Engine) -> None:
    sim, _, conn = _wired(engine)
    created = conn.webhooks.subscribe(HOOK, ["contact.unsubscribed", "contact.created"])
    audience = next(iter(sim.state.audiences.values()))
    hook = audience.webhooks[created["id"]]
    assert parse_qs(urlsplit(hook.url).query)["token"] == [created["secret"]]
    assert hook.sources["api"] is True
    assert {k for k, v in hook.events.items() if v} == {"subscribe", "unsubscribe"}
    assert [h["id"] for h in conn.webhooks.list()] == [created["id"]]
    conn.webhooks.unsubscribe(created["id"])
    assert audience.webhooks == {}
    sim.close()


def test_deliveries_become_unified_events(engine: Engine) -> None:
    sim, received, conn = _wired(engine)
    created = conn.webhooks.subscribe(
        HOOK, ["contact.created", "contact.unsubscribed", "contact.deleted"]
    )
    contact = conn.contacts.create({"email": "Hooked@example.com", "first_name": "Ada"})
    conn.contacts.update(contact["id"], {"status": "unsubscribed"})
    conn.contacts.delete(contact["id"])
    assert sim.webhooks.flush()
    sim.close()
    events = [
        event
        for request in received
        for event in engine.webhooks.handle(
            "mailchimp",
            dict(request.headers),
            request.content,
            secret=created["secret"],
            url=str(request.url),
        )
    ]
    assert [e["type"] for e in events] == [
        "contact.created",
        "contact.unsubscribed",
        "contact.deleted",
    ]
    first = events[0]
    assert first["contact"]["id"] == contact["id"]
    assert contact["id"].endswith(":" + subscriber_hash("hooked@example.com"))
    assert first["contact"]["email"] == "Hooked@example.com"
    assert first["contact"]["first_name"] == "Ada"
    assert first["contact"]["status"] == "active"
    assert events[1]["contact"]["status"] == "unsubscribed"
    assert first["occurred_at"] == "2025-01-01T00:00:00Z"


def test_a_delivery_without_the_token_is_refused(engine: Engine) -> None:
    sim, received, conn = _wired(engine)
    created = conn.webhooks.subscribe(HOOK, ["contact.created"])
    conn.contacts.create({"email": "x@example.com"})
    sim.webhooks.flush()
    sim.close()
    (request,) = received
    with pytest.raises(SignatureError):
        engine.webhooks.handle("mailchimp", {}, request.content, secret=created["secret"], url=HOOK)
