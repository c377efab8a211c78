"""Splitting a verified delivery into events and normalising each into a unified event."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from engine.errors import ConfigurationError, UnimapError, ValidationError
from engine.expressions.functions import to_iso8601
from engine.loader import ProviderMapping
from engine.plan.records import RecordMapper
from engine.plan.scope import RecordIdentity
from engine.webhooks.form import parse_form

if TYPE_CHECKING:
    from engine.format.provider import WebhookSpec

logger = logging.getLogger("unimap.webhooks")

_PROVIDER_NAME = re.compile(r"[^A-Za-z0-9_.:-]+")


def webhook_spec(mapping: ProviderMapping) -> WebhookSpec:
    """The provider's webhook section, or a clear error when it declares none."""
    spec = mapping.provider.webhooks
    if spec is None:
        raise ConfigurationError(f"{mapping.provider.label} declares no webhook handling")
    return spec


def parse_body(raw_body: bytes | str, body_format: str = "json") -> Any:
    """The delivery's body: JSON, or a form turned into nested objects (`body_format: form`).
    Call only after the delivery was verified."""
    if body_format == "form":
        return parse_form(raw_body)
    try:
        return json.loads(raw_body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError(f"the webhook body is not valid JSON: {exc}") from None
    except RecursionError:
        raise ValidationError("the webhook body is nested too deeply") from None


def split(mapping: ProviderMapping, payload: Any) -> list[dict[str, Any]]:
    """The events of one delivery: the items of the batch array (`batch_path`) when the body
    has one, else the body itself as a single event. Non-object items are skipped."""
    spec = webhook_spec(mapping)
    if not isinstance(payload, dict):
        raise ValidationError("the webhook body is not a JSON object")
    if spec.batch_path is not None:
        batch = mapping.expression(spec.batch_path).search(payload)
        if isinstance(batch, list):
            return [item for item in batch if isinstance(item, dict)]
    return [payload]


def canonical_json(value: Any) -> str:
    """Key-sorted compact JSON, so equal events give equal text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def event_id(provider: str, raw_event: Any, url_type: str | None = None) -> str:
    """A stable id: sha256 over the provider and the canonical raw event (and the event name
    its URL gave, when any: equal bodies of different events differ). It does not depend on
    where the event sits in its delivery, so a redelivery gives the same ids even when the
    provider batches the events differently; two identical events are one event."""
    text = f"{provider}\0{canonical_json(raw_event)}"
    if url_type is not None:
        text += f"\0{url_type}"
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass"))  # JSON allows lone ones
    return "evt_" + digest.hexdigest()[:40]


def unified_type(spec: WebhookSpec, name: Any) -> str:
    """The unified type of a provider event name; unknown names become `provider.<name>`."""
    if isinstance(name, str) and name in spec.events.types:
        return spec.events.types[name]
    text = _PROVIDER_NAME.sub("_", name if isinstance(name, str) else "") or "unknown"
    return f"provider.{text}"


def _mapper(mapping: ProviderMapping, resource: str) -> RecordMapper | None:
    resource_file = mapping.resources.get(resource)
    if resource_file is None:
        return None
    return RecordMapper(mapping, resource, resource_file.fields)


def _event_name(mapping: ProviderMapping, raw_event: Any, url_type: str | None) -> Any:
    """The provider's event name: at `type_path`, else the one the delivery URL gave."""
    path = webhook_spec(mapping).events.type_path
    name = mapping.expression(path).search(raw_event) if path is not None else None
    return url_type if name in (None, "") and url_type else name


def normalise(
    mapping: ProviderMapping,
    raw_event: dict[str, Any],
    *,
    account_id: str | None = None,
    received_at: datetime | None = None,
    url_type: str | None = None,
) -> dict[str, Any]:
    """One unified event (`schemas/unified/marketing_automation/event.json`).

    * `contact`: the record at `contact_path` mapped with the provider's `contacts` fields
      (with `remote_data`); for `provider.*` events only when it has an id and an email.
    * `list`: the record at `list_path` mapped with the `lists` fields; keys a partial object
      lacks (e.g. a provider sending `{id, name}`) come out `null`.
    * `occurred_at`: `occurred_at_path` through `to_iso8601`, else the time received.
    * `account_id`: `account_path`, else the given `account_id`, else `null`.
    * `type`: the name at `type_path`, else `url_type` (the delivery URL's `type_param`).
    """
    spec = webhook_spec(mapping)
    events = spec.events
    kind = unified_type(spec, _event_name(mapping, raw_event, url_type))
    contact: dict[str, Any] | None = None
    source = mapping.expression(events.contact_path).search(raw_event)
    contacts = _mapper(mapping, "contacts")
    if isinstance(source, dict) and contacts is not None:
        mapped = contacts.map(source)
        contact_file = mapping.resources["contacts"]
        if RecordIdentity.needed(contact_file):  # a composite id is built from the record
            RecordIdentity(mapping, contact_file).apply(source, mapped, None)
        if not kind.startswith("provider.") or (mapped.get("id") and mapped.get("email")):
            contact = mapped
    list_record: dict[str, Any] | None = None
    if events.list_path is not None:
        group = mapping.expression(events.list_path).search(raw_event)
        lists = _mapper(mapping, "lists")
        if isinstance(group, dict) and lists is not None:
            list_record = lists.map(group)
    occurred = None
    if events.occurred_at_path is not None:
        occurred = to_iso8601(mapping.expression(events.occurred_at_path).search(raw_event))
    if occurred is None:
        occurred = (received_at or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    account = None
    if events.account_path is not None:
        found = mapping.expression(events.account_path).search(raw_event)
        account = None if found in (None, "") else str(found)
    return {
        "id": event_id(mapping.name, raw_event, url_type or None),
        "type": kind,
        "provider": mapping.name,
        "account_id": account if account is not None else account_id,
        "occurred_at": occurred,
        "contact": contact,
        "list": list_record,
        "raw": raw_event,
    }


def normalise_all(
    mapping: ProviderMapping,
    payload: Any,
    *,
    account_id: str | None = None,
    url_type: str | None = None,
) -> list[dict[str, Any]]:
    """Split a parsed delivery and normalise every event in order (`url_type`: the event
    name the delivery URL carried, see `events.type_param`)."""
    received = datetime.now(UTC)
    events = []
    for index, item in enumerate(split(mapping, payload)):
        try:
            event = normalise(
                mapping, item, account_id=account_id, received_at=received, url_type=url_type
            )
        except (UnimapError, RecursionError, ValueError, TypeError) as exc:
            event = unreadable_event(mapping.name, item, index, received, account_id)
            reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            logger.warning("%s webhook event %d is unreadable: %s", mapping.name, index, reason)
        events.append(event)
    return events


def unreadable_event(
    provider: str, raw_event: Any, index: int, received_at: datetime, account_id: str | None
) -> dict[str, Any]:
    """The event that stands for one the engine cannot normalise (`provider.unreadable`), so
    the rest of its delivery is still delivered; `raw` is `{}` when the event cannot even be
    serialised (nested too deeply; its id then depends on its position in the delivery)."""
    try:
        canonical_json(raw_event)
        raw, marker = raw_event, "unreadable"
    except (RecursionError, ValueError):
        raw, marker = {}, f"unreadable:{index}"
    return {
        "id": event_id(provider, raw, marker),
        "type": "provider.unreadable",
        "provider": provider,
        "account_id": account_id,
        "occurred_at": received_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "contact": None,
        "list": None,
        "raw": raw,
    }


def url_event_type(spec: WebhookSpec, pairs: list[tuple[str, str]]) -> str | None:
    """The provider event named by the delivery URL's `type_param` (None when not declared
    or absent; a repeated parameter is refused)."""
    param = spec.events.type_param
    if param is None:
        return None
    found = [value for name, value in pairs if name == param]
    if len(found) > 1:
        raise ValidationError(f"the webhook delivery URL has more than one '{param}' parameter")
    return found[0] if found and found[0] else None
