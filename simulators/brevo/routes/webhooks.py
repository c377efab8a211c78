"""`/webhooks`: create, list (`type` filter, default transactional), get, update, delete.

Creation answers `201 {"id": N}`; `url` and `events` are required. Events accepted for
`marketing` webhooks: spam, opened, click, hardBounce, softBounce, unsubscribed, listAddition,
delivered, contactUpdated, contactDeleted; for `transactional` ones the transactional set.
"""

from __future__ import annotations

from typing import Any

from simulators.brevo.errors import bad_request, missing, no_content, not_found
from simulators.brevo.models import Webhook
from simulators.brevo.router import Context, Router
from simulators.brevo.routes.common import descending
from simulators.brevo.serialize import webhook_json
from simulators.core.messages import SimResponse, json_response

MARKETING_EVENTS = frozenset(
    {
        "spam",
        "opened",
        "click",
        "hardBounce",
        "softBounce",
        "unsubscribed",
        "listAddition",
        "delivered",
        "contactUpdated",
        "contactDeleted",
    }
)
TRANSACTIONAL_EVENTS = frozenset(
    {
        "sent",
        "request",
        "delivered",
        "hardBounce",
        "softBounce",
        "blocked",
        "spam",
        "invalid",
        "deferred",
        "click",
        "opened",
        "uniqueOpened",
        "unsubscribed",
    }
)


def register(router: Router) -> None:
    """Wire the webhook endpoints."""
    router.add("GET", "webhooks", list_webhooks)
    router.add("POST", "webhooks", create_webhook)
    router.add("GET", "webhooks/{webhook_id}", get_webhook)
    router.add("PUT", "webhooks/{webhook_id}", update_webhook)
    router.add("DELETE", "webhooks/{webhook_id}", delete_webhook)


def _find(ctx: Context) -> Webhook:
    raw = ctx.params["webhook_id"]
    hook = ctx.state.webhooks.get(int(raw)) if raw.isdecimal() else None
    if hook is None:
        raise not_found("Webhook ID does not exist")
    return hook


def _events(value: Any, kind: str) -> list[str]:
    allowed = MARKETING_EVENTS if kind == "marketing" else TRANSACTIONAL_EVENTS
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise bad_request("events should be a non-empty array of strings")
    unknown = [v for v in value if v not in allowed]
    if unknown:
        raise bad_request(f"Invalid event {unknown[0]} for {kind} webhook")
    return list(value)


def _url(value: Any) -> str:
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        raise bad_request("url should be a valid URL")
    return value


def create_webhook(ctx: Context) -> SimResponse:
    """`POST /webhooks` -> 201 `{"id": N}`."""
    body = ctx.body()
    if "url" not in body:
        raise missing("url is missing")
    if "events" not in body:
        raise missing("events is missing")
    kind = body.get("type") or "transactional"
    if kind not in ("marketing", "transactional"):
        raise bad_request("type should be one of marketing, transactional")
    clean = {**body, "url": _url(body["url"]), "events": _events(body["events"], kind)}
    clean["type"] = kind
    return json_response(201, {"id": ctx.state.create_webhook(clean).id})


def list_webhooks(ctx: Context) -> SimResponse:
    """`GET /webhooks?type=marketing|transactional` -> `{"webhooks": [...]}`."""
    kind = ctx.query.get("type") or "transactional"
    if kind not in ("marketing", "transactional"):
        raise bad_request("type should be one of marketing, transactional")
    hooks = sorted(
        (h for h in ctx.state.webhooks.values() if h.type == kind),
        key=lambda h: h.id,
        reverse=descending(ctx.query),
    )
    return json_response(200, {"webhooks": [webhook_json(h) for h in hooks]})


def get_webhook(ctx: Context) -> SimResponse:
    """`GET /webhooks/{id}`."""
    return json_response(200, webhook_json(_find(ctx)))


def update_webhook(ctx: Context) -> SimResponse:
    """`PUT /webhooks/{id}` (`url`, `description`, `events`) -> 204."""
    hook = _find(ctx)
    body = ctx.body()
    if "url" in body:
        hook.url = _url(body["url"])
    if "events" in body:
        hook.events = _events(body["events"], hook.type)
    if isinstance(body.get("description"), str):
        hook.description = body["description"]
    hook.modified_at = ctx.state.now()
    return no_content()


def delete_webhook(ctx: Context) -> SimResponse:
    """`DELETE /webhooks/{id}` -> 204."""
    del ctx.state.webhooks[_find(ctx).id]
    return no_content()
