"""Fast JSON where it pays: provider response bodies in, NDJSON records out (orjson).

Both keep what the standard library gives, exactly:

* `loads` parses with orjson unless the text may hold an integer that does not fit 64 bits
  (orjson would read it as a float and lose digits, where the standard library keeps every
  digit, so ids over 2**53 stay exact) — 19 or more digits right after `:`, `,`, `[`,
  white space or a `-`, as a number token stands (a run of digits inside a string, e.g. a hex
  id, is preceded by another character) — or orjson refuses the text (`NaN`, a lone surrogate
  escape, UTF-16...): then `json.loads` decides, raising `ValueError` as before for what is
  not JSON. A long digit run inside a string after such a character only costs speed.
* `dumps_line` writes one compact JSON line (no spaces after `,` and `:`; non-ASCII as
  UTF-8) with orjson, or with `json.dumps` when orjson cannot (an integer beyond 64 bits,
  written in full). orjson writes a float `nan` or infinity as `null` (valid JSON), where the
  standard library would write the non-JSON `NaN`.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_TOKENS = bytes.maketrans(b"0123456789,[ \t\r\n-", b"0000000000:::::::")
"""Digits become `0`; what may stand before a number's digits (`:` `,` `[` white space and
a minus sign) `:`, so one search finds them all."""
_LONG = b"0" * 19
"""The shortest integer outside orjson's 64-bit range has 19 digits."""


def _may_hold_a_long_integer(raw: bytes) -> bool:
    tokens = raw.translate(_TOKENS)
    if b":" + _LONG in tokens:
        return True
    head = raw[:32].lstrip()
    return head[:1] in (b"-", b"0", b"1", b"2", b"3", b"4", b"5", b"6", b"7", b"8", b"9")


def loads(raw: bytes) -> Any:
    """Parse JSON bytes exactly as `json.loads` would, faster (see the module docstring)."""
    if not _may_hold_a_long_integer(raw):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    return json.loads(raw)


def dumps_line(value: Any) -> bytes:
    """`value` as one line of NDJSON (UTF-8, ending in a newline)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_APPEND_NEWLINE)
    except TypeError:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return text.encode("utf-8", "surrogatepass") + b"\n"
