"""Pointing a linked account's provider webhooks at this installation's delivery route.

    hook = await asubscribe_account(engine, store, account.id, "https://unimap.example.com",
                                    ["contact.unsubscribed", "contact.bounced"])

subscribes `{public_base_url}/webhooks/{provider}/{account_id}` through
`connection.webhooks.subscribe` and keeps the webhook's secret (or URL token) as the account's
`webhook_secret` secret metadata, which the delivery route verifies with. The returned
subscription has its secret (and any URL token) removed: it never needs to leave the server.

The outcome of every attempt is recorded in the account's metadata under
`SUBSCRIPTION_METADATA` (`{"status": "subscribed", "id", "events", "at"}` or `{"status":
"failed", "events", "error", "message", "at"}`), so a failure after linking stays visible on
the account until a later attempt succeeds. `check_subscribable` tells beforehand whether a
provider can be subscribed to some unified event types (the link tokens asking for events).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import httpx

from engine.accounts.model import utc_now
from engine.accounts.store import AccountStore
from engine.api import AsyncConnection, Engine
from engine.errors import ConfigurationError, FieldProblem, UnimapError, ValidationError
from engine.linking import aconnect_stored
from engine.webhooks.subscriptions import provider_events, subscription_spec

__all__ = [
    "SUBSCRIPTION_METADATA",
    "asubscribe_account",
    "check_subscribable",
    "delivery_url",
]

logger = logging.getLogger("unimap.forwarding")

#: The account metadata key holding the outcome of the last subscription attempt.
SUBSCRIPTION_METADATA = "webhook_subscription"


def delivery_url(public_base_url: str, provider: str, account_id: str) -> str:
    """Where a provider delivers an account's webhooks: `{base}/webhooks/{provider}/{id}`."""
    base = public_base_url.strip().rstrip("/")
    if not base.startswith(("https://", "http://")):
        raise ValidationError(
            "the public base URL must be an http(s) URL",
            details=[FieldProblem("public_base_url", "must start with https:// or http://")],
        )
    return f"{base}/webhooks/{quote(provider, safe='')}/{quote(account_id, safe='')}"


def check_subscribable(
    engine: Engine, provider: str, events: Sequence[str], field: str = "webhook_events"
) -> None:
    """Raise a `ValidationError` naming `field` (or `field.N`) unless `provider` can be
    subscribed, through its API, to every one of the unified event types `events`."""
    mapping = engine.mapping(provider)
    try:
        subscription_spec(mapping)
        provider_events(mapping, list(events))
    except ConfigurationError:
        message = f"{mapping.provider.label} webhooks cannot be subscribed to through its API"
        raise ValidationError(
            f"{field}: {message}", details=[FieldProblem(field, message)]
        ) from None
    except ValidationError as error:
        problems = [
            FieldProblem(field + problem.field.removeprefix("events"), problem.message)
            for problem in error.details
        ]
        raise ValidationError(
            f"{field}: {mapping.provider.label} does not deliver these events", details=problems
        ) from None


def _public(subscription: dict[str, Any], url: str) -> dict[str, Any]:
    """The subscription without its secret (nor a URL token): it stays on the server."""
    return {**{k: v for k, v in subscription.items() if k != "secret"}, "url": url}


async def _remove_previous(connection: AsyncConnection, url: str) -> None:
    """Delete the account's provider webhooks already pointing at `url` (any query aside)."""
    for hook in await connection.webhooks.list():
        if str(hook.get("url") or "").split("?", 1)[0] == url:
            await connection.webhooks.unsubscribe(str(hook["id"]))


async def _record(store: AccountStore, account_id: str, outcome: dict[str, Any]) -> None:
    """Keep the outcome on the account (off the event loop); a store failure is logged,
    never raised."""
    try:
        await asyncio.to_thread(
            store.set_metadata,
            account_id,
            SUBSCRIPTION_METADATA,
            {**outcome, "at": utc_now().isoformat()},
        )
    except Exception as exc:
        logger.warning(
            "account %s: could not record the webhook subscription (%s)",
            account_id,
            type(exc).__name__,
        )


async def _subscribe(
    connection: AsyncConnection,
    store: AccountStore,
    account_id: str,
    url: str,
    events: list[str],
    name: str | None,
    replace: bool,
) -> dict[str, Any]:
    if replace:
        await _remove_previous(connection, url)
    return await connection.webhooks.subscribe(
        url, events, name=name, store=store, account_id=account_id
    )


async def asubscribe_account(
    engine: Engine,
    store: AccountStore,
    account_id: str,
    public_base_url: str,
    events: list[str],
    *,
    name: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    replace: bool = False,
    connection: AsyncConnection | None = None,
) -> dict[str, Any]:
    """Subscribe the account's provider to this installation's delivery route.

    With `replace`, the account's webhooks already pointing there are deleted first (a
    re-authorised account gets one subscription, verified with the secret kept now). The
    outcome is recorded in the account's metadata (`SUBSCRIPTION_METADATA`); a failure is
    raised after that. `connection`: an open connection to the account to use (a server's
    pooled one), left open; without it one is opened (with `transport`) and closed. Every
    account store call runs in a worker thread: a blocking store never stalls the event loop.
    """
    account = await asyncio.to_thread(store.get, account_id)
    url = delivery_url(public_base_url, account.provider, account_id)
    try:
        if connection is not None:
            made = await _subscribe(connection, store, account_id, url, events, name, replace)
        else:
            async with aconnect_stored(engine, store, account, transport=transport) as own:
                made = await _subscribe(own, store, account_id, url, events, name, replace)
    except Exception as exc:
        code = exc.error if isinstance(exc, UnimapError) else "internal_error"
        message = exc.message if isinstance(exc, UnimapError) else "unexpected error"
        failed = {"status": "failed", "events": events, "error": code, "message": message}
        await _record(store, account_id, failed)
        raise
    hook = _public(made, url)
    await _record(store, account_id, {"status": "subscribed", "id": hook["id"], "events": events})
    return hook
