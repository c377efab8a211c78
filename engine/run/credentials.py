"""Credentials checked where they enter, and placed in requests the way the mapping declares.

`checked_credentials` is called by every way a credential comes in (`Engine.connect` and
`aconnect`, hence linking, `unimap accounts add`, `unimap call --api-key`, the proxy). A value
that cannot travel where the mapping puts it is refused with a `ValidationError` naming the
credential and saying what is wrong, **never quoting the value**:

* everywhere: text only; at most `MAX_CREDENTIAL_LENGTH` characters; no control characters
  (C0, DEL, C1, line and paragraph separators); no leading or trailing whitespace (the
  everyday case is a key read from a file with its line break: it is refused, not silently
  stripped, because a stripped key that still works would hide the mistake elsewhere, and one
  that does not would fail later with a less helpful error); no unpaired surrogate (not
  UTF-8 encodable);
* in a header (bearer token, header auth, the provider's headers): ASCII only, which is what
  HTTP/1.1 clients send;
* as the HTTP basic user name: no `:`.

Query parameters and URL templates percent-encode the value, so the general rules suffice.
"""

from __future__ import annotations

import base64
import unicodedata
from collections.abc import Callable, Iterable, Mapping

from engine.errors import FieldProblem, ValidationError
from engine.expressions.templates import parse_template
from engine.loader import ProviderMapping
from engine.secrets import Secret

__all__ = ["MAX_CREDENTIAL_LENGTH", "auth_parts", "checked_credentials", "credential_places"]

MAX_CREDENTIAL_LENGTH = 8192
"""The longest credential accepted (long OAuth tokens are a few kilobytes)."""

HEADER = "header"
BASIC_USER = "basic_user"


def _names_read(mapping: ProviderMapping, template: str) -> set[str]:
    """The names a template's placeholders read."""
    names: set[str] = set()
    for _, placeholder in parse_template(template):
        if placeholder is None:
            continue
        if placeholder.bare:
            names.add(placeholder.source)
        else:
            names |= set(mapping.expression(placeholder.source).root_fields)
    return names


def _templates(mapping: ProviderMapping) -> Iterable[tuple[str, str]]:
    """(place, template) for every template that can carry a credential."""
    auth = mapping.provider.auth
    if auth.type == "bearer":
        yield HEADER, auth.token
    elif auth.type == "header":
        yield HEADER, auth.value
    elif auth.type == "query":
        yield "query", auth.value
    elif auth.type == "basic":
        yield BASIC_USER, auth.username
        yield "basic_password", auth.password
    for value in mapping.provider.headers.values():
        yield HEADER, value
    yield "url", mapping.provider.base_url


def credential_places(mapping: ProviderMapping) -> dict[str, set[str]]:
    """Where each declared credential travels: `header`, `query`, `basic_user`,
    `basic_password`, `url` (empty when no template reads it)."""
    places: dict[str, set[str]] = {c.name: set() for c in mapping.provider.credentials}
    for place, template in _templates(mapping):
        for name in _names_read(mapping, template) & set(places):
            places[name].add(place)
    return places


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Zl", "Zp")


def _first(text: str, test: Callable[[str], bool]) -> int | None:
    return next((index for index, char in enumerate(text) if test(char)), None)


def _problem(value: str, places: set[str]) -> str | None:
    """What makes `value` unusable in `places`, in words that never quote it."""
    if len(value) > MAX_CREDENTIAL_LENGTH:
        return f"is too long ({len(value)} characters; at most {MAX_CREDENTIAL_LENGTH})"
    if value[-1].isspace():
        if value[-1] in "\r\n":
            return "ends with a line break (a key read from a file often keeps it); remove it"
        return "ends with whitespace (a newline?); remove it"
    if value[0].isspace():
        return "starts with whitespace; remove it"
    position = _first(value, _is_control)
    if position is not None:
        return f"holds a control character at position {position + 1}"
    position = _first(value, lambda char: "\ud800" <= char <= "\udfff")
    if position is not None:
        return f"is not valid Unicode text (an unpaired surrogate at position {position + 1})"
    if HEADER in places:
        position = _first(value, lambda char: not char.isascii())
        if position is not None:
            return (
                f"holds a non-ASCII character at position {position + 1}, which cannot be "
                "sent in an HTTP header"
            )
    if BASIC_USER in places and ":" in value:
        return "is the HTTP basic user name and may not hold ':'"
    return None


def checked_credentials(
    mapping: ProviderMapping, credentials: Mapping[str, object]
) -> dict[str, Secret]:
    """The credentials wrapped in `Secret`, or a `ValidationError` naming every credential
    whose value cannot travel where the mapping puts it (the values are never quoted)."""
    places = credential_places(mapping)
    sealed: dict[str, Secret] = {}
    problems: list[FieldProblem] = []
    for name, value in credentials.items():
        if not isinstance(value, str | Secret):
            problems.append(FieldProblem(name, f"must be text, not {type(value).__name__}"))
            continue
        secret = Secret(value)
        text = secret.reveal()
        problem = _problem(text, places.get(name, set())) if text else None
        if problem is not None:
            problems.append(FieldProblem(name, problem))
        sealed[name] = secret
    if problems:
        message = "; ".join(f"credential {p.field} {p.message}" for p in problems)
        raise ValidationError(f"{mapping.provider.label}: {message}", details=problems)
    return sealed


def auth_parts(
    mapping: ProviderMapping, fill: Callable[[str], str]
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The auth headers and query parameters of the declared scheme (`fill` fills a template
    over the credentials)."""
    auth = mapping.provider.auth
    if auth.type == "bearer":
        return {"Authorization": "Bearer " + fill(auth.token)}, []
    if auth.type == "header":
        return {auth.name: fill(auth.value)}, []
    if auth.type == "query":
        return {}, [(auth.name, fill(auth.value))]
    assert auth.type == "basic"
    pair = f"{fill(auth.username)}:{fill(auth.password)}"
    return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}, []

