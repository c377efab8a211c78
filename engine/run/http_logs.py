"""Keeping credentials out of the HTTP libraries' own log records.

httpx logs every request's URL at INFO (`HTTP Request: GET https://…?api_key=…`), so a
credential sent in the query string would be printed on every request; httpcore logs at DEBUG
the exception of a failed send, whose text may quote a header value whole. The engine does not
raise those loggers' levels (a host app debugging its network stack still gets every record);
instead one `SecretRedactingFilter` is attached to each of them, and every live provider
session registers its credentials on it (`track`), released when the session is closed or
collected. The filter rewrites a record's message, arguments, traceback and stack in place and
never drops a record.

Filters on a logger only see records logged on that very logger, so the filter is attached to
every logger of those libraries that exists when this module is imported (httpx imports
httpcore, which creates its loggers at import) and to the known names below.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections import Counter, deque
from collections.abc import Callable, Iterable

from engine.secrets import SecretRedactingFilter

__all__ = ["HTTP_LOGGERS", "http_log_filter", "track"]

HTTP_LOGGERS = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
    "h11",
    "h2",
    "hpack",
    "hpack.hpack",
    "hpack.table",
)
"""Loggers the filter is attached to (plus any existing logger below them)."""

_FILTER = SecretRedactingFilter()
_LOCK = threading.Lock()
_LIVE: Counter[str] = Counter()
_REGISTERED: set[str] = set()
# Released sessions, queued by their finalizers. A finalizer may run inside a garbage
# collection anywhere, even in a thread that holds `_LOCK` or the filter's lock, so it takes
# no lock: it only appends here (atomic), and the next `track` settles the queue.
_RELEASED: deque[tuple[str, ...]] = deque()


def _attach() -> None:
    prefixes = tuple(name + "." for name in HTTP_LOGGERS)
    existing = [
        name for name in list(logging.root.manager.loggerDict) if name.startswith(prefixes)
    ]
    for name in {*HTTP_LOGGERS, *existing}:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


_attach()


def http_log_filter() -> SecretRedactingFilter:
    """The filter attached to the HTTP libraries' loggers (to attach it to more loggers)."""
    return _FILTER


def _release(values: tuple[str, ...]) -> None:
    _RELEASED.append(values)


def _sync_filter() -> None:
    """Settle the released sessions and make the filter mask exactly the live secrets
    (called with `_LOCK` held)."""
    while _RELEASED:
        _LIVE.subtract(_RELEASED.popleft())
    live = {value for value, count in _LIVE.items() if count > 0}
    for value in set(_LIVE) - live:
        del _LIVE[value]
    if _REGISTERED - live:
        _FILTER.unregister(*(_REGISTERED - live))
    if live - _REGISTERED:
        _FILTER.register(*(live - _REGISTERED))
    _REGISTERED.clear()
    _REGISTERED.update(live)


def track(owner: object, secrets: Iterable[str]) -> Callable[[], object]:
    """Mask `secrets` in the HTTP libraries' logs while `owner` lives; returns a function
    that stops masking them (called at the latest when `owner` is collected; the filter
    forgets them at the next `track`)."""
    values = tuple(sorted({value for value in secrets if value}))
    with _LOCK:
        _LIVE.update(values)
        _sync_filter()
    return weakref.finalize(owner, _release, values)
