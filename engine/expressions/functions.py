"""The Unimap function library: what mappings add to JMESPath's built-in functions.

Every function here is pure, null-tolerant and total: given `null` where a value is expected it
returns `null` rather than failing, so a missing provider field maps to `null`; a value it
cannot convert (a timestamp out of range, a string that is not a date) also gives `null`, with
a warning noted through `engine.expressions.warnings`, never an exception. The reference
(docs/functions.md) is generated from the `FUNCTION_DOCS` table below.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any

from jmespath import functions as jp_functions

from engine.expressions.warnings import describe, warn

# name → (signature, description, example); the single source of the docs table.
FUNCTION_DOCS: dict[str, tuple[str, str, str]] = {
    "to_iso8601": (
        "to_iso8601(value)",
        "Date-time to ISO-8601 UTC ending in `Z`. Accepts `YYYY-MM-DD HH:MM:SS` (taken as UTC), "
        "ISO-8601 with or without offset or fraction, a date alone, or epoch seconds. "
        "`null` or an empty string gives `null`.",
        "to_iso8601('2025-09-19 11:10:41') → '2025-09-19T11:10:41Z'",
    ),
    "format_datetime": (
        "format_datetime(value, format)",
        "Date-time (any form `to_iso8601` reads) converted to UTC and formatted with a "
        "`strftime` format; for writing provider dates.",
        "format_datetime('2025-09-19T11:10:41Z', '%Y-%m-%d %H:%M:%S') → '2025-09-19 11:10:41'",
    ),
    "map_value": (
        "map_value(value, 'map_name')",
        "Looks `value` up in the provider's `value_maps.map_name`; unlisted values give the "
        "map's `_default` entry, or `null`. The map name must be a literal and is checked at "
        "load time.",
        "map_value('junk', 'contact_status') → 'cleaned'",
    ),
    "omit": (
        "omit(object, keys)",
        "The object without the listed keys.",
        "omit({a: 1, b: 2}, ['a']) → {b: 2}",
    ),
    "pick": (
        "pick(object, keys)",
        "Only the listed keys of the object (keys it lacks are skipped).",
        "pick({a: 1, b: 2}, ['a']) → {a: 1}",
    ),
    "lower": ("lower(string)", "Lower-cased string.", "lower('A@B.com') → 'a@b.com'"),
    "upper": ("upper(string)", "Upper-cased string.", "upper('de') → 'DE'"),
    "sha256": (
        "sha256(string)",
        "Lower-case hex SHA-256 of the UTF-8 string.",
        "sha256('a') → 'ca978112…'",
    ),
    "md5": ("md5(string)", "Lower-case hex MD5 of the UTF-8 string.", "md5('a') → '0cc175b9…'"),
    "compact": (
        "compact(array)",
        "The array without `null` items.",
        "compact(['a', null]) → ['a']",
    ),
    "nonempty": (
        "nonempty(value)",
        "`null` for an empty string, array or object; the value otherwise.",
        "nonempty('') → null",
    ),
    "to_id": (
        "to_id(value)",
        "An id as a string: integers are written in full (never through a float); "
        "strings pass through; `null` stays `null`.",
        "to_id(`2599924`) → '2599924'",
    ),
    "coalesce": (
        "coalesce(a, b, ...)",
        "The first argument that is not `null` (unlike `||`, keeps `false`, `0` and `''`).",
        "coalesce(`null`, `false`) → false",
    ),
    "entries": (
        "entries(object)",
        "The object as an array of `{key, value}`.",
        "entries({a: 1}) → [{key: 'a', value: 1}]",
    ),
    "from_entries": (
        "from_entries(array)",
        "An object from an array of `{key, value}`.",
        "from_entries([{key: 'a', value: 1}]) → {a: 1}",
    ),
    "split": (
        "split(string, separator)",
        "The string split on every occurrence of the separator (empty parts kept); index the "
        "result to pick a part, e.g. the data centre after a key's last `-`.",
        "split('abc-us6', '-')[-1] → 'us6'",
    ),
    "trim": (
        "trim(string)",
        "The string without leading and trailing white space.",
        "trim('  a b ') → 'a b'",
    ),
}

_PROVIDER_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")


def parse_datetime(value: Any) -> datetime | None:
    """Parse any date-time form the library accepts into an aware UTC datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        warn(f"not a date-time: {describe(value)}")
        return None
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, ValueError, OSError):
            warn(f"not a date-time: {describe(value)} is out of range for epoch seconds")
            return None
    if not isinstance(value, str):
        warn(f"not a date-time: {describe(value)}")
        return None
    parsed = _parse_text(value)
    if parsed is None:
        warn(f"not a date-time: {describe(value)}")
    return parsed


