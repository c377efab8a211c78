"""The `Host` header check: a server on a loopback address answers only to its own names.

Without it, a web page the operator visits could make its own host name resolve to 127.0.0.1
(DNS rebinding) and have the browser call the local server as a same-origin site. No route
trusts the browser (every call needs a bearer token, the link page its link token), but
refusing foreign names is cheap defence in depth.

`HostCheck(app, allowed)` answers a request whose `Host` is not allowed (or missing) with a
400 unified `validation_error` naming the `Host` header, before any route runs (a websocket
is closed with code 1008). `allowed`
holds host names or addresses without port (case-insensitive); `*.example.com` allows every
subdomain of example.com; `*` alone allows everything (no check). `default_allowed_hosts`
gives `unimap serve`'s default: the loopback names plus the public URL's host when the server
listens on a loopback address, no check otherwise.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from engine.errors import ValidationError
from engine.server.errors import error_response

__all__ = ["LOOPBACK_NAMES", "HostCheck", "default_allowed_hosts", "host_name"]

#: What a loopback server answers to besides its public URL's host.
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def host_name(header: str) -> str:
    """The host of a `Host` header value, without port or IPv6 brackets, lower-cased."""
    value = header.strip().lower()
    if value.startswith("["):
        return value[1:].partition("]")[0]
    return value.rpartition(":")[0] if value.count(":") == 1 else value


def _is_loopback(host: str) -> bool:
    if host_name(host) == "localhost":
        return True
    try:
        return ipaddress.ip_address(host_name(host)).is_loopback
    except ValueError:
        return False


def default_allowed_hosts(listen_host: str, public_url: str | None) -> tuple[str, ...]:
    """`unimap serve`'s default: for a loopback `listen_host`, the loopback names, it, and the
    host of `public_url`; for any other interface, `()` (no check)."""
    if not _is_loopback(listen_host):
        return ()
    names = [*LOOPBACK_NAMES, host_name(listen_host)]
    public = urlsplit(public_url).hostname if public_url else None
    if public:
        names.append(public.lower())
    return tuple(dict.fromkeys(names))


def _allows(allowed: tuple[str, ...], host: str) -> bool:
    for pattern in allowed:
        if pattern == host or (pattern.startswith("*.") and host.endswith(pattern[1:])):
            return True
    return False


class HostCheck:
    """ASGI middleware refusing requests whose `Host` is not in `allowed` (module doc)."""

    def __init__(self, app: ASGIApp, allowed: Iterable[str]) -> None:
        """Wrap `app`; `allowed` as the module documentation describes."""
        self.app = app
        self.allowed = tuple(host_name(name) if name != "*" else "*" for name in allowed)
        self.everything = "*" in self.allowed or not self.allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass an allowed request on; answer any other with the unified 400."""
        if self.everything or scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        host = host_name(headers.get(b"host", b"").decode("latin-1"))
        if host and _allows(self.allowed, host):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":  # no HTTP answer on a websocket: close it
            await send({"type": "websocket.close", "code": 1008})
            return
        problem = "is not a name this server answers to (unimap serve --allowed-host)"
        error = ValidationError(
            f"Host: {problem}", status_code=400, details=[{"field": "Host", "message": problem}]
        )
        await error_response(error)(scope, receive, send)
