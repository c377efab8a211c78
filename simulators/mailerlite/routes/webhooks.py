"""`/webhooks` endpoints: list (page, newest first), get, create (201), update, delete."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from simulators.core.messages import SimResponse, json_response
from simulators.mailerlite import validation as v
from simulators.mailerlite.messages import MODEL_WEBHOOK, no_content, not_found, validation_error
from simulators.mailerlite.models import BATCHABLE_ONLY_EVENTS, WEBHOOK_EVENTS, Webhook
from simulators.mailerlite.router import Context, Router
from simulators.mailerlite.routes.common import page_response
from simulators.mailerlite.serialize import webhook_json

DEFAULT_LIMIT = 50
"""Page size when `limit` is absent (observed)."""


def register(router: Router) -> None:
    """Add the webhook routes."""
    router.add("GET", "webhooks", list_webhooks)
    router.add("POST", "webhooks", create_webhook)
    router.add("GET", "webhooks/{webhook}", get_webhook)
    router.add("PUT", "webhooks/{webhook}", update_webhook)
    router.add("DELETE", "webhooks/{webhook}", delete_webhook)


def list_webhooks(ctx: Context) -> SimResponse:
    """`GET /webhooks`."""
    hooks = sorted(ctx.state.webhooks.values(), key=lambda h: h.id, reverse=True)
    return page_response(ctx, [webhook_json(h) for h in hooks], "webhooks", DEFAULT_LIMIT)


def find(ctx: Context) -> Webhook:
    """The webhook named by `{webhook}`, or 404 with the id appended."""
    raw = ctx.params["webhook"]
    hook = ctx.state.webhooks.get(int(raw)) if raw.isdecimal() else None
    if hook is None:
        raise not_found(MODEL_WEBHOOK, raw)
    return hook


def get_webhook(ctx: Context) -> SimResponse:
    """`GET /webhooks/{id}`."""
    return json_response(200, {"data": webhook_json(find(ctx))})


def _validate(body: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    errors: v.Errors = {}
    out: dict[str, Any] = {}
    if "name" in body and body["name"] is not None:
        out["name"] = v.name(body["name"], errors, required=False) or ""
    if creating or "url" in body:
        url = body.get("url")
        if url is None or url == "":
            v.add(errors, "url", "The url field is required.")
        elif (
            not isinstance(url, str)
            or urlsplit(url).scheme not in ("http", "https")
            or not urlsplit(url).netloc
        ):
            v.add(errors, "url", "The url must be a valid URL.")
        else:
            out["url"] = url
    if creating or "events" in body:
        events = body.get("events")
        if not events:
            v.add(errors, "events", "The events field is required.")
        elif not isinstance(events, list):
            v.add(errors, "events", "The events must be an array.")
        else:
            for index, event in enumerate(events):
                if event not in WEBHOOK_EVENTS:
                    v.add(errors, f"events.{index}", f"The selected events.{index} is invalid.")
            out["events"] = list(dict.fromkeys(str(e) for e in events))
    for key in ("enabled", "batchable"):
        if key in body:
            flag = v.boolean(body[key], key, errors)
            if flag is not None:
                out[key] = flag
    if errors:
        raise validation_error(errors)
    return out


def _check_batchable(events: list[str], batchable: bool) -> None:
    needs = sorted(BATCHABLE_ONLY_EVENTS.intersection(events))
    if needs and not batchable:
        raise validation_error(
            {"batchable": [f"The batchable field must be true for {', '.join(needs)}."]}
        )


def create_webhook(ctx: Context) -> SimResponse:
    """`POST /webhooks` -> 201 with a generated 10-character secret."""
    data = _validate(ctx.body(), creating=True)
    batchable = bool(data.get("batchable", False))
    _check_batchable(data["events"], batchable)
    hook = ctx.state.create_webhook(
        data.get("name", ""),
        data["url"],
        data["events"],
        bool(data.get("enabled", True)),
        batchable,
    )
    return json_response(201, {"data": webhook_json(hook)})


def update_webhook(ctx: Context) -> SimResponse:
    """`PUT /webhooks/{id}`: any of name, url, events, enabled, batchable."""
    hook = find(ctx)
    data = _validate(ctx.body(), creating=False)
    _check_batchable(data.get("events", hook.events), data.get("batchable", hook.batchable))
    for key, value in data.items():
        setattr(hook, key, value)
    hook.updated_at = ctx.state.now()
    return json_response(200, {"data": webhook_json(hook)})


def delete_webhook(ctx: Context) -> SimResponse:
    """`DELETE /webhooks/{id}` -> 204."""
    hook = find(ctx)
    del ctx.state.webhooks[hook.id]
    return no_content()
