"""Serving the simulator over real HTTP on loopback with uvicorn.

Always binds 127.0.0.1. Port 0 picks a free port (the socket is bound here, then handed to
uvicorn, so the port is known before the server starts). uvicorn runs with the h11 protocol,
which the dropped-connection fault relies on.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal

import uvicorn

from simulators.core.asgi import build_app
from simulators.core.transport import ConnectionDropped

if TYPE_CHECKING:
    from simulators.core.messages import SimulatedProvider

Lifespan = Literal["auto", "on", "off"]

HOST = "127.0.0.1"
"""The only interface the simulator listens on."""


class _QuietDrops(logging.Filter):
    """Hide uvicorn's traceback for connections the simulator drops on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ConnectionDropped)


def bind_socket(port: int = 0) -> socket.socket:
    """A listening TCP socket on 127.0.0.1:`port` (0 = any free port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, port))
    sock.listen(128)
    return sock


def base_url_for(sock: socket.socket, base_path: str = "/api") -> str:
    """`http://127.0.0.1:PORT<base_path>` for a bound socket."""
    return f"http://{HOST}:{sock.getsockname()[1]}{base_path}"


def make_server(
    simulator: SimulatedProvider, log_level: str = "warning", allowed_hosts: Iterable[str] = ()
) -> uvicorn.Server:
    """A uvicorn server (not started) for the simulator's ASGI app; it answers requests whose
    `Host` is loopback or one of `allowed_hosts` (`simulators.core.hosts`)."""
    return make_asgi_server(build_app(simulator, allowed_hosts), log_level)


def make_asgi_server(
    app: Any, log_level: str = "warning", lifespan: Lifespan = "off"
) -> uvicorn.Server:
    """A uvicorn server (not started) for any ASGI app, h11 protocol, no access log."""
    config = uvicorn.Config(
        app,
        http="h11",
        lifespan=lifespan,
        log_level=log_level,
        access_log=False,
        timeout_graceful_shutdown=2,
    )
    error_log = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietDrops) for f in error_log.filters):
        error_log.addFilter(_QuietDrops())
    return uvicorn.Server(config)


@contextmanager
def serve_in_thread(
    simulator: SimulatedProvider,
    port: int = 0,
    startup_timeout: float = 10.0,
    allowed_hosts: Iterable[str] = (),
) -> Iterator[str]:
    """Run the simulator with uvicorn in a background thread; yields the base URL.

    Waits at most `startup_timeout` seconds for the server to accept connections and stops it
    (bounded wait) when the block exits. `allowed_hosts`: `Host` names answered besides the
    loopback ones.
    """
    app = build_app(simulator, allowed_hosts)
    with serve_app_in_thread(app, port, startup_timeout) as root:
        yield root + simulator.base_path


@contextmanager
def serve_app_in_thread(
    app: Any, port: int = 0, startup_timeout: float = 10.0, lifespan: Lifespan = "off"
) -> Iterator[str]:
    """Run any ASGI app with uvicorn on 127.0.0.1 in a background thread; yields
    `http://127.0.0.1:PORT`. Start-up and shut-down waits are bounded."""
    sock = bind_socket(port)
    server = make_asgi_server(app, lifespan=lifespan)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="asgi-uvicorn", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + startup_timeout
    try:
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.01)
        yield base_url_for(sock, "")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


async def serve_until_stopped(
    simulator: SimulatedProvider,
    sock: socket.socket,
    on_ready: Callable[[str], None],
    lifetime: float | None = None,
    allowed_hosts: Iterable[str] = (),
) -> None:
    """Serve on `sock` until SIGINT/SIGTERM or `lifetime` seconds; `on_ready(base_url)` is
    called once the server accepts connections. `allowed_hosts`: `Host` names answered
    besides the loopback ones."""
    server = make_server(simulator, allowed_hosts=allowed_hosts)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started and not task.done():
        await asyncio.sleep(0.01)
    if server.started:
        on_ready(base_url_for(sock, simulator.base_path))
        if lifetime is not None:
            asyncio.get_running_loop().call_later(lifetime, setattr, server, "should_exit", True)
    await task
