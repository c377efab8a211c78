"""A nearly free HTTP/1.1 server that answers recorded requests with pre-built bytes.

    python -m benchmarks.replay_server PAGES.pickle [PAGES.pickle ...]

Loads the pages written by `benchmarks.pages`, binds 127.0.0.1 on a free port, prints
`http://127.0.0.1:PORT` on one line and serves until killed (or stdin closes). Each request is
one dict look-up (`request_key`) and one write of bytes built before the first request, so the
benchmark times the client's work, not the server's. A request that was not recorded gets a
404 naming it. Keep-alive, GET/HEAD-sized requests (a body, if any, is read and ignored).
"""

from __future__ import annotations

import asyncio
import sys
import threading
from pathlib import Path

from benchmarks.pages import read_pages, request_key

_NOT_FOUND = b"HTTP/1.1 404 Not Found\r\ncontent-type: text/plain\r\ncontent-length: %d\r\n\r\n%s"


class _Replay(asyncio.Protocol):
    """One connection: parse request heads, answer each from the table."""

    def __init__(self, pages: dict[str, bytes]) -> None:
        self.pages = pages
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].decode("latin-1")
            length = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            method, target, _ = head.split(" ", 2)
            self.answer(method, target)

    def answer(self, method: str, target: str) -> None:
        key = request_key(method, target)
        found = self.pages.get(key)
        if found is None:
            message = f"not recorded: {key}".encode()
            found = _NOT_FOUND % (len(message), message)
        assert self.transport is not None
        self.transport.write(found)


async def serve(pages: dict[str, bytes]) -> None:
    """Serve `pages` on 127.0.0.1 (a free port) until cancelled; prints the base URL."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _Replay(pages), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print(f"http://127.0.0.1:{port}", flush=True)
    async with server:
        await server.serve_forever()


def _exit_when_stdin_closes() -> None:
    sys.stdin.read()
    import os

    os._exit(0)


def main(argv: list[str]) -> int:
    """Load every pages file given and serve them together."""
    pages: dict[str, bytes] = {}
    for path in argv:
        pages.update(read_pages(Path(path))[1])
    threading.Thread(target=_exit_when_stdin_closes, daemon=True).start()
    asyncio.run(serve(pages))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
