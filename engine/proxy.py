"""The proxy: the provider's own API, 1-to-1, with the account's credentials, pacing and retries.

`proxy_request` turns `(method, path, query, body)` into a `ProviderRequest` after refusing
anything that could leave the provider's base URL: absolute or scheme-relative URLs, `..` and
`.` segments (raw, percent-encoded or double-encoded), backslashes, `@`, `?`/`#`, control
characters (raw or encoded, CR/LF included), non-ASCII and an empty path. Only a relative path
under the base URL is accepted; it is sent exactly as given (percent-encoding kept).

`proxy_plan` is the sans-I/O plan behind `Connection.proxy` / `AsyncConnection.proxy`:

* plain: one request; returns `{"status", "headers", "body"}`; an error status raises the
  unified error (the same classes and shape as unified calls);
* `paginate=True`: the path is matched against the paths the provider's mappings declare for
  list operations (`/groups/{list_id}/subscribers` matches `/groups/42/subscribers`); that
  operation's pagination style and `records_path` are used, and the page is returned in the
  unified envelope `{"result": [raw records], "next_cursor", "prev_cursor", "result_count"}`.
  To continue, call again with the same method and path and `query={"next_cursor": cursor}`
  (the same key as unified list calls); the cursor is sealed and carries the original query.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

from engine.errors import FieldProblem, InvalidCursorError, RemoteError, ValidationError
from engine.loader import ProviderMapping
from engine.plan.batch import batch_buckets
from engine.plan.build import pacing_buckets, provider_request
from engine.plan.cursor import CursorPayload, decode_cursor, encode_cursor
from engine.plan.declared import DeclaredPaging, declared_paging
from engine.plan.messages import Plan, ProviderRequest, ProviderResponse
from engine.plan.pagination import PageResult, Paginator, SinglePage, State, paginator_for
from engine.plan.responses import error_for
from engine.plan.states import check_state, checked_pairs
from engine.run.session import ProviderSession

METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
"""HTTP methods the proxy sends."""

CURSOR_RESOURCE = "proxy"
"""The `resource` a proxy cursor is sealed for (so a unified cursor cannot be replayed here)."""

_ALLOWED = re.compile(r"^[A-Za-z0-9\-._~!$&'()*+,;=:%/]+$")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_MAX_DECODES = 4


def _refuse(path: Any, reason: str) -> ValidationError:
    shown = repr(path) if not isinstance(path, str) else repr(path[:200])
    return ValidationError(
        f"proxy path {shown} refused: {reason}; only a relative path under the provider's "
        "base URL is allowed",
        details=[FieldProblem("path", reason)],
    )


def check_path(path: Any) -> str:
    """The path to send (with a leading `/`), or `ValidationError` naming `path`.

    Every decoding level (up to four percent-decodings, so `%252e%252e` is caught) is checked
    for dot segments, backslashes, control characters and invalid UTF-8.
    """
    if not isinstance(path, str):
        raise _refuse(path, "must be a string")
    if path == "" or path.strip() == "":
        raise _refuse(path, "is empty")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in path):
        raise _refuse(path, "contains control characters (CR, LF, NUL, ...)")
    if "\\" in path:
        raise _refuse(path, "contains a backslash")
    if _SCHEME.match(path) or "://" in path:
        raise _refuse(path, "is an absolute URL (has a scheme)")
    if path.startswith("//"):
        raise _refuse(path, "is scheme-relative (`//host`)")
    if "@" in path:
        raise _refuse(path, "contains '@' (write %40 for an '@' inside a value)")
    if "?" in path or "#" in path:
        raise _refuse(path, "contains '?' or '#' (give query parameters separately)")
    if not _ALLOWED.match(path):
        raise _refuse(
            path, "contains characters that must be percent-encoded (spaces, non-ASCII, ...)"
        )
    if _BAD_PERCENT.search(path):
        raise _refuse(path, "contains a '%' that is not a percent-encoded byte")
    normalised = path if path.startswith("/") else "/" + path
    if "//" in normalised:
        raise _refuse(path, "contains an empty segment ('//')")
    _check_decoded(path, normalised)
    return normalised


def _check_decoded(original: str, path: str) -> None:
    current = path
    for _ in range(_MAX_DECODES + 1):
        segments = re.split(r"[/\\]", current)
        if any(segment.split(";")[0] in (".", "..") for segment in segments):
            raise _refuse(original, "contains a '.' or '..' segment (possibly percent-encoded)")
        if "\\" in current:
            raise _refuse(original, "contains an encoded backslash")
        if any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in current):
            raise _refuse(original, "contains encoded control characters (CR, LF, NUL, ...)")
        if "%" not in current:
            return
        try:
            decoded = unquote_to_bytes(current).decode("utf-8")
        except UnicodeDecodeError:
            raise _refuse(original, "percent-decodes to invalid UTF-8") from None
        if decoded == current:
            return
        if _SCHEME.match(decoded) or decoded.startswith("//") or "://" in decoded:
            raise _refuse(original, "percent-decodes to an absolute or scheme-relative URL")
        current = decoded
    raise _refuse(original, "is percent-encoded too many times")


def query_pairs(
    query: Mapping[str, Any] | Iterable[tuple[str, Any]] | None,
) -> list[tuple[str, str]]:
    """Query parameters as text pairs; lists repeat the name, booleans become `true`/`false`."""
    if query is None:
        return []
    items = list(query.items()) if isinstance(query, Mapping) else list(query)
    pairs: list[tuple[str, str]] = []
    for item in items:
        if not (isinstance(item, tuple | list) and len(item) == 2):
            raise ValidationError("query must be a mapping or (name, value) pairs")
        name, value = item
        if not isinstance(name, str) or not name:
            raise ValidationError(
                "query parameter names must be non-empty strings",
                details=[FieldProblem("query", f"bad name {name!r}")],
            )
        for single in value if isinstance(value, list | tuple) else [value]:
            if single is None:
                continue
            pairs.append((name, _text(single)))
    return pairs


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, separators=(",", ":"))


def _method(method: Any) -> str:
    if not isinstance(method, str) or method.upper() not in METHODS:
        raise ValidationError(
            f"unsupported proxy method {method!r}; use one of {', '.join(sorted(METHODS))}",
            details=[FieldProblem("method", "unsupported HTTP method")],
        )
    return method.upper()


def proxy_request(
    session: ProviderSession,
    method: str,
    path: str,
    query: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
    body: Any = None,
) -> ProviderRequest:
    """The provider request of one proxied call; refuses hostile paths before anything is sent.

    Raises `ValidationError` (field `path`) for any path that is not a plain relative path
    under the provider's base URL, and re-checks the final URL's host and base path.
    """
    verb = _method(method)
    clean = check_path(path)
    mapping = session.mapping
    request = provider_request(
        mapping,
        verb,
        clean,
        query=query_pairs(query),
        body=body,
        buckets=_buckets(mapping, verb, clean, body),
        purpose=f"proxy {verb} {clean}",
    )
    _check_url(session, request, path)
    return request


def _buckets(mapping: ProviderMapping, verb: str, path: str, body: Any) -> tuple[str, ...]:
    """A proxied call to the batch endpoint is paced like the engine's own batches."""
    batch = mapping.provider.batch
    defaults = pacing_buckets(mapping)
    if batch is None or verb != "POST" or path.rstrip("/") != batch.path.rstrip("/"):
        return defaults
    items = body.get(batch.requests_key) if isinstance(body, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        return defaults
    prefix = batch.path_prefix.strip("/")
    pairs = []
    for item in items:
        sub_path = str(item.get("path", "")).lstrip("/").split("?", 1)[0]
        if prefix and sub_path.startswith(prefix + "/"):
            sub_path = sub_path[len(prefix) :]
        pairs.append((str(item.get("method", "")).upper(), "/" + sub_path.lstrip("/")))
    return batch_buckets(mapping, pairs)


def _check_url(session: ProviderSession, request: ProviderRequest, original: str) -> None:
    url, _ = session.url_for(request)
    built, base = urlsplit(url), urlsplit(session.base_url)
    if (built.scheme, built.netloc) != (base.scheme, base.netloc):
        raise _refuse(original, "would leave the provider's host")
    if not built.path.startswith(base.path.rstrip("/") + "/"):
        raise _refuse(original, "would leave the provider's base path")


# ---------------------------------------------------------------- pagination


def proxy_plan(
    session: ProviderSession,
    cursor_key: bytes,
    method: str,
    path: str,
    query: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
    body: Any = None,
    *,
    paginate: bool = False,
) -> Plan[dict[str, Any]]:
    """The plan of one proxied call (see the module docstring for both result shapes)."""
    if not paginate:
        request = proxy_request(session, method, path, query, body)
        response = yield request
        _raise(session, request, response)
        return {"status": response.status, "headers": dict(response.headers), "body": response.body}
    return (yield from _paginated(session, cursor_key, method, path, query, body))


def _raise(session: ProviderSession, request: ProviderRequest, response: ProviderResponse) -> None:
    if not response.ok:
        raise error_for(session.mapping, response, what=f"proxy {request.method} {request.path}")


def _resume(
    mapping: ProviderMapping, cursor_key: bytes, verb: str, clean: str, pairs: list[tuple[str, str]]
) -> tuple[list[tuple[str, str]], State | None]:
    """The query and paging state of the call: as given, or from the `next_cursor` given."""
    cursor = [value for name, value in pairs if name == "next_cursor"]
    pairs = [(name, value) for name, value in pairs if name != "next_cursor"]
    if len(cursor) > 1:
        raise InvalidCursorError("give one next_cursor")
    if not cursor:
        return pairs, None
    payload = decode_cursor(cursor[0], cursor_key, provider=mapping.name, resource=CURSOR_RESOURCE)
    if payload.filters.get("method") != verb or payload.filters.get("path") != clean:
        raise InvalidCursorError(
            f"the cursor continues {payload.filters.get('method')} "
            f"{payload.filters.get('path')}, not {verb} {clean}"
        )
    if pairs:
        raise InvalidCursorError(
            "a cursor continues the call it came from: give next_cursor alone, without "
            "other query parameters"
        )
    return checked_pairs(payload.filters.get("query")), payload.state


def _paginator(mapping: ProviderMapping, verb: str, clean: str) -> tuple[Paginator, str]:
    """The paginator and records path the mapping declares for this path."""
    declared = declared_paging(mapping, verb, clean)
    if declared is None:
        raise ValidationError(
            f"{mapping.provider.label} declares no pagination for {verb} {clean}; call it "
            "without paginate",
            details=[FieldProblem("path", "no list operation of the mapping matches this path")],
        )
    paginator = paginator_for(mapping, declared.style)
    if isinstance(paginator, SinglePage):  # pragma: no cover - filtered by declared_paging
        raise ValidationError(f"{verb} {clean} is not paginated")
    return paginator, declared.records_path


def _paginated(
    session: ProviderSession,
    cursor_key: bytes,
    method: str,
    path: str,
    query: Mapping[str, Any] | Iterable[tuple[str, Any]] | None,
    body: Any,
) -> Plan[dict[str, Any]]:
    mapping = session.mapping
    verb, clean = _method(method), check_path(path)
    pairs, state = _resume(mapping, cursor_key, verb, clean, query_pairs(query))
    paginator, records_path = _paginator(mapping, verb, clean)
    state = paginator.first_state() if state is None else check_state(paginator, state)
    given_limit = next((v for n, v in pairs if n == paginator.limit_param), None)
    limit = paginator.clamp_limit(
        int(given_limit) if given_limit and given_limit.isdigit() else None
    )
    sent_query = [(n, v) for n, v in pairs if n not in paginator.paging_params()]
    sent_query += paginator.limit_query(limit) + paginator.query(state)
    base = proxy_request(session, verb, clean, sent_query, body)
    request = replace(
        base,
        url=paginator.next_url(state),
        purpose=f"proxy {verb} {clean} page {state.get('page_no', 1)}",
    )
    response = yield request
    _raise(session, request, response)
    records = _records(mapping, records_path, response, f"proxy {verb} {clean}")
    page = PageResult(response.body, response.headers, records, limit or len(records))
    filters = {"method": verb, "path": clean, "query": [list(p) for p in pairs]}

    def seal(value: State | None) -> str | None:
        if value is None:
            return None
        payload = CursorPayload(mapping.name, CURSOR_RESOURCE, filters, None, 0, value)
        return encode_cursor(payload, cursor_key)

    return {
        "result": records,
        "next_cursor": seal(paginator.next_state(state, page)),
        "prev_cursor": seal(paginator.prev_state(state, page)),
        "result_count": len(records),
    }


def _records(
    mapping: ProviderMapping, records_path: str, response: ProviderResponse, what: str
) -> list[Any]:
    records = mapping.expression(records_path).search(response.body)
    if records is None:
        return []
    if not isinstance(records, list):
        raise RemoteError(
            f"{what}: no record list at '{records_path}'",
            remote=True,
            raw_response=response.body,
        )
    return records


__all__ = [
    "CURSOR_RESOURCE",
    "DeclaredPaging",
    "check_path",
    "declared_paging",
    "proxy_plan",
    "proxy_request",
    "query_pairs",
]
