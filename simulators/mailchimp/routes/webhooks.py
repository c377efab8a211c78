"""Audience webhooks: `/lists/{list_id}/webhooks[/{webhook_id}]`.

Create needs `url`; `events` default to every event, `sources` to user and admin only (so a
change made through the API is announced only when `sources.api` is true).
"""

from __future__ import annotations

from typing import Any

from simulators.core.messages import SimResponse, json_response
from simulators.mailchimp.errors import bad_request, invalid_resource, not_found
from simulators.mailchimp.models import WEBHOOK_EVENTS, WEBHOOK_SOURCES, Audience, Webhook
from simulators.mailchimp.router import Context, Router
from simulators.mailchimp.routes.common import collection, no_content
from simulators.mailchimp.serialize import webhook_json

_DEFAULT_SOURCES = {"user": True, "admin": True, "api": False}


def _hook(ctx: Context) -> tuple[Audience, Webhook]:
    audience = ctx.audience()
    hook = audience.webhooks.get(ctx.params["webhook_id"])
    if hook is None:
        raise not_found()
    return audience, hook


def _flags(raw: Any, names: tuple[str, ...], field: str, base: dict[str, bool]) -> dict[str, bool]:
    if raw is None:
        return dict(base)
    if not isinstance(raw, dict) or not all(isinstance(raw.get(n, False), bool) for n in names):
        raise invalid_resource([{"field": field, "message": "Schema describes object of booleans"}])
    return {n: bool(raw.get(n, base.get(n, False))) for n in names}


def _url(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.startswith(("http://", "https://")):
        raise invalid_resource([{"field": "url", "message": "This value should be a valid URL."}])
    return raw


def list_hooks(ctx: Context) -> SimResponse:
    """Every webhook of the audience."""
    audience = ctx.audience()
    items = [webhook_json(audience, h, ctx.api_url) for h in audience.webhooks.values()]
    return collection(
        "webhooks",
        items,
        len(items),
        f"{ctx.api_url}/lists/{audience.id}/webhooks",
        list_id=audience.id,
    )


def create_hook(ctx: Context) -> SimResponse:
    """Register a callback URL (one URL at most once per audience)."""
    audience = ctx.audience()
    body = ctx.body()
    url = _url(body.get("url"))
    if any(h.url == url for h in audience.webhooks.values()):
        raise bad_request("Invalid Resource", "Sorry, you can't use the same url twice.")
    events = _flags(
        body.get("events"), WEBHOOK_EVENTS, "events", dict.fromkeys(WEBHOOK_EVENTS, True)
    )
    sources = _flags(body.get("sources"), WEBHOOK_SOURCES, "sources", _DEFAULT_SOURCES)
    hook = ctx.state.create_webhook(audience, url, events, sources)
    return json_response(200, webhook_json(audience, hook, ctx.api_url))


def get_hook(ctx: Context) -> SimResponse:
    """One webhook."""
    audience, hook = _hook(ctx)
    return json_response(200, webhook_json(audience, hook, ctx.api_url))


def update_hook(ctx: Context) -> SimResponse:
    """`PATCH`: url, events, sources."""
    audience, hook = _hook(ctx)
    body = ctx.body()
    if "url" in body:
        hook.url = _url(body["url"])
    hook.events = _flags(body.get("events"), WEBHOOK_EVENTS, "events", hook.events)
    hook.sources = _flags(body.get("sources"), WEBHOOK_SOURCES, "sources", hook.sources)
    return json_response(200, webhook_json(audience, hook, ctx.api_url))


def delete_hook(ctx: Context) -> SimResponse:
    """Delete a webhook (204)."""
    audience, hook = _hook(ctx)
    del audience.webhooks[hook.id]
    return no_content()


def register(router: Router) -> None:
    """Wire the handlers."""
    base = "lists/{list_id}/webhooks"
    router.add("GET", base, list_hooks)
    router.add("POST", base, create_hook)
    router.add("GET", base + "/{webhook_id}", get_hook)
    router.add("PATCH", base + "/{webhook_id}", update_hook)
    router.add("DELETE", base + "/{webhook_id}", delete_hook)
