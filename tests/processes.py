"""Real processes for tests that run Unimap as a host app would: `unimap serve`, `unimap
sandbox`, `unimap tokens create`, and a host app's own page to be redirected to.

Every wait is bounded; every process is stopped (terminate, then kill) when its block exits.
`env=None` means this process's environment. A server's output can go to a file, so a test can
search its log lines afterwards.
"""

from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import AbstractContextManager, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

UNIMAP = [sys.executable, "-m", "engine.cli"]


def free_port() -> int:
    """A port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@contextmanager
def sandbox(
    env: dict[str, str], provider: str = "mailerlite", port: int = 0
) -> Iterator[tuple[str, str]]:
    """`unimap sandbox` on `port` (0: a free one); yields (base URL, the key it accepts)."""
    process = subprocess.Popen(
        [*UNIMAP, "sandbox", "--provider", provider, "--port", str(port), "--lifetime", "300"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 30.0)
        assert ready, "unimap sandbox printed nothing within 30 s"
        first = process.stdout.readline().decode().split()
        assert len(first) == 2 and first[1].startswith("token="), "unimap sandbox did not start"
        yield first[0], first[1].removeprefix("token=")
    finally:
        _stop(process)


def _wait_healthy(url: str, process: subprocess.Popen[bytes], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"unimap serve exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("unimap serve did not become healthy in time")


@contextmanager
def serve(
    *options: str, env: dict[str, str] | None = None, log: Path | None = None
) -> Iterator[str]:
    """`unimap serve` on a free port (output in `log`, else discarded); yields its URL."""
    port = free_port()
    with open(log or os.devnull, "wb") as output:
        process = subprocess.Popen(
            [*UNIMAP, "serve", "--port", str(port), *options],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env if env is not None else os.environ.copy(),
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, process)
            yield url
        finally:
            _stop(process)


@contextmanager
def together(*blocks: AbstractContextManager[Any]) -> Iterator[list[Any]]:
    """Enter `blocks` at once, each in a thread of its own, and leave them at once: processes
    that start and stop independently of each other wait for their start-up and shutdown side
    by side. Yields what each block gives, in order. When one fails to start, the blocks that
    started are left again and its error is raised."""
    with ThreadPoolExecutor(len(blocks)) as pool:
        entering = [pool.submit(block.__enter__) for block in blocks]
        wait(entering)
        started = [b for b, f in zip(blocks, entering, strict=True) if f.exception() is None]
        try:
            yield [future.result() for future in entering]
        finally:
            for leaving in [pool.submit(block.__exit__, None, None, None) for block in started]:
                leaving.result()


def create_api_token(name: str, env: dict[str, str] | None = None) -> str:
    """`unimap tokens create NAME`: the token it prints."""
    done = subprocess.run(
        [*UNIMAP, "tokens", "create", name],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env=env if env is not None else os.environ.copy(),
    )
    return done.stdout.strip()


class _Linked(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<!DOCTYPE html><title>Host app</title><h1>Thanks, your account is linked</h1>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@contextmanager
def host_app() -> Iterator[str]:
    """The host app's own page the link page redirects to; yields its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Linked)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/linked"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def child_env(home: Path, secret_key: str) -> dict[str, str]:
    """The environment of the processes: an isolated home and a known encryption key."""
    return {**os.environ, "UNIMAP_HOME": str(home), "UNIMAP_SECRET_KEY": secret_key}
