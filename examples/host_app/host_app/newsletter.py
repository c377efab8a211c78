"""Sign-up form handling and the provider's unsubscribe webhook, for any Unimap provider."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.api import AsyncConnection, Connection


def contact_from_form(form: Mapping[str, str], list_id: str) -> dict[str, Any]:
    """The unified contact a sign-up form describes."""
    return {
        "email": form["email"].strip().lower(),
        "first_name": form.get("first_name") or None,
        "custom_fields": {"company": form.get("company") or None, "plan": form.get("plan", "free")},
        "lists": [{"id": list_id}],
    }


@dataclass
class Newsletter:
    """The host app's newsletter: where sign-ups go, and who must never be contacted."""

    list_id: str
    webhook_secret: str = ""
    do_not_contact: set[str] = field(default_factory=set)

    def sign_up(self, connection: Connection, form: Mapping[str, str]) -> dict[str, Any]:
        """Upsert the form's contact into the newsletter list; returns the unified contact."""
        contact: dict[str, Any] = connection.contacts.upsert(contact_from_form(form, self.list_id))
        return contact

    async def asign_up(
        self, connection: AsyncConnection, form: Mapping[str, str]
    ) -> dict[str, Any]:
        """`sign_up` for async web frameworks."""
        body = contact_from_form(form, self.list_id)
        contact: dict[str, Any] = await connection.contacts.upsert(body)
        return contact

    def subscribe_webhook(self, connection: Connection, url: str) -> None:
        """Ask the provider to call `url` when someone unsubscribes; keep its secret."""
        hook = connection.webhooks.subscribe(url, ["contact.unsubscribed"])
        self.webhook_secret = hook.get("secret", "")

    def handle_webhook(
        self, connection: Connection | AsyncConnection, headers: Mapping[str, str], body: bytes
    ) -> int:
        """The webhook endpoint: verify the delivery, mark unsubscribers "do not contact".

        Returns the HTTP status to answer (a bad signature raises `SignatureError`)."""
        events = connection.engine.webhooks.handle(
            connection.provider, headers, body, secret=self.webhook_secret
        )
        for event in events:
            if event["type"] == "contact.unsubscribed":
                self.do_not_contact.add(event["contact"]["email"].lower())
        return 204
