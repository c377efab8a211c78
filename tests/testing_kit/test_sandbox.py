"""`Sandbox`: seeded, isolated simulators with connections, views, acts and webhooks."""

from __future__ import annotations

import hashlib
import hmac
import time

import pytest

from engine.errors import RemoteError
from simulators.testing import Sandbox
from simulators.testing.options import PROVIDERS
from simulators.testing.sandbox import ProviderNotMapped
from tests.testing_kit.hooks import HOOK_URL, register_unsubscribe_webhook


@pytest.fixture(params=PROVIDERS)
def sandbox(request: pytest.FixtureRequest):
    box = Sandbox(request.param, contacts=4, lists=2, segments=0)
    yield box
    box.close()


def first_subscribed(box: Sandbox) -> str:
    return next(email for email, view in sorted(box.contacts().items()) if view.subscribed)


def test_seeds_the_requested_number_of_contacts(sandbox: Sandbox) -> None:
    assert len(sandbox.contacts()) == 4


def test_contact_views_carry_status_lists_and_fields(sandbox: Sandbox) -> None:
    views = sandbox.contacts().values()
    assert all(view.status and view.id for view in views)
    assert any(view.lists for view in views)
    assert any(view.fields for view in views)


def test_unsubscribe_changes_the_contact(sandbox: Sandbox) -> None:
    email = first_subscribed(sandbox)

    sandbox.unsubscribe(email)

    assert not sandbox.contact(email).subscribed


def test_unsubscribe_sends_the_providers_own_webhook(sandbox: Sandbox) -> None:
    register_unsubscribe_webhook(sandbox)
    email = first_subscribed(sandbox)

    sandbox.unsubscribe(email)
    deliveries = sandbox.webhooks()

    assert deliveries and {d.url for d in deliveries} == {HOOK_URL}
    if sandbox.provider == "mailchimp":
        assert deliveries[0].form()["type"] == "unsubscribe"
        assert deliveries[0].form()["data[email]"] == email
    else:
        assert email in deliveries[0].body.decode()


def test_mailerlite_deliveries_are_signed_with_the_webhook_secret() -> None:
    box = Sandbox("mailerlite", contacts=2)
    secret = register_unsubscribe_webhook(box)
    assert secret
    box.unsubscribe(first_subscribed(box))

    [delivery] = box.webhooks()

    expected = hmac.new(secret.encode(), delivery.body, hashlib.sha256).hexdigest()
    assert delivery.headers["signature"] == expected
    assert delivery.json()["event"] == "subscriber.unsubscribed"


def test_deliveries_are_handed_to_the_handler_once(sandbox: Sandbox) -> None:
    register_unsubscribe_webhook(sandbox)
    sandbox.unsubscribe(first_subscribed(sandbox))
    seen: list[bytes] = []

    first = sandbox.deliver_webhooks(lambda headers, body: seen.append(body) or len(body))
    second = sandbox.deliver_webhooks(lambda headers, body: seen.append(body))

    assert first and first == [len(body) for body in seen]
    assert second == []


@pytest.mark.anyio
async def test_async_delivery_awaits_coroutine_handlers() -> None:
    box = Sandbox("mailerlite", contacts=2)
    register_unsubscribe_webhook(box)
    box.unsubscribe(first_subscribed(box))

    async def handler(headers: dict[str, str], body: bytes) -> str:
        return headers["content-type"]

    assert await box.adeliver_webhooks(handler) == ["application/json"]


def test_sandboxes_are_isolated() -> None:
    one, two = Sandbox("kit", contacts=3), Sandbox("kit", contacts=3)
    email = first_subscribed(one)

    one.unsubscribe(email)

    assert not one.contact(email).subscribed
    assert two.contact(email).subscribed


def test_an_unknown_contact_is_a_lookup_error_naming_it(sandbox: Sandbox) -> None:
    with pytest.raises(LookupError, match=r"nobody@example\.com"):
        sandbox.contact("nobody@example.com")
    with pytest.raises(LookupError, match=r"nobody@example\.com"):
        sandbox.unsubscribe("nobody@example.com")


def test_an_unknown_option_is_refused_naming_it() -> None:
    with pytest.raises(TypeError, match="contact_count"):
        Sandbox("kit", contact_count=3)


def test_an_unknown_provider_is_refused_naming_the_choices() -> None:
    with pytest.raises(ValueError, match="mailerlite"):
        Sandbox("acme")


def test_a_provider_without_mapping_raises_provider_not_mapped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("simulators.testing.sandbox._loaded_providers", lambda folders: {})
    box = Sandbox("brevo")

    with pytest.raises(ProviderNotMapped, match="no 'brevo' mapping"):
        box.connect()
    assert len(box.contacts()) == 10


def test_connection_requests_are_recorded() -> None:
    box = Sandbox("mailerlite", contacts=3)

    box.connection.contacts.list(limit=2)
    box.connection.contacts.upsert({"email": "new@example.com", "custom_fields": {"score": 3}})

    get, post = box.requests[0], box.requests[-1]
    assert (get.method, get.path, get.query["limit"]) == ("GET", "/api/subscribers", "2")
    assert (post.method, post.path) == ("POST", "/api/subscribers")
    assert post.body["email"] == "new@example.com"
    assert post.body["fields"]["score"] == 3


def test_clear_requests_forgets_what_was_recorded() -> None:
    box = Sandbox("mailerlite", contacts=1)
    box.connection.contacts.list(limit=1)

    box.clear_requests()

    assert box.requests == []


def test_the_simulator_sees_the_engines_clock() -> None:
    box = Sandbox("mailerlite", contacts=0)
    box.clock.advance(86_400)

    created = box.connection.contacts.upsert({"email": "later@example.com"})

    assert created["created_at"].startswith("2025-01-02")


def test_faults_from_the_options_are_injected() -> None:
    box = Sandbox("mailerlite", contacts=1, faults="500:1")

    with pytest.raises(RemoteError):
        box.connection.contacts.list(limit=1)
    assert box.fault_counts["500"] >= 2


def test_set_faults_switches_faults_on_and_off() -> None:
    box = Sandbox("mailerlite", contacts=1)
    box.set_faults("503:1")
    with pytest.raises(RemoteError):
        box.connection.contacts.list(limit=1)

    box.set_faults(None)

    assert box.connection.contacts.list(limit=1)["result"]


@pytest.mark.parametrize(("rate_limits", "last_status"), [(True, 429), (False, 200)])
def test_rate_limits_option_keeps_or_lifts_the_providers_limits(
    rate_limits: bool, last_status: int
) -> None:
    box = Sandbox("mailerlite", contacts=0, rate_limits=rate_limits)
    with box.simulator.client() as client:
        statuses = [client.get("/subscribers", params={"limit": 0}).status_code for _ in range(121)]
    assert statuses[-1] == last_status


def test_a_sandbox_with_a_connection_and_a_call_takes_well_under_a_second() -> None:
    Sandbox("mailerlite").close()  # warm-up: imports and the one-off loading of the mappings
    started = time.perf_counter()

    box = Sandbox("mailerlite")
    box.connection.contacts.upsert({"email": "quick@example.com"})
    box.close()

    assert time.perf_counter() - started < 0.5
