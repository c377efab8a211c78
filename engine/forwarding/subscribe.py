"""Pointing a linked account's provider webhooks at this installation's delivery route.

    hook = await asubscribe_account(engine, store, account.id, "https://unimap.example.com",
                                    ["contact.unsubscribed", "contact.bounced"])

subscribes `{public_base_url}/webhooks/{provider}/{account_id}` through
`connection.webhooks.subscribe` and keeps the webhook's secret (or URL token) as the account's
`webhook_secret` secret metadata, which the delivery route verifies with. The returned
subscription has its secret (and any URL token) removed: it never needs to leave the server.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from engine.accounts.store import AccountStore
from engine.api import Engine
from engine.errors import FieldProblem, ValidationError
from engine.linking import aconnect_account

__all__ = ["asubscribe_account", "delivery_url"]


def delivery_url(public_base_url: str, provider: str, account_id: str) -> str:
    """Where a provider delivers an account's webhooks: `{base}/webhooks/{provider}/{id}`."""
    base = public_base_url.strip().rstrip("/")
    if not base.startswith(("https://", "http://")):
        raise ValidationError(
            "the public base URL must be an http(s) URL",
            details=[FieldProblem("public_base_url", "must start with https:// or http://")],
        )
    return f"{base}/webhooks/{quote(provider, safe='')}/{quote(account_id, safe='')}"


def _public(subscription: dict[str, Any], url: str) -> dict[str, Any]:
    """The subscription without its secret (nor a URL token): it stays on the server."""
    return {**{k: v for k, v in subscription.items() if k != "secret"}, "url": url}


async def asubscribe_account(
    engine: Engine,
    store: AccountStore,
    account_id: str,
    public_base_url: str,
    events: list[str],
    *,
    name: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> dict[str, Any]:
    """Subscribe the account's provider to this installation's delivery route."""
    provider = store.get(account_id).provider
    url = delivery_url(public_base_url, provider, account_id)
    async with aconnect_account(engine, store, account_id, transport=transport) as connection:
        return _public(
            await connection.webhooks.subscribe(
                url, events, name=name, store=store, account_id=account_id
            ),
            url,
        )
