"""Registering a webhook in each simulator through its own API (test set-up, not the kit)."""

from __future__ import annotations

from typing import Any

HOOK_URL = "https://host.example/hooks"


def register_unsubscribe_webhook(sandbox: Any) -> str | None:
    """Register a webhook for unsubscribes; returns its signing secret (MailerLite) or None."""
    sim = sandbox.simulator
    with sim.client() as client:
        if sandbox.provider == "mailerlite":
            body = {"name": "t", "url": HOOK_URL, "events": ["subscriber.unsubscribed"]}
            secret: str = (
                client.post("/webhooks", json=body).raise_for_status().json()["data"]["secret"]
            )
            return secret
        if sandbox.provider == "kit":
            event = {"name": "subscriber.subscriber_unsubscribe"}
            body = {"target_url": HOOK_URL, "event": event}
            client.post("/webhooks", json=body).raise_for_status()
        elif sandbox.provider == "brevo":
            body = {"url": HOOK_URL, "events": ["contactUpdated"], "type": "marketing"}
            client.post("/webhooks", json=body).raise_for_status()
        else:
            for audience_id in sim.state.audiences:
                body = {"url": HOOK_URL, "events": {"unsubscribe": True}, "sources": {"user": True}}
                client.post(f"/lists/{audience_id}/webhooks", json=body).raise_for_status()
    return None
