"""`unimap serve` as a host app runs it: a real process, a token from `unimap tokens create`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

UNIMAP = [sys.executable, "-m", "engine.cli"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
def _serving(*extra: str) -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [*UNIMAP, "serve", "--port", str(port), *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=os.environ.copy(),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _token(name: str) -> str:
    done = subprocess.run(
        [*UNIMAP, "tokens", "create", name], capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout.strip()


def _authenticated_call(url: str, token: str) -> httpx.Response:
    return httpx.post(
        f"{url}/account-tokens",
        json={"integrated_account_id": "acc_missing"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10.0,
    )


def test_help_imports_no_web_server() -> None:
    code = (
        "import sys; from engine.cli import build_parser; build_parser(); "
        "print(sorted(m for m in ('starlette', 'uvicorn') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"


def test_serve_authenticates_tokens_made_by_the_tokens_command(unimap_home: Path) -> None:
    token = _token("host-app")
    with _serving() as url:
        assert _authenticated_call(url, token).json()["error"] == "not_found"
        assert _authenticated_call(url, token + "x").status_code == 401


@pytest.mark.slow
def test_serve_with_workers_builds_one_app_per_process(unimap_home: Path) -> None:
    token = _token("host-app")
    with _serving("--workers", "2") as url:
        statuses = {_authenticated_call(url, token).status_code for _ in range(6)}
    assert statuses == {404}
