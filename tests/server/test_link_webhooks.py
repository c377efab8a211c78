"""Linking with webhooks, as a host app sees it: a link token asking for `webhook_events`, the
end user linking on the hosted page, the provider (the MailerLite simulator, uvicorn on
127.0.0.1) subscribed to the server's `/webhooks/{provider}/{id}`, and its deliveries reaching
the host app's receiving app as signed unified events. Real server (uvicorn, lifespan on,
SQLite stores), real HTTP clients; every wait is bounded."""

from __future__ import annotations

import dataclasses
import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from engine.accounts import SqliteAccountStore
from engine.accounts.sql_link_tokens import SqlLinkTokenStore
from engine.accounts.tokens import MemoryTokenStore, create_token
from engine.api import Engine
from engine.forwarding import Forwarder, ForwardingSettings, SqliteOutbox, forwarding_secret
from engine.paths import mappings_dir
from engine.server.context import ServerContext, ServerSettings
from simulators.mailerlite import Simulator, serve_in_thread
from tests.link_page.conftest import serve_with_clients
from tests.server.test_webhook_forwarding import FAST_RETRY, Receiver, wait_for

KEY = "link-hooks-key-5e2f"
REDIRECT = "https://app.example/linked?state=s7"
EVENTS = ["contact.unsubscribed"]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """The bundled mappings plus `acme`: MailerLite's mapping without webhook subscriptions
    (a provider whose webhooks cannot be managed through its API)."""
    folder = tmp_path_factory.mktemp("mappings")
    shutil.copytree(mappings_dir() / "mailerlite", folder / "acme")
    provider = folder / "acme" / "provider.yaml"
    text = provider.read_text().replace("provider: mailerlite", "provider: acme")
    text = re.sub(r"\n  subscriptions:\n(    .*\n)+", "\n", text.replace("MailerLite", "Acme"))
    provider.write_text(text)
    return Engine.load(folder, cursor_key=secrets.token_bytes(32))


@dataclasses.dataclass
class Setup:
    """The simulator, the server (context, host app client, end user's browser), the
    account store and the host app's receiver."""

    sim: Simulator
    sim_url: str
    url: str
    context: ServerContext
    store: SqliteAccountStore
    host: httpx.Client
    browser: httpx.Client
    receiver: Receiver

    def link_token(self, **body: Any) -> httpx.Response:
        return self.host.post("/link-tokens", json=body)

    def link(self, token: str, key: str = KEY) -> httpx.Response:
        """Open the page and submit `key`, as the end user's browser."""
        page = self.browser.get(f"/link/{token}")
        found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert found, page.text
        form = {"csrf_token": found.group(1), "credential.api_key": key}
        return self.browser.post(f"/link/{token}", data=form)

    def stored_link_tokens(self) -> int:
        with self.store.transaction() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM link_tokens", ()).fetchone()[0])

    def unsubscribe_one_contact(self) -> dict[str, Any]:
        engine = self.context.engine  # the bundled mappings plus acme
        with engine.connect("mailerlite", {"api_key": KEY}, base_url=self.sim_url) as ml:
            contact = ml.contacts.list(status="active", limit=1)["result"][0]
            ml.contacts.update(contact["id"], {"status": "unsubscribed"})
        return dict(contact)


@pytest.fixture
def setup(engine: Engine, tmp_path: Path) -> Iterator[Setup]:
    sim = Simulator(seed=3, token=KEY, rate_limit=None)
    sim.seed_data(subscribers=4, groups=1)
    store = SqliteAccountStore(tmp_path / "unimap.db")
    outbox = SqliteOutbox(tmp_path / "unimap.db")
    secret = forwarding_secret()
    receiver = Receiver(secret)
    tokens = MemoryTokenStore()
    _, api_token = create_token(tokens, "host-app")
    settings = ForwardingSettings(default_url=receiver.url, retry=FAST_RETRY, poll_seconds=0.1)
    try:
        with serve_in_thread(sim) as sim_url:
            context = ServerContext(
                engine=engine,
                accounts=store,
                tokens=tokens,
                scoped_key=secrets.token_bytes(32),
                settings=ServerSettings(base_urls={"mailerlite": sim_url, "acme": sim_url}),
                link_tokens=SqlLinkTokenStore(store),
                forwarder=Forwarder(outbox, secret, settings),
            )
            with serve_with_clients(context, api_token) as (url, host, browser):
                yield Setup(sim, sim_url, url, context, store, host, browser, receiver)
    finally:
        sim.close()
        receiver.close()
        outbox.close()
        store.close()


def _redirect_query(answer: httpx.Response) -> dict[str, list[str]]:
    assert answer.status_code == 303, answer.text
    return parse_qs(urlsplit(answer.headers["location"]).query)