def _parse_text(value: str) -> datetime | None:
    """Parse the text forms of a date-time; None when none matches."""
    text = value.strip()
    try:  # the common forms (`2025-09-19 11:10:41`, ISO-8601 with Z or offset) in one call
        parsed = datetime.fromisoformat(text)
    except ValueError:
        pass
    else:
        aware = parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
        return _utc(aware)
    for fmt in _PROVIDER_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            pass
    iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return _utc(parsed)


def _utc(moment: datetime) -> datetime | None:
    """`moment` in UTC; None when that falls outside the years datetime can hold."""
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return None


_CANONICAL = re.compile(
    r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|\+00:00)?",
    re.ASCII,
).fullmatch
"""Date-times already in UTC, written digit by digit: `YYYY-MM-DD HH:MM:SS` or
`YYYY-MM-DDTHH:MM:SS`, an optional fraction, then nothing, `Z` or `+00:00`."""


_from_iso = datetime.fromisoformat
"""Bound once: `to_iso8601` checks every canonical date-time it is given with it."""

_KNOWN: dict[str, str] = {}
"""Answers of the fast path by text: the dates of a record often repeat (created, updated,
subscribed), and so do those of a page. Emptied when full."""
_KNOWN_MAX = 256


def to_iso8601(value: Any) -> str | None:
    """Format a date-time as ISO-8601 UTC with a `Z` and whole seconds."""
    if type(value) is str:
        if len(value) == 20 and value[4::3] == "--T::Z":  # `YYYY-MM-DDTHH:MM:SSZ`'s marks
            try:  # the other 14 characters: ASCII digits of a real date and time
                _from_iso(value)
            except ValueError:
                pass
            else:
                return value  # already the answer
        known = _KNOWN.get(value)
        if known is not None:
            return known
        if _CANONICAL(value) is not None:
            # Already UTC and in plain digits: once its date and time are valid, the answer
            # is its own first 19 characters, re-punctuated (anything else: the full path).
            try:
                datetime.fromisoformat(value[:19])
            except ValueError:
                pass
            else:
                answer = f"{value[:10]}T{value[11:19]}Z"
                if len(_KNOWN) >= _KNOWN_MAX:
                    _KNOWN.clear()
                _KNOWN[value] = answer
                return answer
    return _reformatted(value)


def _reformatted(value: Any) -> str | None:
    """`to_iso8601` by a full parse and format (the reference the fast path agrees with)."""
    parsed = parse_datetime(value)
    if parsed is None:
        return None
    return parsed.replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def _utf8(text: str) -> bytes:
    """UTF-8 bytes of `text`, lone surrogates (valid in JSON strings) included."""
    return text.encode("utf-8", "surrogatepass")


def lookup_value(value_map: dict[str, str | None], value: Any) -> Any:
    """Look a value up in a declared value map (see `map_value`)."""
    if value is None:
        return None
    key = value if isinstance(value, str) else str(value)
    if key in value_map:
        return value_map[key]
    return value_map.get("_default")


