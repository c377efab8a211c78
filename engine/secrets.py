"""Keeping credentials out of reprs, logs, errors and pickles.

* `Secret` wraps a credential string. Its `repr`, `str` and `format` print a fixed mask, so a
  secret printed by accident (an f-string, a debugger, a traceback with locals, a dataclass
  repr) shows `Secret('********')`. The value is only reachable through `Secret.reveal()`,
  which makes every use greppable.
* **Pickling is refused** (`TypeError`). Redacting on pickle would silently turn a round trip
  into data loss, and pickling the clear value would write the credential to wherever the
  pickle goes (a cache, a queue, a multiprocessing pipe). Code that must move a credential
  across a process boundary calls `reveal()` explicitly, or better, passes an account id and
  reads the account from the store on the other side. `copy.copy` / `copy.deepcopy` return
  the same (immutable) object.
* `redact(text, secrets)` masks every occurrence of the given secrets in free text, including
  their percent-encoded, JSON-escaped and Python-quoted (`repr` of str or bytes) forms and
  any base64 token that encodes them (HTTP Basic `user:pass`, `:key`, `key:`), for log
  lines, error messages and `--explain` output.
* `SecretRedactingFilter` is a `logging.Filter` that applies `redact` to every record it sees
  (message, arguments, formatted traceback and stack) for the secrets registered on it.
"""

from __future__ import annotations

import base64
import hmac
import json
import logging
import re
import string
import threading
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any, NoReturn, SupportsIndex, final

__all__ = ["REDACTED", "Secret", "SecretRedactingFilter", "redact", "redact_data"]

#: What `redact` puts in place of a secret.
REDACTED = "***"

_MASK = "********"
# Characters that can make up a base64 token (standard and URL-safe alphabets). `=` is only
# ever trailing padding, so it extends a token to the right but never to the left.
_B64_BODY = frozenset(string.ascii_letters + string.digits + "+/-_")
_B64_TAIL = _B64_BODY | {"="}
# Shortest base64 fragment searched for; shorter ones would match unrelated text.
_MIN_B64_CORE = 6


@final
class Secret:
    """A credential string that never prints itself.

    `repr(s)` is `Secret('********')`, `str(s)` and `f"{s}"` are `********`; `s.reveal()`
    returns the value. Secrets compare equal when their values are equal (in constant time).
    Instances are immutable and refuse to be pickled (see the module documentation).
    """

    __slots__ = ("_value",)
    _value: str

    def __init__(self, value: str | Secret) -> None:
        """Wrap `value` (a `str`; another `Secret` is unwrapped)."""
        if isinstance(value, Secret):
            value = value.reveal()
        if not isinstance(value, str):
            raise TypeError(f"Secret wraps a str, not {type(value).__name__}")
        object.__setattr__(self, "_value", value)

    def reveal(self) -> str:
        """Return the secret value. Call it only where the value is sent or encrypted."""
        return self._value

    def __repr__(self) -> str:
        """Return the masked representation `Secret('********')`."""
        return f"Secret('{_MASK}')"

    def __str__(self) -> str:
        """Return the mask `********`, never the value."""
        return _MASK

    def __format__(self, format_spec: str) -> str:
        """Return the mask `********` whatever the format specification."""
        return _MASK

    def __eq__(self, other: object) -> bool:
        """Compare two secrets by value in constant time."""
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        """Hash by value, so equal secrets hash alike."""
        return hash((Secret, self._value))

    def __bool__(self) -> bool:
        """Return whether the secret is non-empty."""
        return bool(self._value)

    def __setattr__(self, name: str, value: object) -> NoReturn:
        """Refuse attribute assignment: secrets are immutable."""
        raise AttributeError("Secret is immutable")

    def __delattr__(self, name: str) -> NoReturn:
        """Refuse attribute deletion: secrets are immutable."""
        raise AttributeError("Secret is immutable")

    def __copy__(self) -> Secret:
        """Return `self`: an immutable value needs no copy."""
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Secret:
        """Return `self`: an immutable value needs no copy."""
        return self

    def __reduce_ex__(self, protocol: SupportsIndex) -> NoReturn:
        """Refuse pickling, which would write the clear value or silently lose it."""
        raise TypeError(
            "Secret values cannot be pickled; pass an account id and read the account "
            "from its store, or call reveal() explicitly"
        )

    def __reduce__(self) -> NoReturn:
        """Refuse pickling (see `__reduce_ex__`)."""
        raise TypeError("Secret values cannot be pickled")


