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
from contextlib import contextmanager, suppress
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


class _PromptServer(uvicorn.Server):
    """uvicorn's server, stopped at once by `stop()` from another thread.

    uvicorn looks at `should_exit` every 0.1 s, pauses another 0.1 s after asking its
    connections to close, then polls them every 0.1 s: about 0.2 s per stop, which a test
    serving a few apps pays at every teardown. Here `stop()` wakes the main loop, and the
    shutdown waits for connections and tasks in 5 ms steps, with the same graceful timeout,
    then runs the lifespan shutdown as uvicorn does.
    """

    _wake: asyncio.Event | None = None
    _loop: asyncio.AbstractEventLoop | None = None

    def stop(self) -> None:
        """Ask the server to exit now (thread-safe)."""
        self.should_exit = True
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            loop.call_soon_threadsafe(wake.set)

    async def main_loop(self) -> None:
        """uvicorn's ticks (0.1 s apart), cut short by `stop()`."""
        self._wake = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864000
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 0.1)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """Stop accepting, close the connections, wait (bounded) for them and the running
        tasks, then the lifespan shutdown."""
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        state, loop = self.server_state, asyncio.get_running_loop()
        deadline = loop.time() + (self.config.timeout_graceful_shutdown or 0)
        while (state.connections or state.tasks) and loop.time() < deadline:
            await asyncio.sleep(0.005)
        for task in state.tasks:
            task.cancel(msg="Task cancelled, timeout graceful shutdown exceeded")
        if not self.force_exit:
            await self.lifespan.shutdown()


def bind_socket(port: int = 0) -> socket.socket:
    """A listening TCP socket on 127.0.0.1:`port` (0 = any free port).

    Its connections send without Nagle's delay (`TCP_NODELAY`, inherited from the listening
    socket): uvicorn writes a response's head and body separately, and on a socket handed to it
    the second write otherwise waits for the client's delayed ACK, about 40 ms per response.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
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
    server = _PromptServer(make_asgi_server(app, lifespan=lifespan).config)
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
        server.stop()
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
