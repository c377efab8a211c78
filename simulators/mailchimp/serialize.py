"""JSON shapes of the API's resources (audiences, members, merge fields, segments, webhooks)."""

from __future__ import annotations

from typing import Any

from simulators.mailchimp.models import Audience, Member, MergeField, Segment, Webhook
from simulators.mailchimp.state import State

_ADDRESS_KEYS = ("addr1", "addr2", "city", "state", "zip", "country")


def links(href: str, *, parent: str | None = None) -> list[dict[str, str]]:
    """The `_links` array: `self` (and `parent` when given)."""
    out = [{"rel": "self", "href": href, "method": "GET"}]
    if parent is not None:
        out.append({"rel": "parent", "href": parent, "method": "GET"})
    return out


def audience_json(audience: Audience, api: str) -> dict[str, Any]:
    """An audience with its statistics."""
    members = list(audience.members.values())
    count = {
        s: sum(1 for m in members if m.status == s)
        for s in ("subscribed", "unsubscribed", "cleaned")
    }
    return {
        "id": audience.id,
        "web_id": audience.web_id,
        "name": audience.name,
        "contact": audience.contact,
        "permission_reminder": audience.permission_reminder,
        "use_archive_bar": True,
        "campaign_defaults": audience.campaign_defaults,
        "notify_on_subscribe": audience.notify_on_subscribe,
        "notify_on_unsubscribe": audience.notify_on_unsubscribe,
        "date_created": audience.date_created,
        "list_rating": 0,
        "email_type_option": audience.email_type_option,
        "subscribe_url_short": f"http://eepurl.com/{audience.id[:6]}",
        "subscribe_url_long": f"https://example.us21.list-manage.com/subscribe?id={audience.id}",
        "beamer_address": f"us21-{audience.id}@inbound.mailchimp.com",
        "visibility": audience.visibility,
        "double_optin": audience.double_optin,
        "has_welcome": False,
        "marketing_permissions": False,
        "modules": [],
        "stats": {
            "member_count": count["subscribed"],
            "unsubscribe_count": count["unsubscribed"],
            "cleaned_count": count["cleaned"],
            "member_count_since_send": count["subscribed"],
            "unsubscribe_count_since_send": count["unsubscribed"],
            "cleaned_count_since_send": count["cleaned"],
            "campaign_count": 0,
            "merge_field_count": len(audience.merge_fields),
            "avg_sub_rate": 0,
            "avg_unsub_rate": 0,
            "target_sub_rate": 0,
            "open_rate": 0,
            "click_rate": 0,
        },
        "_links": links(f"{api}/lists/{audience.id}", parent=f"{api}/lists"),
    }


def merge_value(item: MergeField, member: Member) -> Any:
    """A member's value for a merge field as the API shows it (`""` when empty)."""
    value = member.merge_fields.get(item.tag)
    if value is None:
        return ""
    if item.type == "address" and isinstance(value, dict):
        return {key: value.get(key, "") for key in _ADDRESS_KEYS}
    return value


def member_json(state: State, audience: Audience, member: Member, api: str) -> dict[str, Any]:
    """A member: every merge field of its audience appears, empty ones as `""`."""
    tags = state.member_tags(audience, member)
    first = member.merge_fields.get("FNAME", "")
    last = member.merge_fields.get("LNAME", "")
    return {
        "id": member.id,
        "email_address": member.email_address,
        "unique_email_id": member.unique_email_id,
        "contact_id": member.contact_id,
        "full_name": f"{first} {last}".strip(),
        "web_id": member.web_id,
        "email_type": member.email_type,
        "status": member.status,
        "unsubscribe_reason": member.unsubscribe_reason if member.status == "unsubscribed" else "",
        "consents_to_one_to_one_messaging": True,
        "merge_fields": {
            item.tag: merge_value(item, member) for item in audience.merge_fields.values()
        },
        "stats": {"avg_open_rate": member.stats[0], "avg_click_rate": member.stats[1]},
        "ip_signup": member.ip_signup,
        "timestamp_signup": member.timestamp_signup,
        "ip_opt": member.ip_opt,
        "timestamp_opt": member.timestamp_opt,
        "member_rating": member.member_rating,
        "last_changed": member.last_changed,
        "language": member.language,
        "vip": member.vip,
        "email_client": "",
        "location": {
            "latitude": 0,
            "longitude": 0,
            "gmtoff": 0,
            "dstoff": 0,
            "country_code": "",
            "timezone": "",
        },
        "source": member.source,
        "tags_count": len(tags),
        "tags": [{"id": tag.id, "name": tag.name} for tag in tags],
        "list_id": audience.id,
        "_links": links(
            f"{api}/lists/{audience.id}/members/{member.id}",
            parent=f"{api}/lists/{audience.id}/members",
        ),
    }


def merge_field_json(audience: Audience, item: MergeField, api: str) -> dict[str, Any]:
    """A merge field."""
    return {
        "merge_id": item.merge_id,
        "tag": item.tag,
        "name": item.name,
        "type": item.type,
        "required": item.required,
        "default_value": item.default_value,
        "public": item.public,
        "display_order": item.display_order,
        "options": item.options,
        "help_text": item.help_text,
        "list_id": audience.id,
        "_links": links(f"{api}/lists/{audience.id}/merge-fields/{item.merge_id}"),
    }


def segment_json(state: State, audience: Audience, segment: Segment, api: str) -> dict[str, Any]:
    """A segment or tag with its live member count."""
    body: dict[str, Any] = {
        "id": segment.id,
        "name": segment.name,
        "member_count": len(state.segment_members(audience, segment)),
        "type": segment.type,
        "created_at": segment.created_at,
        "updated_at": segment.updated_at,
        "list_id": audience.id,
        "_links": links(f"{api}/lists/{audience.id}/segments/{segment.id}"),
    }
    if segment.type == "saved":
        body["options"] = {"match": segment.match, "conditions": segment.conditions}
    return body


def webhook_json(audience: Audience, hook: Webhook, api: str) -> dict[str, Any]:
    """A webhook."""
    return {
        "id": hook.id,
        "url": hook.url,
        "events": hook.events,
        "sources": hook.sources,
        "list_id": audience.id,
        "_links": links(f"{api}/lists/{audience.id}/webhooks/{hook.id}"),
    }
