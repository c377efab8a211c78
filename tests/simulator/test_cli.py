"""`unimap sandbox` as a subprocess: first line, a real request, and stopping."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from engine.cli import build_parser


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "engine.cli", "sandbox", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    )


def first_line(process: subprocess.Popen[str]) -> tuple[str, str]:
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    base_url, token = line.split(" token=")
    return base_url, token


def test_parser_registers_sandbox() -> None:
    args = build_parser().parse_args(
        ["sandbox", "--rate-limit", "10/2", "--faults", "500:0.1", "--import-limit", "off"]
    )
    assert args.rate_limit == (10, 2.0) and args.import_limit is None
    assert str(args.faults) == "500:0.1"


@pytest.mark.slow
def test_sandbox_prints_url_serves_and_stops_after_lifetime() -> None:
    process = start(
        "--lifetime", "1", "--subscribers", "30", "--token", "t0k", "--rate-limit", "50/60"
    )
    try:
        base_url, token = first_line(process)
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/api")
        assert token == "t0k"
        response = httpx.get(
            f"{base_url}/subscribers",
            params={"limit": 0},
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )
        assert response.json() == {"total": 30}
        assert response.headers["x-ratelimit-limit"] == "50"
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)


def test_sandbox_stops_on_sigterm() -> None:
    process = start("--lifetime", "60", "--subscribers", "5")
    try:
        base_url, _ = first_line(process)
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        assert time.monotonic() - started < 10
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{base_url}/subscribers", timeout=2)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)


def test_sandbox_rejects_a_bad_fault_spec() -> None:
    process = start("--faults", "explode:1")
    assert process.wait(timeout=30) == 2