class UnimapFunctions(jp_functions.Functions):
    """JMESPath's built-ins plus the Unimap library (except `map_value`, bound per provider)."""

    @jp_functions.signature({"types": []})
    def _func_to_iso8601(self, value: Any) -> str | None:
        return to_iso8601(value)

    @jp_functions.signature({"types": []}, {"types": ["string"]})
    def _func_format_datetime(self, value: Any, fmt: str) -> str | None:
        if not isinstance(fmt, str):
            raise TypeError("format must be a string")
        parsed = parse_datetime(value)
        try:
            return None if parsed is None else parsed.strftime(fmt)
        except ValueError as exc:
            warn(f"cannot format a date-time with {fmt!r}: {exc}")
            return None

    @jp_functions.signature({"types": ["object", "null"]}, {"types": ["array"]})
    def _func_omit(self, obj: dict[str, Any] | None, keys: list[str]) -> dict[str, Any] | None:
        drop = set(keys)
        if obj is None:
            return None
        return {k: v for k, v in obj.items() if k not in drop}

    @jp_functions.signature({"types": ["object", "null"]}, {"types": ["array"]})
    def _func_pick(self, obj: dict[str, Any] | None, keys: list[str]) -> dict[str, Any] | None:
        if not isinstance(keys, list):
            raise TypeError("keys must be an array")
        if obj is None:
            return None
        return {k: obj[k] for k in keys if k in obj}

    @jp_functions.signature({"types": ["string", "null"]})
    def _func_lower(self, value: str | None) -> str | None:
        return None if value is None else value.lower()

    @jp_functions.signature({"types": ["string", "null"]})
    def _func_upper(self, value: str | None) -> str | None:
        return None if value is None else value.upper()

    @jp_functions.signature({"types": ["string", "null"]})
    def _func_sha256(self, value: str | None) -> str | None:
        return None if value is None else hashlib.sha256(_utf8(value)).hexdigest()

    @jp_functions.signature({"types": ["string", "null"]})
    def _func_md5(self, value: str | None) -> str | None:
        if value is None:
            return None
        return hashlib.md5(_utf8(value), usedforsecurity=False).hexdigest()

    @jp_functions.signature({"types": ["array", "null"]})
    def _func_compact(self, values: list[Any] | None) -> list[Any] | None:
        if values is not None and not isinstance(values, list):
            raise TypeError("compact() takes an array")
        return None if values is None else [v for v in values if v is not None]

    @jp_functions.signature({"types": []})
    def _func_nonempty(self, value: Any) -> Any:
        return None if value in ("", [], {}) else value

    @jp_functions.signature({"types": []})
    def _func_to_id(self, value: Any) -> str | None:
        if value is None or isinstance(value, bool):
            return None
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        try:
            return str(value)
        except ValueError:  # an integer of more digits than Python writes out
            warn(f"not an id: an integer of about {value.bit_length() * 3 // 10} digits")
            return None

    @jp_functions.signature({"types": [], "variadic": True})
    def _func_coalesce(self, *values: Any) -> Any:
        return next((v for v in values if v is not None), None)

    @jp_functions.signature({"types": ["object", "null"]})
    def _func_entries(self, obj: dict[str, Any] | None) -> list[dict[str, Any]] | None:
        if obj is None:
            return None
        return [{"key": k, "value": v} for k, v in obj.items()]

    @jp_functions.signature({"types": ["array", "null"]})
    def _func_from_entries(self, items: list[Any] | None) -> dict[str, Any] | None:
        if items is None:
            return None
        if not isinstance(items, list):
            raise TypeError("from_entries() takes an array")
        return {str(i["key"]): i.get("value") for i in items if isinstance(i, dict) and "key" in i}

    @jp_functions.signature({"types": ["string", "null"]})
    def _func_trim(self, value: str | None) -> str | None:
        return None if value is None else value.strip()

    @jp_functions.signature({"types": ["string", "null"]}, {"types": ["string"]})
    def _func_split(self, value: str | None, sep: str) -> list[str] | None:
        if not isinstance(sep, str):
            raise TypeError("separator must be a string")
        if sep == "":
            warn("split() with an empty separator")
            return None
        return None if value is None else value.split(sep)


FUNCTIONS = UnimapFunctions()
BUILTIN_NAMES: frozenset[str] = frozenset(FUNCTIONS.FUNCTION_TABLE) | {"map_value"}
LIBRARY_NAMES: frozenset[str] = frozenset(FUNCTION_DOCS) - {"map_value"}
"""The Unimap library's own functions (called directly by compiled expressions)."""
PLAIN: dict[str, Any] = {"to_iso8601": to_iso8601}
"""Library functions whose method only forwards to a module function: generated code calls
the function itself (one call less per value)."""
