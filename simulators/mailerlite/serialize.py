"""Turn records into MailerLite-shaped JSON objects (key order as in the real responses)."""

from __future__ import annotations

from typing import Any

from simulators.core.clock import iso_timestamp
from simulators.mailerlite.models import Field, Group, Subscriber, Webhook

JsonDict = dict[str, Any]


def _number(value: float) -> int | float:
    """A float as an int when it is integral (MailerLite prints `0`, `1`, `100`, `87.5`)."""
    return int(value) if value == int(value) else value


def percentage(part: int, whole: int) -> int | float:
    """A 0-100 percentage with two decimals, as on subscriber `open_rate`/`click_rate`."""
    if whole <= 0:
        return 0
    return _number(round(min(part / whole, 1.0) * 100, 2))


def rate(part: int, whole: int) -> JsonDict:
    """A `{float, string}` rate object as on groups and segments (`float` is a 0-1 fraction)."""
    fraction = 0.0 if whole <= 0 else min(part / whole, 1.0)
    return {
        "float": _number(round(fraction, 14)),
        "string": f"{round(fraction * 100, 2):g}%",
    }


def subscriber_json(
    sub: Subscriber, field_keys: list[str], groups: list[JsonDict] | None = None
) -> JsonDict:
    """The REST subscriber object; `groups` is added only when given (list rows omit it)."""
    values = sub.fields
    body: JsonDict = {
        "id": str(sub.id),
        "email": sub.email,
        "status": sub.status,
        "source": sub.source,
        "sent": sub.sent,
        "opens_count": sub.opens_count,
        "clicks_count": sub.clicks_count,
        "open_rate": percentage(sub.opens_count, sub.sent),
        "click_rate": percentage(sub.clicks_count, sub.sent),
        "ip_address": sub.ip_address,
        "subscribed_at": sub.subscribed_at,
        "unsubscribed_at": sub.unsubscribed_at,
        "created_at": sub.created_at,
        "updated_at": sub.updated_at,
        "fields": {key: values.get(key) for key in field_keys},
    }
    if groups is not None:
        body["groups"] = groups
    body["opted_in_at"] = sub.opted_in_at
    body["optin_ip"] = sub.optin_ip
    return body


def forgotten_subscriber_json(
    sub: Subscriber, field_keys: list[str], groups: list[JsonDict], deleted_at: str, forget_at: str
) -> JsonDict:
    """The subscriber object of a forget response (adds `deleted_at`, `forget_at`, `location`)."""
    body = subscriber_json(sub, field_keys)
    out: JsonDict = {}
    for key, value in body.items():
        if key == "fields":
            out["deleted_at"] = deleted_at
            out["forget_at"] = forget_at
        out[key] = value
        if key == "fields":
            out["groups"] = groups
            out["location"] = None
    return out


def webhook_subscriber_json(
    sub: Subscriber, field_keys: list[str], deleted_at: str | None = None
) -> JsonDict:
    """The subscriber as webhook payloads carry it: ISO timestamps, `deleted_at`, `forget_at`,
    `location`, no `groups`."""
    rest = subscriber_json(sub, field_keys)
    out: JsonDict = {}
    for key, value in rest.items():
        if key in ("subscribed_at", "unsubscribed_at", "created_at", "updated_at", "opted_in_at"):
            value = iso_timestamp(value)
        if key == "fields":
            out["deleted_at"] = iso_timestamp(deleted_at)
            out["forget_at"] = None
        out[key] = value
    out["location"] = None
    return out


def group_json(group: Group) -> JsonDict:
    """The REST group object with counts computed from current memberships."""
    counts = group.counts
    return {
        "id": str(group.id),
        "name": group.name,
        "active_count": counts["active"],
        "sent_count": group.sent_count,
        "opens_count": group.opens_count,
        "open_rate": rate(group.opens_count, group.sent_count),
        "clicks_count": group.clicks_count,
        "click_rate": rate(group.clicks_count, group.sent_count),
        "unsubscribed_count": counts["unsubscribed"],
        "unconfirmed_count": counts["unconfirmed"],
        "bounced_count": counts["bounced"],
        "junk_count": counts["junk"],
        "created_at": group.created_at,
    }


def field_json(item: Field, *, in_list: bool = False) -> JsonDict:
    """The REST field object (`used_in_automations` only appears in lists)."""
    body: JsonDict = {
        "id": str(item.id),
        "name": item.name,
        "key": item.key,
        "type": item.type,
        "is_default": item.is_default,
    }
    if in_list:
        body["used_in_automations"] = False
    return body


def webhook_json(hook: Webhook) -> JsonDict:
    """The REST webhook object (secret in clear, as MailerLite returns it)."""
    return {
        "id": str(hook.id),
        "name": hook.name,
        "url": hook.url,
        "events": list(hook.events),
        "enabled": hook.enabled,
        "is_blocked": hook.is_blocked,
        "secret": hook.secret,
        "created_at": hook.created_at,
        "updated_at": hook.updated_at,
        "batchable": hook.batchable,
        "version": hook.version,
        "last_fired_at": hook.last_fired_at,
        "response_code": hook.response_code,
    }
