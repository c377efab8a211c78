"""`unimap serve` as a host app runs it: a real process, a token from `unimap tokens create`."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.processes import create_api_token, serve
from tests.services import backends_of_their_own


def _authenticated_call(url: str, token: str) -> httpx.Response:
    return httpx.post(
        f"{url}/account-tokens",
        json={"integrated_account_id": "acc_missing"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10.0,
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """One `unimap serve` process (a single worker) for the tests that only send it requests
    that change nothing: its URL, and a host app's token that `unimap tokens create` made
    before it started. Its home is its own, as `unimap_home` gives each test (and so are its
    schema and Redis keys on the shared backends)."""
    folder = tmp_path_factory.mktemp("serve")
    environ = {
        **os.environ,
        "UNIMAP_HOME": str(folder / "unimap-home"),
        "HOME": str(folder / "user-home"),
    }
    environ.pop("UNIMAP_SECRET_KEY", None)
    with backends_of_their_own(environ) as env:
        token = create_api_token("host-app", env)
        with serve(env=env) as url:
            yield url, token


def test_help_imports_no_web_server() -> None:
    code = (
        "import sys; from engine.cli import build_parser; build_parser(); "
        "print(sorted(m for m in ('starlette', 'uvicorn') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"


def test_serve_authenticates_tokens_made_by_the_tokens_command(served: tuple[str, str]) -> None:
    url, token = served
    assert _authenticated_call(url, token).json()["error"] == "not_found"
    assert _authenticated_call(url, token + "x").status_code == 401


@pytest.mark.slow
def test_serve_with_workers_builds_one_app_per_process(unimap_home: Path) -> None:
    token = create_api_token("host-app")
    with serve("--workers", "2") as url:
        statuses = {_authenticated_call(url, token).status_code for _ in range(6)}
    assert statuses == {404}


def test_serve_on_loopback_refuses_a_foreign_host_header(served: tuple[str, str]) -> None:
    url, _ = served
    rebound = httpx.get(f"{url}/healthz", headers={"Host": "rebound.example"}, timeout=10)
    own = httpx.get(f"{url}/healthz", timeout=10)
    assert (rebound.status_code, rebound.json()["error"]) == (400, "validation_error")
    assert own.status_code == 200
