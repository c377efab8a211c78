"""Checks of request bodies; problems are collected as Mailchimp's `errors: [{field, message}]`."""

from __future__ import annotations

import re
from typing import Any

from simulators.mailchimp.errors import invalid_resource
from simulators.mailchimp.models import MERGE_TYPES, WRITABLE_STATUSES, Audience, MergeField
from simulators.mailchimp.state import State

Errors = list[dict[str, str]]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ADDRESS_REQUIRED = ("addr1", "city", "state", "zip")


def fail_if(errors: Errors, detail: str | None = None) -> None:
    """Raise 400 `Invalid Resource` when anything was collected."""
    if errors:
        raise invalid_resource(errors, detail)


def email(value: Any) -> str:
    """A valid address (trimmed) or 400 `Invalid Resource` "Please provide a valid email"."""
    text = value.strip() if isinstance(value, str) else ""
    if not _EMAIL.match(text):
        raise invalid_resource(
            [{"field": "email_address", "message": "This value should be a valid email."}],
            "Please provide a valid email address.",
        )
    return text


def status(value: Any, name: str, errors: Errors) -> str | None:
    """A writable member status, or None (absent); collects an enum error."""
    if value is None:
        return None
    if value not in WRITABLE_STATUSES:
        errors.append(
            {
                "field": name,
                "message": f"Schema describes enum, {value!r} found instead. Possible values: "
                + ", ".join(WRITABLE_STATUSES),
            }
        )
        return None
    return str(value)


def merge_values(
    raw: Any, audience: Audience, state: State, errors: Errors, *, creating: bool, skip: bool
) -> dict[str, Any]:
    """Values keyed by the audience's tags. Unknown tags are ignored (as the API does);
    required fields are enforced on create unless `skip_merge_validation=true`."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        errors.append({"field": "merge_fields", "message": "Schema describes object"})
        return {}
    tags = state.merge_tags(audience)
    out: dict[str, Any] = {}
    for tag, value in raw.items():
        item = tags.get(str(tag).upper())
        if item is None:
            continue
        checked = _merge_value(item, value, errors)
        if checked is not _INVALID:
            out[item.tag] = checked
    if creating and not skip:
        for item in tags.values():
            if item.required and out.get(item.tag) in (None, ""):
                errors.append({"field": item.tag, "message": "Please enter a value"})
    return out


_INVALID = object()


def _merge_value(item: MergeField, value: Any, errors: Errors) -> Any:
    if value is None or value == "":
        return ""
    if item.type == "address":
        if not isinstance(value, dict) or any(not value.get(k) for k in _ADDRESS_REQUIRED):
            errors.append({"field": item.tag, "message": "Please enter a complete address"})
            return _INVALID
        return {
            k: str(value.get(k, "")) for k in ("addr1", "addr2", "city", "state", "zip", "country")
        }
    if item.type == "number":
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            errors.append({"field": item.tag, "message": "Please enter a number"})
            return _INVALID
        try:
            number = float(value)
        except ValueError:
            errors.append({"field": item.tag, "message": "Please enter a number"})
            return _INVALID
        return int(number) if number.is_integer() else number
    if isinstance(value, dict | list):
        errors.append({"field": item.tag, "message": "Please enter a value"})
        return _INVALID
    text = str(value)
    choices = item.options.get("choices")
    if item.type in ("radio", "dropdown") and choices and text not in choices:
        errors.append({"field": item.tag, "message": "Please choose one of the options"})
        return _INVALID
    return text


def audience_body(body: dict[str, Any], *, creating: bool) -> None:
    """The fields of `POST /lists` (all required) or `PATCH /lists/{id}`."""
    errors: Errors = []
    required = {
        "name": str,
        "contact": dict,
        "permission_reminder": str,
        "campaign_defaults": dict,
        "email_type_option": bool,
    }
    for name, kind in required.items():
        if name not in body:
            if creating:
                errors.append({"field": name, "message": "This value should not be blank."})
        elif not isinstance(body[name], kind):
            errors.append({"field": name, "message": f"Schema describes {kind.__name__}"})
    contact = body.get("contact")
    if isinstance(contact, dict):
        for key in ("company", "address1", "city", "country"):
            if creating and not contact.get(key):
                errors.append(
                    {"field": f"contact.{key}", "message": "This value should not be blank."}
                )
    defaults = body.get("campaign_defaults")
    if isinstance(defaults, dict):
        for key in ("from_name", "from_email", "subject", "language"):
            if creating and key not in defaults:
                errors.append(
                    {
                        "field": f"campaign_defaults.{key}",
                        "message": "This value should not be blank.",
                    }
                )
    fail_if(errors)


def merge_field_body(body: dict[str, Any], *, creating: bool) -> None:
    """The fields of `POST`/`PATCH .../merge-fields`."""
    errors: Errors = []
    if creating and not body.get("name"):
        errors.append({"field": "name", "message": "This value should not be blank."})
    if creating and body.get("type") not in MERGE_TYPES:
        errors.append(
            {
                "field": "type",
                "message": "Schema describes enum. Possible values: " + ", ".join(MERGE_TYPES),
            }
        )
    tag = body.get("tag")
    if tag is not None and (
        not isinstance(tag, str) or not re.fullmatch(r"[A-Za-z0-9_]{1,10}", tag)
    ):
        errors.append(
            {"field": "tag", "message": "Merge tags are at most 10 letters, digits or _."}
        )
    fail_if(errors)