def _text_of(secret: str | Secret) -> str:
    return secret.reveal() if isinstance(secret, Secret) else secret


def _literal_forms(value: str) -> set[str]:
    """The escaped forms in which `value` may appear verbatim in text: JSON strings (ASCII or
    not, and escaped twice, as JSON logged inside JSON), Python `repr` of the text and of its
    UTF-8 bytes (how exception messages quote a header value), `ascii()`."""
    json_form = json.dumps(value)[1:-1]
    forms = {
        json_form,
        json.dumps(value, ensure_ascii=False)[1:-1],
        json.dumps(json_form)[1:-1],
        repr(value)[1:-1],
        ascii(value)[1:-1],
        repr(value.encode("utf-8", "surrogatepass"))[2:-1],
    }
    forms.discard("")
    return forms


def _percent_pattern(value: str) -> str:
    """A regex matching `value` with any of its characters percent-encoded (either hex case,
    a space also as `+`): covers `quote`, `quote_plus`, httpx's query encoding and mixes."""
    parts = []
    for char in value:
        encoded = "".join(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))
        options = [re.escape(char), f"(?i:{re.escape(encoded)})"]
        if char == " ":
            options.append(r"\+")
        parts.append(f"(?:{'|'.join(options)})")
    return "".join(parts)


def _whole_token_forms(value: str) -> set[str]:
    """Base64 tokens encoding exactly `value`, `value:` or `:value` (padding stripped).

    They cover secrets too short for `_base64_cores`, and are only masked as whole tokens.
    """
    raw = value.encode()
    forms: set[str] = set()
    for payload in (raw, raw + b":", b":" + raw):
        forms.add(base64.b64encode(payload).decode().rstrip("="))
        forms.add(base64.urlsafe_b64encode(payload).decode().rstrip("="))
    return forms


