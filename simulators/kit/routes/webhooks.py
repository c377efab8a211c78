"""`/v4/webhooks`: list, create (`{target_url, event: {name, ...}}`), delete.

Event names and their parameter (Kit's PHP SDK `create_webhook`): most events take none;
`subscriber.form_subscribe` needs `form_id`, `subscriber.course_subscribe`/`course_complete`
`course_id`, `subscriber.link_click` `initiator_value`, `subscriber.product_purchase`
`product_id`, `subscriber.tag_add`/`tag_remove` `tag_id`,
`custom_field.field_value_updated` `custom_field_id`. Deliveries are not signed.
"""

from __future__ import annotations

from typing import Any

from simulators.core.messages import SimResponse, json_response
from simulators.kit.errors import invalid, not_found
from simulators.kit.models import Webhook
from simulators.kit.pagination import Key, paginate
from simulators.kit.router import Context, Router

EVENT_PARAMETERS: dict[str, str | None] = {
    "subscriber.subscriber_activate": None,
    "subscriber.subscriber_unsubscribe": None,
    "subscriber.subscriber_bounce": None,
    "subscriber.subscriber_complain": None,
    "purchase.purchase_create": None,
    "custom_field.field_created": None,
    "custom_field.field_deleted": None,
    "subscriber.form_subscribe": "form_id",
    "subscriber.course_subscribe": "course_id",
    "subscriber.course_complete": "course_id",
    "subscriber.link_click": "initiator_value",
    "subscriber.product_purchase": "product_id",
    "subscriber.tag_add": "tag_id",
    "subscriber.tag_remove": "tag_id",
    "custom_field.field_value_updated": "custom_field_id",
}
"""Every event a webhook may subscribe to -> the parameter it requires (None: none)."""


def _key(hook: Webhook) -> Key:
    return (hook.id,)


def list_webhooks(ctx: Context) -> SimResponse:
    """`GET /webhooks`."""
    hooks = sorted(ctx.state.webhooks.values(), key=_key)
    page, pagination = paginate(hooks, _key, ctx.query)
    return json_response(200, {"webhooks": [h.to_json() for h in page], "pagination": pagination})


def _event(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict) or raw.get("name") not in EVENT_PARAMETERS:
        raise invalid("Event name is not a valid event")
    name = raw["name"]
    parameter = EVENT_PARAMETERS[name]
    event: dict[str, Any] = {"name": name}
    if parameter is not None:
        value = raw.get(parameter)
        if value in (None, ""):
            raise invalid(f"Event {parameter} can't be blank")
        event[parameter] = value
    return event


def create_webhook(ctx: Context) -> SimResponse:
    """`POST /webhooks`: 201 `{webhook}`."""
    body = ctx.body()
    target = body.get("target_url")
    if not isinstance(target, str) or not target.startswith(("http://", "https://")):
        raise invalid("Target url is invalid")
    event = _event(body.get("event"))
    if event["name"] in ("subscriber.tag_add", "subscriber.tag_remove"):
        ctx.state.tag(event["tag_id"])
    state = ctx.state
    hook = Webhook(state.webhook_ids.next(), state.account_id, event, target)
    state.webhooks[hook.id] = hook
    return json_response(201, {"webhook": hook.to_json()})


def delete_webhook(ctx: Context) -> SimResponse:
    """`DELETE /webhooks/{id}`: 204."""
    try:
        hook = ctx.state.webhooks.pop(int(ctx.params["id"]), None)
    except ValueError:
        hook = None
    if hook is None:
        raise not_found()
    return SimResponse(204)


def register(router: Router) -> None:
    """Add the webhook routes."""
    router.add("GET", "webhooks", list_webhooks)
    router.add("POST", "webhooks", create_webhook)
    router.add("DELETE", "webhooks/{id}", delete_webhook)