def test_a_linked_account_is_subscribed_and_its_events_reach_the_host_app_signed(
    setup: Setup,
) -> None:
    created = setup.link_token(
        tenant_id="tenant-9", provider="mailerlite", redirect_uri=REDIRECT, webhook_events=EVENTS
    )
    assert created.status_code == 201 and created.json()["webhook_events"] == EVENTS
    query = _redirect_query(setup.link(created.json()["token"]))
    [account_id] = query["integrated_account_id"]
    assert query["webhook_subscription"] == ["subscribed"] and query["state"] == ["s7"]
    [hook] = setup.sim.state.webhooks.values()
    assert hook.url == f"{setup.url}/webhooks/mailerlite/{account_id}"
    assert hook.events == ["subscriber.unsubscribed"]
    account = setup.host.get(f"/integrated-accounts/{account_id}").json()
    assert account["metadata"]["webhook_subscription"]["status"] == "subscribed"
    assert "webhook_secret" in account["secret_metadata"]
    contact = setup.unsubscribe_one_contact()
    wait_for(lambda: len(setup.receiver.accepted) == 1, "the forwarded event")
    [event] = setup.receiver.accepted  # verified with the forwarding secret by the receiver
    assert (event["type"], event["integrated_account_id"], event["tenant_id"]) == (
        "contact.unsubscribed",
        account_id,
        "tenant-9",
    )
    assert event["data"]["contact"]["email"] == contact["email"]
    assert setup.receiver.refused == 0


def _refuse_webhooks(request: httpx.Request) -> httpx.Response:
    """The provider refusing the webhook subscription (any request, here only that one)."""
    return httpx.Response(422, json={"message": "The url is not reachable.", "errors": {}})


def test_a_failed_subscription_keeps_the_account_linked_and_can_be_retried(
    setup: Setup,
) -> None:
    setup.context.transport = httpx.MockTransport(_refuse_webhooks)
    token = setup.link_token(
        tenant_id="tenant-9", provider="mailerlite", redirect_uri=REDIRECT, webhook_events=EVENTS
    ).json()["token"]
    query = _redirect_query(setup.link(token))
    [account_id] = query["integrated_account_id"]
    assert query["webhook_subscription"] == ["failed"]
    account = setup.host.get(f"/integrated-accounts/{account_id}").json()
    assert account["status"] == "active"
    recorded = account["metadata"]["webhook_subscription"]
    assert (recorded["status"], recorded["events"]) == ("failed", EVENTS)
    assert recorded["error"] and recorded["message"]
    assert setup.sim.state.webhooks == {}
    setup.context.transport = None  # the provider accepts subscriptions again
    retried = setup.host.post(
        f"/integrated-accounts/{account_id}/webhooks", json={"events": EVENTS}
    )
    assert retried.status_code == 201, retried.text
    account = setup.host.get(f"/integrated-accounts/{account_id}").json()
    assert account["metadata"]["webhook_subscription"]["status"] == "subscribed"
    assert len(setup.sim.state.webhooks) == 1


def test_without_a_redirect_the_page_says_the_account_is_connected_despite_a_failure(
    setup: Setup,
) -> None:
    setup.context.transport = httpx.MockTransport(_refuse_webhooks)
    token = setup.link_token(
        tenant_id="tenant-9", provider="mailerlite", webhook_events=EVENTS
    ).json()["token"]
    page = setup.link(token)
    assert page.status_code == 200
    assert "Your MailerLite account is connected" in page.text
    assert "notifications could not be set up" in page.text
    assert len(setup.store.list()) == 1


def test_re_authorising_with_events_replaces_the_accounts_subscription(setup: Setup) -> None:
    first = setup.link_token(
        tenant_id="tenant-9", provider="mailerlite", redirect_uri=REDIRECT, webhook_events=EVENTS
    ).json()["token"]
    [account_id] = _redirect_query(setup.link(first))["integrated_account_id"]
    [old] = setup.sim.state.webhooks
    again = setup.link_token(
        integrated_account_id=account_id, redirect_uri=REDIRECT, webhook_events=EVENTS
    )
    assert again.status_code == 201, again.text
    query = _redirect_query(setup.link(again.json()["token"]))
    assert query["webhook_subscription"] == ["subscribed"]
    [new] = setup.sim.state.webhooks
    assert new != old
    setup.unsubscribe_one_contact()
    wait_for(lambda: len(setup.receiver.accepted) == 1, "the event of the new subscription")
    assert {result.status_code for result in setup.sim.webhooks.results} == {200}


ML, EV = "mailerlite", "webhook_events"


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"provider": ML, EV: ["contact.exploded"]}, f"{EV}.0", "unknown event type"),
        ({"provider": ML, EV: ["provider.subscriber.created"]}, f"{EV}.0", "unknown event type"),
        ({"provider": ML, EV: "contact.bounced"}, EV, "non-empty list"),
        ({"provider": ML, EV: []}, EV, "non-empty list"),
        (
            {"provider": "kit", EV: ["contact.bounced", "list.contact_removed"]},
            f"{EV}.1",
            "unknown",
        ),
        ({"provider": "acme", EV: ["contact.bounced"]}, EV, "cannot be subscribed"),
    ],
)
def test_events_the_contract_or_the_provider_cannot_give_are_refused_storing_nothing(
    setup: Setup, body: dict[str, Any], field: str, message: str
) -> None:
    answer = setup.link_token(tenant_id="tenant-9", **body)
    assert answer.status_code == 422
    error = answer.json()
    assert error["error"] == "validation_error"
    [problem] = error["fields"]
    assert problem["field"] == field and message in problem["message"]
    assert setup.stored_link_tokens() == 0
