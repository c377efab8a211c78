"""The `Host` check of the simulator's HTTP server, against DNS rebinding.

A web page can make a browser send requests to `127.0.0.1` under its own host name (it points
its name at 127.0.0.1 after the page loaded), and the sandbox's token is well known. Browsers
always send the name they used in `Host`, so the server answers only requests whose `Host`
names a loopback address — `127.0.0.1`, `localhost` or `[::1]`, with the server's own port —
or one of the names configured (`unimap sandbox --allow-host NAME`). The name the server was
reached under, as the ASGI scope reports it, is allowed too (an in-process
`httpx.ASGITransport` reports the client's base URL host there; a real server reports its
socket address, which is loopback).
"""

from __future__ import annotations

from collections.abc import Iterable

LOOPBACK = frozenset({"127.0.0.1", "localhost", "[::1]"})
"""Host names always accepted."""


def split_host(host: str) -> tuple[str, str]:
    """`(name, port)` of a `Host` header value (`port` is empty when absent); an IPv6 name
    keeps its brackets."""
    if host.endswith("]") or host.count(":") == 0:
        return host.lower(), ""
    name, _, port = host.rpartition(":")
    return name.lower(), port


def host_allowed(
    host: str | None, server: tuple[str, int | None] | None, allowed: Iterable[str] = ()
) -> bool:
    """Whether a request with this `Host` header may be answered by a server at `server`
    (`(host, port)` from the ASGI scope), with the extra names `allowed`."""
    if not host:
        return False
    name, port = split_host(host)
    names = set(LOOPBACK) | {n.lower() for n in allowed}
    if server is not None:
        names.add(server[0].lower() if ":" not in server[0] else f"[{server[0].lower()}]")
    if name not in names:
        return False
    if server is None or server[1] is None:
        return True
    if port:
        return port == str(server[1])
    return server[1] in (80, 443)
