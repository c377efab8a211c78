"""Kit webhooks end to end against the Kit simulator: one Kit webhook per event, the event
named in the delivery URL, the delivery authenticated by the URL token."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from engine.accounts import Account, MemoryAccountStore
from engine.api import Connection, Engine
from engine.errors import SignatureError
from simulators.kit import DEFAULT_TOKEN, Simulator

HOOK = "https://receiver.example/hooks/kit"


@pytest.fixture
def hooked_sim(receiver: httpx.MockTransport) -> Iterator[Simulator]:
    """A seeded Kit simulator delivering webhooks into `received`."""
    sim = Simulator(seed=5, rate_limit=None, webhook_transport=receiver)
    yield sim.seed_data(subscribers=6, tags=1, segments=0, fields=1)
    sim.close()


@pytest.fixture
def connection(engine: Engine, hooked_sim: Simulator) -> Iterator[Connection]:
    """The engine connected to `hooked_sim`."""
    conn = engine.connect(
        "kit",
        credentials={"api_key": DEFAULT_TOKEN},
        base_url="http://kit.sim/v4",
        transport=hooked_sim.transport(),
    )
    yield conn
    conn.close()


def test_subscribing_creates_one_kit_webhook_per_event_with_the_event_in_its_url(
    connection: Connection, hooked_sim: Simulator
) -> None:
    hook = connection.webhooks.subscribe(HOOK, ["contact.unsubscribed", "contact.bounced"])

    kit_hooks = sorted(hooked_sim.state.webhooks.values(), key=lambda h: h.id)
    assert [h.event["name"] for h in kit_hooks] == [
        "subscriber.subscriber_unsubscribe",
        "subscriber.subscriber_bounce",
    ]
    for kit_hook in kit_hooks:
        query = dict(parse_qsl(urlsplit(kit_hook.target_url).query))
        assert query["token"] == hook["secret"]
        assert query["kit_event"] == kit_hook.event["name"]
    assert hook["id"] == ",".join(str(h.id) for h in kit_hooks)
    assert hook["url"] == f"{HOOK}?token={hook['secret']}"
    assert hook["events"] == ["contact.unsubscribed", "contact.bounced"]


def test_an_unsubscribe_in_kit_arrives_as_a_verified_contact_unsubscribed_event(
    engine: Engine,
    connection: Connection,
    hooked_sim: Simulator,
    received: list[httpx.Request],
) -> None:
    store = MemoryAccountStore()
    account = store.add(Account.new("kit", {"api_key": DEFAULT_TOKEN}))
    connection.webhooks.subscribe(
        HOOK, ["contact.unsubscribed", "contact.created"], store=store, account_id=account.id
    )
    subscriber = next(s for s in hooked_sim.state.subscribers.values() if s.state == "active")

    with hooked_sim.client() as client:  # an unsubscribe made in Kit
        assert client.post(f"/subscribers/{subscriber.id}/unsubscribe").status_code == 204
    hooked_sim.webhooks.flush()

    (delivery,) = received
    events = engine.webhooks.handle(
        "kit",
        dict(delivery.headers),
        delivery.content,
        account=store.get(account.id),
        url=str(delivery.url),
    )
    (event,) = events
    assert event["type"] == "contact.unsubscribed"
    assert event["contact"]["id"] == str(subscriber.id)
    assert event["contact"]["email"] == subscriber.email_address
    assert event["contact"]["status"] == "unsubscribed"
    forged = str(delivery.url).replace("token=", "token=x")
    with pytest.raises(SignatureError):
        engine.webhooks.handle("kit", {}, delivery.content, account=account, url=forged)


def test_the_subscription_is_listed_once_and_unsubscribing_deletes_every_kit_webhook(
    connection: Connection, hooked_sim: Simulator
) -> None:
    hook = connection.webhooks.subscribe(HOOK, ["contact.unsubscribed", "contact.complained"])

    listed = connection.webhooks.list()
    assert [(w["id"], w["events"]) for w in listed] == [
        (hook["id"], ["contact.unsubscribed", "contact.complained"])
    ]
    connection.webhooks.unsubscribe(hook["id"])
    assert hooked_sim.state.webhooks == {}
    assert connection.webhooks.list() == []
