"""One provider webhook per event (`webhooks.subscriptions.per_event: true`).

Some providers create a webhook for exactly one event. `subscribe` then creates one webhook
per provider event and answers one subscription whose id joins the provider ids
(`12,13`); `list` groups webhooks sharing a URL (without the `events.type_param` parameter)
the same way; `unsubscribe` deletes every id the joined id lists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from engine.errors import FieldProblem, UnimapError, ValidationError
from engine.loader import ProviderMapping
from engine.plan.build import fixed_request
from engine.plan.messages import Plan
from engine.plan.responses import raise_for_response

if TYPE_CHECKING:
    from engine.format.provider import WebhookSpec, WebhookSubscriptionSpec

SEPARATOR = ","
"""Between the provider ids of one unified subscription id."""

Describe = Callable[[ProviderMapping, Any], dict[str, Any]]


def join_ids(ids: list[str]) -> str:
    """The unified id of provider webhooks: their ids in a stable order (numbers by value)."""
    return SEPARATOR.join(sorted(ids, key=lambda value: (len(value), value)))


def split_ids(webhook_id: str) -> list[str]:
    """The provider ids a unified id lists (a plain provider id lists itself)."""
    ids = [part for part in str(webhook_id).split(SEPARATOR) if part]
    if not ids:
        raise ValidationError(
            "a webhook id is needed", details=[FieldProblem("id", "lists no webhook")]
        )
    return ids


def event_url(spec: WebhookSpec, url: str, event: str) -> str:
    """The URL the webhook of `event` calls: `url` plus `<type_param>=<event>` when declared."""
    param = spec.events.type_param
    if param is None:
        return url
    parts = urlsplit(url)
    if any(name == param for name, _ in parse_qsl(parts.query, keep_blank_values=True)):
        raise ValidationError(
            f"the webhook URL already has a '{param}' parameter",
            details=[FieldProblem("url", f"must not carry '{param}' (the engine adds it)")],
        )
    extra = urlencode({param: event})
    return parts._replace(query=f"{parts.query}&{extra}" if parts.query else extra).geturl()


def base_url(spec: WebhookSpec, url: Any) -> Any:
    """`url` without its `type_param` parameter (what the caller subscribed)."""
    param = spec.events.type_param
    if param is None or not isinstance(url, str):
        return url
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    return parts._replace(query=urlencode([(k, v) for k, v in pairs if k != param])).geturl()


def merge(spec: WebhookSpec, hooks: list[dict[str, Any]]) -> dict[str, Any]:
    """One unified subscription for provider webhooks of the same URL."""
    merged: dict[str, Any] = {
        "id": join_ids([hook["id"] for hook in hooks]),
        "url": base_url(spec, hooks[0]["url"]),
        "events": [],
        "provider_events": [],
    }
    for hook in hooks:
        for key in ("events", "provider_events"):
            merged[key] += [name for name in hook[key] if name not in merged[key]]
        if "secret" in hook:
            merged.setdefault("secret", hook["secret"])
    return merged


def group(spec: WebhookSpec, hooks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Provider webhooks grouped by URL (first-seen order), each group merged."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for hook in hooks:
        groups.setdefault(str(base_url(spec, hook["url"])), []).append(hook)
    return [merge(spec, members) for members in groups.values()]


def _delete(
    mapping: ProviderMapping,
    subs: WebhookSubscriptionSpec,
    values: dict[str, Any],
    webhook_id: str,
) -> Plan[None]:
    response = yield fixed_request(
        mapping, subs.delete, values={**values, "id": webhook_id}, purpose="webhooks.unsubscribe"
    )
    raise_for_response(mapping, response, what="webhooks.unsubscribe")


def _fail(error: UnimapError, text: str) -> UnimapError:
    error.message = f"{error.message} ({text})"
    error.args = (error.message,)
    return error


def subscribe_each(
    mapping: ProviderMapping,
    spec: WebhookSpec,
    body_of: Callable[[dict[str, Any]], dict[str, Any]],
    data: dict[str, Any],
    values: dict[str, Any],
    describe: Describe,
) -> Plan[dict[str, Any]]:
    """Create one webhook per provider event of `data["events"]`; when one fails, delete the
    ones created (the error names the event, and any webhook left behind)."""
    subs = spec.subscriptions
    assert subs is not None
    created: list[dict[str, Any]] = []
    for event in data["events"]:
        one = {**data, "url": event_url(spec, data["url"], event), "events": [event]}
        try:
            response = yield fixed_request(
                mapping,
                subs.create,
                values=values,
                body=body_of({**one, "event": event}),
                purpose="webhooks.subscribe",
            )
            raise_for_response(mapping, response, what="webhooks.subscribe")
            created.append(
                describe(mapping, mapping.expression(subs.record_path).search(response.body))
            )
        except UnimapError as error:
            left = yield from _roll_back(mapping, subs, values, [h["id"] for h in created])
            note = f"creating the webhook of {event!r} failed"
            if left:
                note += "; these webhooks could not be deleted again: " + ", ".join(left)
            elif created:
                note += "; the webhooks created before it were deleted again"
            raise _fail(error, note) from None
    return merge(spec, created)


def _roll_back(
    mapping: ProviderMapping,
    subs: WebhookSubscriptionSpec,
    values: dict[str, Any],
    ids: list[str],
) -> Plan[list[str]]:
    left: list[str] = []
    for webhook_id in ids:
        try:
            yield from _delete(mapping, subs, values, webhook_id)
        except UnimapError:
            left.append(webhook_id)
    return left


def unsubscribe_each(
    mapping: ProviderMapping,
    subs: WebhookSubscriptionSpec,
    values: dict[str, Any],
    webhook_id: str,
) -> Plan[dict[str, Any]]:
    """Delete every provider webhook a unified id lists; when one fails, the error says which
    were deleted and which remain."""
    ids = split_ids(webhook_id)
    for index, one in enumerate(ids):
        try:
            yield from _delete(mapping, subs, values, one)
        except UnimapError as error:
            note = f"deleting webhook {one} failed"
            if index:
                note += "; deleted: " + ", ".join(ids[:index])
            if ids[index + 1 :]:
                note += "; not tried: " + ", ".join(ids[index + 1 :])
            raise _fail(error, note) from None
    return {"id": str(webhook_id)}
