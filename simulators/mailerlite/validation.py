"""Input validation helpers producing Laravel-style messages for 422 `errors` maps.

Each helper adds messages to an `errors` dict (field path -> list of messages) and returns the
cleaned value; the caller raises `validation_error(errors)` once everything is checked, so a
response lists every problem at once, as Laravel does.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import date, datetime
from typing import Any

from simulators.mailerlite.models import STATUSES
from simulators.mailerlite.state import State

Errors = dict[str, list[str]]

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
"""A pragmatic email check (local@domain.tld, no whitespace)."""


def add(errors: Errors, key: str, message: str) -> None:
    """Record one message under `key`."""
    errors.setdefault(key, []).append(message)


def email(value: Any, errors: Errors, *, required: bool) -> str | None:
    """A valid email, lower-cased."""
    if value is None or value == "":
        if required:
            add(errors, "email", "The email field is required.")
        return None
    if not isinstance(value, str) or not EMAIL_RE.match(value.strip()):
        add(errors, "email", "The email must be a valid email address.")
        return None
    return value.strip().lower()


def status(value: Any, errors: Errors, key: str = "status") -> str | None:
    """One of the five statuses."""
    if value is None:
        return None
    if value not in STATUSES:
        add(errors, key, f"The selected {key} is invalid.")
        return None
    return str(value)


def timestamp(value: Any, key: str, errors: Errors) -> str | None:
    """A `Y-m-d H:i:s` timestamp."""
    if value is None:
        return None
    try:
        if not isinstance(value, str):
            raise ValueError
        datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        add(errors, key, f"The {key} does not match the format Y-m-d H:i:s.")
        return None
    return value


def ip(value: Any, key: str, errors: Errors) -> str | None:
    """A valid IPv4 or IPv6 address."""
    if value is None:
        return None
    try:
        if not isinstance(value, str):
            raise ValueError
        ipaddress.ip_address(value)
    except ValueError:
        add(errors, key, f"The {key.replace('_', ' ')} must be a valid IP address.")
        return None
    return value


def boolean(value: Any, key: str, errors: Errors) -> bool | None:
    """A JSON boolean (or 0/1)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if value in (0, 1, "0", "1"):
        return bool(int(value))
    add(errors, key, f"The {key} field must be true or false.")
    return None


def name(value: Any, errors: Errors, key: str = "name", *, required: bool = True) -> str | None:
    """A required name of at most 255 characters."""
    if value is None or value == "":
        if required:
            add(errors, key, f"The {key} field is required.")
        return None
    if not isinstance(value, str):
        add(errors, key, f"The {key} must be a string.")
        return None
    if len(value) > 255:
        add(errors, key, f"The {key} may not be greater than 255 characters.")
        return None
    return value


def field_values(raw: Any, state: State, errors: Errors) -> dict[str, Any]:
    """Validate a `fields` object: unknown keys are silently ignored (like the real API),
    `null` clears a value, number fields take numbers (or numeric strings), date fields take
    `YYYY-MM-DD`, text fields take scalars (stored as text)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        add(errors, "fields", "The fields must be an array.")
        return {}
    types = {item.key: item.type for item in state.fields.values()}
    out: dict[str, Any] = {}
    for key, value in raw.items():
        field_type = types.get(key)
        if field_type is None:
            continue
        path = f"fields.{key}"
        if value is None:
            out[key] = None
        elif field_type == "number":
            number = _number(value)
            if number is None:
                add(errors, path, f"The {path} must be a number.")
            else:
                out[key] = number
        elif field_type == "date":
            if isinstance(value, str) and _is_date(value):
                out[key] = value
            else:
                add(errors, path, f"The {path} is not a valid date.")
        elif isinstance(value, (dict, list)):
            add(errors, path, f"The {path} must be a string.")
        else:
            out[key] = value if isinstance(value, str) else _text(value)
    return out


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                parsed = float(value)
            except ValueError:
                return None
            return parsed if parsed == parsed and abs(parsed) != float("inf") else None
    return None


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def group_ids(raw: Any, state: State, errors: Errors) -> list[int] | None:
    """A list of existing group ids (`None` when the key is absent)."""
    if raw is None:
        return None
    if not isinstance(raw, list):
        add(errors, "groups", "The groups must be an array.")
        return None
    out: list[int] = []
    for index, item in enumerate(raw):
        text = str(item) if isinstance(item, int | str) and not isinstance(item, bool) else ""
        if not text.isdecimal() or int(text) not in state.groups:
            add(errors, f"groups.{index}", f"The selected groups.{index} is invalid.")
        elif int(text) not in out:
            out.append(int(text))
    return out