def _base64_cores(value: str) -> set[str]:
    """Fragments present in the base64 encoding of any byte string that contains `value`.

    Base64 maps 3 bytes to 4 characters, so the characters encoding `value` depend on where it
    starts modulo 3. For each of the three alignments we keep only the characters whose 6 bits
    all come from `value`; they appear unchanged whatever surrounds it (`user:` before it,
    `:x` after it).
    """
    raw = value.encode()
    cores: set[str] = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw).decode()
        start = -(-8 * offset // 6)  # ceil
        end = 8 * (offset + len(raw)) // 6
        core = encoded[start:end]
        if len(core) >= _MIN_B64_CORE:
            cores.add(core)
            cores.add(core.replace("+", "-").replace("/", "_"))
    return cores


def _alternation(fragments: Iterable[str]) -> str:
    ordered = sorted(set(fragments), key=lambda f: (-len(f), f))  # longest first
    return "|".join(re.escape(f) for f in ordered)


class _Redactor:
    """A compiled redaction for one set of secrets."""

    def __init__(self, values: frozenset[str]) -> None:
        literal: set[str] = set()
        whole: set[str] = set()
        cores: set[str] = set()
        for value in values:
            literal |= _literal_forms(value)
            whole |= _whole_token_forms(value)
            cores |= _base64_cores(value)
        self._cores = re.compile(_alternation(cores)) if cores else None
        # Whole base64 tokens only: not preceded or followed by more base64 characters.
        whole_tokens = rf"(?<![\w+/-])(?:{_alternation(whole)})=*(?![\w+/=-])"
        # Longest secrets first, so a secret holding another is masked whole.
        percent = "|".join(_percent_pattern(v) for v in sorted(values, key=lambda v: -len(v)))
        self._literal = re.compile(f"{_alternation(literal)}|{percent}|{whole_tokens}")

    def __call__(self, text: str) -> str:
        # Tokens containing an encoded secret first: once part of a token is masked, the
        # token's boundaries can no longer be found.
        return self._literal.sub(REDACTED, self._mask_tokens(text))

    def _mask_tokens(self, text: str) -> str:
        if self._cores is None:
            return text
        spans: list[tuple[int, int]] = []
        for match in self._cores.finditer(text):
            start, end = match.start(), match.end()
            if spans and start < spans[-1][1]:
                continue  # inside a token already masked
            while start > 0 and text[start - 1] in _B64_BODY:
                start -= 1
            while end < len(text) and text[end] in _B64_TAIL:
                end += 1
            spans.append((start, end))
        if not spans:
            return text
        pieces: list[str] = []
        position = 0
        for start, end in spans:
            pieces += [text[position:start], REDACTED]
            position = end
        pieces.append(text[position:])
        return "".join(pieces)


@lru_cache(maxsize=64)
def _redactor(values: frozenset[str]) -> _Redactor:
    return _Redactor(values)


def redact(text: str, secrets: Iterable[str | Secret]) -> str:
    """Return `text` with every occurrence of each secret replaced by `***`.

    Masked forms: the value itself; percent-encoded, wholly or partly, in either hex case
    (`quote`, `quote_plus`, httpx's query encoding); JSON-escaped (also twice); as Python
    quotes it (`repr` of the text or of its UTF-8 bytes, `ascii`, as in exception messages
    such as `Illegal header value b'Bearer …\\x0b'`); and any base64 token (standard or
    URL-safe alphabet) that encodes a byte string containing it, such as an HTTP Basic
    `Authorization` value for `user:secret`. Empty secrets are ignored. Secrets shorter than
    about five bytes are only found in base64 when they make up the whole token, alone or as
    `secret:` / `:secret`.
    """
    values = frozenset(v for v in map(_text_of, secrets) if v)
    if not values:
        return text
    return _redactor(values)(text)


def redact_data(data: Any, mask: Callable[[str], str]) -> Any:
    """`data` (JSON-like: dicts, lists, tuples, strings) with `mask` applied to every string,
    keys included; other values are kept as they are."""
    if isinstance(data, str):
        return mask(data)
    if isinstance(data, dict):
        return {redact_data(k, mask): redact_data(v, mask) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return type(data)(redact_data(item, mask) for item in data)
    return data


class SecretRedactingFilter(logging.Filter):
    """A logging filter that masks registered secrets in every record it passes.

    It rewrites the record in place: the formatted message (with its `%` arguments merged,
    so an argument cannot smuggle a secret past it), the formatted traceback (`exc_text`) and
    `stack_info`; it never drops a record. Attach it to **handlers** (filters on a logger do
    not see records propagated from child loggers)::

        redactor = SecretRedactingFilter()
        handler.addFilter(redactor)
        redactor.register(account.credentials["api_key"])

    Tracebacks are pre-rendered with the standard `logging.Formatter`, and `exc_info` is left
    in place for handlers that need the exception object itself.
    """

    def __init__(self, secrets: Iterable[str | Secret] = (), name: str = "") -> None:
        """Create the filter, optionally with initial `secrets` (`name` as `logging.Filter`)."""
        super().__init__(name)
        self._lock = threading.Lock()
        self._values: frozenset[str] = frozenset()
        self._redact: _Redactor | None = None
        self.register(*secrets)

    def register(self, *secrets: str | Secret) -> None:
        """Add secrets to mask from now on (empty values are ignored)."""
        with self._lock:
            self._set(self._values | {v for v in map(_text_of, secrets) if v})

    def unregister(self, *secrets: str | Secret) -> None:
        """Stop masking the given secrets (for example after an account is removed)."""
        with self._lock:
            self._set(self._values - {_text_of(s) for s in secrets})

    def _set(self, values: frozenset[str]) -> None:
        # Compiled on the next record (`_current`), so registering many secrets in a row (or
        # while no record is logged) costs nothing.
        self._values = values
        self._redact = None

    def _current(self) -> _Redactor | None:
        with self._lock:
            if self._redact is None and self._values:
                self._redact = _redactor(self._values)
            return self._redact

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask registered secrets in `record` and let it through."""
        if not super().filter(record):
            return False
        redactor = self._current()
        if redactor is None:
            return True
        try:
            message = record.getMessage()
        except Exception:  # malformed %-args: mask what we have, let logging report it
            message = f"{record.msg} {record.args}"
        record.msg = redactor(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redactor(record.exc_text)
        if record.stack_info:
            record.stack_info = redactor(record.stack_info)
        return True
