"""The hand-written baseline: what a developer would write for each provider without Unimap.

For each provider in `mappings/`: a listing loop (httpx, stdlib `json`, the provider's own
pagination) and a mapping of one provider record to the unified contact, written in plain
Python to give exactly what `mappings/<provider>/contacts.yaml` gives. The benchmark checks
that record by record against the engine before it times anything
(`tests/bench/test_hand_baseline.py` does the same on a small account).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

Record = dict[str, Any]


def iso(value: Any) -> str | None:
    """`YYYY-MM-DD HH:MM:SS` (UTC) or ISO-8601 → `YYYY-MM-DDTHH:MM:SSZ`; empty → None."""
    if value is None or value == "":
        return None
    if len(value) == 19 and value[10] == " ":
        return f"{value[:10]}T{value[11:]}Z"
    if value.endswith("Z") and len(value) == 20:
        return value
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _blank(value: Any) -> Any:
    return None if value == "" else value


# --------------------------------------------------------------------------- mailerlite
_ML_STATUS = {
    "active": "active",
    "unsubscribed": "unsubscribed",
    "unconfirmed": "unconfirmed",
    "bounced": "bounced",
    "junk": "cleaned",
}
_ML_CONSUMED = frozenset({"name", "last_name", "phone", "city", "state", "country", "z_i_p", "zip"})


def map_mailerlite(raw: Record) -> Record:
    """A MailerLite subscriber as a unified contact (mirrors contacts.yaml)."""
    fields = raw.get("fields") or {}
    first, last = _blank(fields.get("name")), _blank(fields.get("last_name"))
    full = " ".join(part for part in (first, last) if part)
    status = raw.get("status")
    phone = _blank(fields.get("phone"))
    city, state = _blank(fields.get("city")), _blank(fields.get("state"))
    country = _blank(fields.get("country"))
    postal = _blank(fields.get("z_i_p")) or _blank(fields.get("zip"))
    addresses = (
        [{"street_1": None, "street_2": None, "city": city, "state": state,
          "postal_code": postal, "country": country, "type": None}]
        if (city or state or country or postal) else []
    )
    return {
        "id": raw.get("id"),
        "email": raw.get("email"),
        "first_name": first,
        "last_name": last,
        "name": full or None,
        "status": None if status is None else _ML_STATUS.get(status, "active"),
        "phones": [{"phone": phone, "type": None}] if phone else [],
        "addresses": addresses,
        "lists": [{"id": g.get("id"), "name": g.get("name")} for g in raw.get("groups") or []],
        "tags": [],
        "custom_fields": {k: _blank(v) for k, v in fields.items() if k not in _ML_CONSUMED},
        "subscribed_at": iso(raw.get("subscribed_at")),
        "unsubscribed_at": iso(raw.get("unsubscribed_at")),
        "created_at": iso(raw.get("created_at")),
        "updated_at": iso(raw.get("updated_at")),
        "remote_data": raw,
    }


def list_mailerlite(client: httpx.Client, page_size: int, query: Record) -> Iterator[Record]:
    """Every subscriber with its groups, following `meta.next_cursor`."""
    params: dict[str, Any] = {"include": "groups", "limit": page_size}
    for _ in range(1_000_000):  # bounded
        body = _get(client, "/subscribers", params)
        yield from body["data"]
        cursor = (body.get("meta") or {}).get("next_cursor")
        if not cursor or not body["data"]:
            return
        params["cursor"] = cursor


# --------------------------------------------------------------------------- mailchimp
_MC_STATUS = {
    "subscribed": "active",
    "unsubscribed": "unsubscribed",
    "pending": "unconfirmed",
    "cleaned": "cleaned",
    "transactional": "unsubscribed",
    "archived": "unsubscribed",
}
_MC_RESERVED = frozenset({"FNAME", "LNAME", "PHONE", "ADDRESS"})


def _mc_address(address: Any) -> list[Record]:
    if not isinstance(address, dict) or not address.get("addr1"):
        return []
    return [{
        "street_1": address["addr1"],
        "street_2": _blank(address.get("addr2")),
        "city": _blank(address.get("city")),
        "state": _blank(address.get("state")),
        "postal_code": _blank(address.get("zip")),
        "country": _blank(address.get("country")),
        "type": None,
    }]


def map_mailchimp(raw: Record) -> Record:
    """A Mailchimp audience member as a unified contact (mirrors contacts.yaml)."""
    merge = raw.get("merge_fields") or {}
    phone = _blank(merge.get("PHONE"))
    list_id = _blank(raw.get("list_id"))
    member = _blank(raw.get("id"))
    status = raw.get("status")
    signup, opt = iso(raw.get("timestamp_signup")), iso(raw.get("timestamp_opt"))
    changed = iso(raw.get("last_changed"))
    return {
        "id": f"{quote(list_id, safe='')}:{quote(member, safe='')}" if list_id and member else None,
        "email": _blank(raw.get("email_address")),
        "first_name": _blank(merge.get("FNAME")),
        "last_name": _blank(merge.get("LNAME")),
        "name": _blank(raw.get("full_name")),
        "status": None if status is None else _MC_STATUS.get(status, "unsubscribed"),
        "phones": [{"phone": phone, "type": None}] if phone else [],
        "addresses": _mc_address(merge.get("ADDRESS")),
        "lists": [{"id": list_id, "name": None}],
        "tags": [{"id": str(t.get("id")), "name": _blank(t.get("name"))}
                 for t in raw.get("tags") or []],
        "custom_fields": {k: _blank(v) for k, v in merge.items()
                          if k not in _MC_RESERVED and not isinstance(v, dict)},
        "subscribed_at": opt,
        "unsubscribed_at": None,
        "created_at": signup or opt or changed,
        "updated_at": changed,
        "remote_data": raw,
    }


def list_mailchimp(client: httpx.Client, page_size: int, query: Record) -> Iterator[Record]:
    """Every member of one audience, by `offset`/`count` until `total_items`."""
    path = f"/lists/{query['list_id']}/members"
    offset = 0
    for _ in range(1_000_000):  # bounded
        body = _get(client, path, {"count": page_size, "offset": offset})
        members = body["members"]
        yield from members
        offset += len(members)
        if not members or offset >= body.get("total_items", 0):
            return


# --------------------------------------------------------------------------- brevo
_BREVO_RESERVED = frozenset({"FIRSTNAME", "LASTNAME", "SMS"})


def map_brevo(raw: Record) -> Record:
    """A Brevo contact as a unified contact (mirrors contacts.yaml)."""
    attributes = raw.get("attributes") or {}
    first, last = _blank(attributes.get("FIRSTNAME")), _blank(attributes.get("LASTNAME"))
    sms = _blank(attributes.get("SMS"))
    full = " ".join(str(part) for part in (first, last) if part is not None)
    ident = raw.get("id")
    return {
        "id": None if ident is None else str(ident),
        "email": _blank(raw.get("email")),
        "first_name": first,
        "last_name": last,
        "name": full or None,
        "status": "unsubscribed" if raw.get("emailBlacklisted") else "active",
        "phones": [{"phone": str(sms), "type": None}] if sms else [],
        "addresses": [],
        "lists": [{"id": str(i), "name": None} for i in raw.get("listIds") or []],
        "tags": [],
        "custom_fields": {k: _blank(v) for k, v in attributes.items() if k not in _BREVO_RESERVED},
        "subscribed_at": None,
        "unsubscribed_at": None,
        "created_at": iso(raw.get("createdAt")),
        "updated_at": iso(raw.get("modifiedAt")),
        "remote_data": raw,
    }


def list_brevo(client: httpx.Client, page_size: int, query: Record) -> Iterator[Record]:
    """Every contact, by `offset`/`limit` until `count`."""
    offset = 0
    for _ in range(1_000_000):  # bounded
        body = _get(client, "/contacts", {"limit": page_size, "offset": offset})
        contacts = body.get("contacts") or []
        yield from contacts
        offset += len(contacts)
        if not contacts or offset >= body.get("count", 0):
            return


# --------------------------------------------------------------------------- kit
_KIT_STATUS = {
    "active": "active",
    "inactive": "unconfirmed",
    "cancelled": "unsubscribed",
    "bounced": "bounced",
    "complained": "complained",
}


def map_kit(raw: Record) -> Record:
    """A Kit subscriber as a unified contact (mirrors contacts.yaml)."""
    fields = raw.get("fields") or {}
    first, last = _blank(raw.get("first_name")), _blank(fields.get("last_name"))
    full = " ".join(str(part) for part in (first, last) if part is not None)
    state = raw.get("state")
    tags = raw.get("tags")
    return {
        "id": str(raw["id"]) if raw.get("id") is not None else None,
        "email": _blank(raw.get("email_address")),
        "first_name": first,
        "last_name": last,
        "name": full or None,
        "status": None if state is None else _KIT_STATUS.get(state, "active"),
        "phones": [],
        "addresses": [],
        "lists": None if tags is None else [
            {"id": str(t.get("id")), "name": _blank(t.get("name"))} for t in tags
        ],
        "tags": [],
        "custom_fields": {k: _blank(v) for k, v in fields.items() if k != "last_name"},
        "subscribed_at": None,
        "unsubscribed_at": iso(raw.get("canceled_at")),
        "created_at": iso(raw.get("created_at")),
        "updated_at": None,
        "remote_data": raw,
    }


def list_kit(client: httpx.Client, page_size: int, query: Record) -> Iterator[Record]:
    """Every subscriber with its tags, following `pagination.end_cursor` while there is more."""
    params: dict[str, Any] = {"status": "all", "include": "tags", "per_page": page_size}
    for _ in range(1_000_000):  # bounded
        body = _get(client, "/subscribers", params)
        yield from body["subscribers"]
        pagination = body.get("pagination") or {}
        if not pagination.get("has_next_page") or not pagination.get("end_cursor"):
            return
        params["after"] = pagination["end_cursor"]


# --------------------------------------------------------------------------- shared
def _get(client: httpx.Client, path: str, params: dict[str, Any]) -> Any:
    response = client.get(path, params=params)
    response.raise_for_status()
    return json.loads(response.content)


HEADERS: dict[str, Callable[[str], dict[str, str]]] = {
    "mailerlite": lambda key: {"Authorization": f"Bearer {key}"},
    "mailchimp": lambda key: {
        "Authorization": "Basic " + base64.b64encode(f"anystring:{key}".encode()).decode()
    },
    "brevo": lambda key: {"api-key": key},
    "kit": lambda key: {"X-Kit-Api-Key": key},
}
LISTERS: dict[str, Callable[[httpx.Client, int, Record], Iterator[Record]]] = {
    "mailerlite": list_mailerlite,
    "mailchimp": list_mailchimp,
    "brevo": list_brevo,
    "kit": list_kit,
}
MAPPERS: dict[str, Callable[[Record], Record]] = {
    "mailerlite": map_mailerlite,
    "mailchimp": map_mailchimp,
    "brevo": map_brevo,
    "kit": map_kit,
}


def client(
    provider: str, base_url: str, api_key: str, transport: httpx.BaseTransport | None = None
) -> httpx.Client:
    """The hand-written loop's client: the provider's auth header and JSON headers."""
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    return httpx.Client(
        base_url=base_url,
        headers={**headers, **HEADERS[provider](api_key)},
        timeout=30.0,
        transport=transport,
    )


def contacts(
    provider: str, http: httpx.Client, page_size: int, query: Record
) -> Iterator[Record]:
    """Every contact of the account as a unified contact, by hand."""
    mapper = MAPPERS[provider]
    for raw in LISTERS[provider](http, page_size, query):
        yield mapper(raw)
