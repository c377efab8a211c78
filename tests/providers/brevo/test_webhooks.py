"""Brevo marketing webhooks end to end against the Brevo simulator: subscribed with Brevo's
own event names, authenticated by the URL token, contacts named by their email."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from engine.accounts import Account, MemoryAccountStore
from engine.api import Connection, Engine
from engine.errors import SignatureError
from engine.webhooks.subscriptions import subscribe_plan
from simulators.brevo import DEFAULT_TOKEN, FakeClock, Simulator

HOOK = "https://receiver.example/hooks/brevo"

UNSUBSCRIBE = {  # the documented shape of a campaign unsubscribe (developers.brevo.com)
    "id": 7,
    "camp_id": 12,
    "email": "ada@example.com",
    "campaign name": "November news",
    "date_sent": "2026-11-02 09:00:00",
    "date_event": "2026-11-02 10:00:00",
    "event": "unsubscribe",
    "tag": "",
    "ts_sent": 1793610000,
    "ts_event": 1793613600,
    "ts": 1793613600,
    "list_id": [3],
}


@pytest.fixture
def hooked_sim(receiver: httpx.MockTransport) -> Iterator[Simulator]:
    """A seeded Brevo simulator delivering webhooks into `received`."""
    sim = Simulator(seed=4, clock=FakeClock(), rate_limit=None, webhook_transport=receiver)
    sim.seed_data(contacts=5, lists=2, segments=0)
    yield sim
    sim.close()


@pytest.fixture
def hooked(engine: Engine, hooked_sim: Simulator) -> Iterator[Connection]:
    """The engine connected to `hooked_sim`."""
    conn = engine.connect(
        "brevo",
        credentials={"api_key": DEFAULT_TOKEN},
        base_url="http://brevo.sim/v3",
        transport=hooked_sim.transport(),
    )
    yield conn
    conn.close()


def test_subscribing_creates_a_marketing_webhook_with_brevo_event_names_and_a_url_token(
    hooked: Connection, hooked_sim: Simulator
) -> None:
    hook = hooked.webhooks.subscribe(HOOK, ["contact.unsubscribed", "contact.deleted"])

    (brevo_hook,) = hooked_sim.state.webhooks.values()
    assert brevo_hook.type == "marketing"
    assert brevo_hook.events == ["unsubscribed", "contactDeleted"]
    assert dict(parse_qsl(urlsplit(brevo_hook.url).query)) == {"token": hook["secret"]}
    assert hook["id"] == str(brevo_hook.id)
    assert hook["url"] == brevo_hook.url
    assert hook["events"] == ["contact.unsubscribed", "contact.deleted"]


def test_listing_reads_brevo_event_names_back_as_unified_types(hooked: Connection) -> None:
    hook = hooked.webhooks.subscribe(HOOK, ["list.contact_added", "contact.bounced"])

    (listed,) = hooked.webhooks.list()
    assert listed["id"] == hook["id"]
    assert listed["events"] == ["list.contact_added", "contact.bounced"]
    assert listed["provider_events"] == ["listAddition", "hardBounce"]


def test_unsubscribing_deletes_the_brevo_webhook(hooked: Connection, hooked_sim: Simulator) -> None:
    hook = hooked.webhooks.subscribe(HOOK, ["contact.updated"])

    hooked.webhooks.unsubscribe(hook["id"])

    assert hooked_sim.state.webhooks == {}


def test_a_contact_deleted_in_brevo_arrives_as_a_verified_event_naming_it_by_email(
    engine: Engine, hooked: Connection, hooked_sim: Simulator, received: list[httpx.Request]
) -> None:
    store = MemoryAccountStore()
    account = store.add(Account.new("brevo", {"api_key": DEFAULT_TOKEN}))
    hooked.webhooks.subscribe(HOOK, ["contact.deleted"], store=store, account_id=account.id)
    contact = next(iter(hooked_sim.state.contacts.values()))

    hooked.contacts.delete(id=str(contact.id))
    hooked_sim.webhooks.flush()

    (delivery,) = received
    (event,) = engine.webhooks.handle(
        "brevo",
        dict(delivery.headers),
        delivery.content,
        account=store.get(account.id),
        url=str(delivery.url),
    )
    assert event["type"] == "contact.deleted"
    assert event["contact"]["id"] == contact.email
    assert event["contact"]["email"] == contact.email
    forged = str(delivery.url).replace("token=", "token=x")
    with pytest.raises(SignatureError):
        engine.webhooks.handle("brevo", {}, delivery.content, account=account, url=forged)


def test_a_list_addition_names_the_list(
    engine: Engine, hooked: Connection, hooked_sim: Simulator, received: list[httpx.Request]
) -> None:
    store = MemoryAccountStore()
    account = store.add(Account.new("brevo", {"api_key": DEFAULT_TOKEN}))
    hooked.webhooks.subscribe(HOOK, ["list.contact_added"], store=store, account_id=account.id)
    target = next(iter(hooked_sim.state.lists.values()))
    outsider = next(c for c in hooked_sim.state.contacts.values() if c.id not in target.members)

    hooked.lists.add_contacts(str(target.id), [str(outsider.id)])
    hooked_sim.webhooks.flush()

    (event,) = engine.webhooks.handle(
        "brevo", {}, received[0].content, account=store.get(account.id), url=str(received[0].url)
    )
    assert event["type"] == "list.contact_added"
    assert event["list"]["id"] == str(target.id)
    assert event["contact"]["email"] == outsider.email


def test_a_campaign_unsubscribe_is_a_contact_unsubscribed_event_at_its_own_time(
    engine: Engine,
) -> None:
    account = Account.new("brevo", {"api_key": DEFAULT_TOKEN}).evolve(
        secret_metadata={"webhook_secret": "tok"}
    )
    body = httpx.Request("POST", "https://x", json=UNSUBSCRIBE).read()

    (event,) = engine.webhooks.handle("brevo", {}, body, account=account, url=f"{HOOK}?token=tok")

    assert event["type"] == "contact.unsubscribed"
    assert event["contact"]["email"] == "ada@example.com"
    assert event["contact"]["status"] == "unsubscribed"
    assert event["occurred_at"] == "2026-11-02T10:00:00Z"


def test_webhook_management_is_paced_in_brevos_other_bucket(engine: Engine) -> None:
    plan = subscribe_plan(engine.mapping("brevo"), HOOK, ["contact.updated"], token="tok")

    request = next(plan)
    assert (request.method, request.path, request.buckets) == ("POST", "/webhooks", ("other",))
