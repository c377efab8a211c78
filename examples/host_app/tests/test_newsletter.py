"""The host app's own tests: offline, against Unimap's simulated MailerLite."""

from __future__ import annotations

import pytest
from engine.errors import SignatureError

from host_app.newsletter import Newsletter

FORM = {"email": "Ada@Example.com", "first_name": "Ada", "company": "Engines Ltd", "plan": "pro"}
HOOK_URL = "https://host.example/hooks/email"


@pytest.fixture
def newsletter(unimap_mailerlite):
    """The app configured against a fresh simulated account with a "Newsletter" list."""
    connection = unimap_mailerlite.connection
    connection.custom_fields.create({"name": "Plan", "type": "text"})
    newsletter = Newsletter(list_id=connection.lists.create({"name": "Newsletter"})["id"])
    newsletter.subscribe_webhook(connection, HOOK_URL)
    unimap_mailerlite.clear_requests()
    return newsletter


def test_sign_up_upserts_the_contact_with_its_fields_into_the_list(unimap_mailerlite, newsletter):
    newsletter.sign_up(unimap_mailerlite.connection, FORM)

    contact = unimap_mailerlite.contact("ada@example.com")
    assert contact.subscribed
    assert contact.fields["company"] == "Engines Ltd"
    assert contact.fields["plan"] == "pro"
    assert contact.lists == {"Newsletter"}


def test_sign_up_writes_one_subscriber(unimap_mailerlite, newsletter):
    newsletter.sign_up(unimap_mailerlite.connection, FORM)

    [write] = [r for r in unimap_mailerlite.requests if r.method != "GET"]
    assert (write.method, write.path) == ("POST", "/api/subscribers")
    assert write.body["email"] == "ada@example.com"


def test_an_unsubscribe_webhook_marks_the_contact_do_not_contact(unimap_mailerlite, newsletter):
    connection = unimap_mailerlite.connection
    newsletter.sign_up(connection, FORM)
    unimap_mailerlite.unsubscribe("ada@example.com")

    statuses = unimap_mailerlite.deliver_webhooks(
        lambda headers, body: newsletter.handle_webhook(connection, headers, body)
    )

    assert statuses == [204]
    assert newsletter.do_not_contact == {"ada@example.com"}
    assert not unimap_mailerlite.contact("ada@example.com").subscribed


def test_a_forged_webhook_is_refused(unimap_mailerlite, newsletter):
    newsletter.sign_up(unimap_mailerlite.connection, FORM)
    unimap_mailerlite.unsubscribe("ada@example.com")
    [delivery] = unimap_mailerlite.webhooks()

    forged = dict(delivery.headers, signature="0" * 64)
    with pytest.raises(SignatureError):
        newsletter.handle_webhook(unimap_mailerlite.connection, forged, delivery.body)
    assert newsletter.do_not_contact == set()


def test_sign_up_survives_provider_errors(unimap_mailerlite, newsletter):
    unimap_mailerlite.set_faults("500:0.5")

    newsletter.sign_up(unimap_mailerlite.connection, FORM)

    assert unimap_mailerlite.fault_counts["500"] >= 1
    assert unimap_mailerlite.contact("ada@example.com").lists == {"Newsletter"}


@pytest.mark.anyio
async def test_async_sign_up(unimap_mailerlite, newsletter):
    async with unimap_mailerlite.aconnect() as connection:
        await newsletter.asign_up(connection, FORM)
        unimap_mailerlite.unsubscribe("ada@example.com")
        await unimap_mailerlite.adeliver_webhooks(
            lambda headers, body: newsletter.handle_webhook(connection, headers, body)
        )

    assert newsletter.do_not_contact == {"ada@example.com"}
