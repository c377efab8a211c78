"""Form-encoded webhook bodies (`application/x-www-form-urlencoded`) as nested objects.

Some providers post deliveries as forms with bracketed keys:
`type=unsubscribe&data[email]=a@b.co&data[merges][FNAME]=Ada` becomes
`{"type": "unsubscribe", "data": {"email": "a@b.co", "merges": {"FNAME": "Ada"}}}`.
A key ending in `[]` collects its values in a list; numbered keys (`[0]`) stay object keys;
a repeated plain key keeps its last value. Values are strings, as sent.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from engine.errors import ValidationError

__all__ = ["parse_form"]

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_PART = re.compile(r"\[([^\[\]]*)\]")


def _path(key: str) -> list[str]:
    match = _KEY.match(key)
    if match is None:
        raise ValidationError(f"the webhook form has a malformed key {key!r}")
    return [match.group(1), *_PART.findall(match.group(2))]


def _conflict(key: str) -> ValidationError:
    return ValidationError(f"the webhook form key {key!r} conflicts with another key")


def _walk(target: dict[str, Any], steps: list[str], key: str) -> dict[str, Any]:
    """The object at `steps` under `target`, created as needed."""
    node = target
    for step in steps:
        child = node.setdefault(step, {})
        if not isinstance(child, dict):
            raise _conflict(key)
        node = child
    return node


def parse_form(raw_body: bytes | str) -> dict[str, Any]:
    """The nested object a form-encoded body describes (see the module docstring)."""
    try:
        text = raw_body.decode("utf-8") if isinstance(raw_body, bytes) else raw_body
    except UnicodeDecodeError as exc:
        raise ValidationError(f"the webhook form body is not UTF-8: {exc}") from None
    result: dict[str, Any] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        path = _path(key)
        if len(path) > 1 and path[-1] == "":
            values = _walk(result, path[:-2], key).setdefault(path[-2], [])
            if not isinstance(values, list):
                raise _conflict(key)
            values.append(value)
            continue
        if "" in path:
            raise ValidationError(f"the webhook form key {key!r} has an empty part")
        node = _walk(result, path[:-1], key)
        if isinstance(node.get(path[-1]), dict | list):
            raise _conflict(key)
        node[path[-1]] = value
    return result
