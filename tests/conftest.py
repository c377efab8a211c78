"""Suite-wide settings: a throw-away home for keys and databases; the backend servers; the
canary watch (`canary_watch.py`), which checks the whole run for leaked canary keys; bytecode
kept between runs even when `PYTHONDONTWRITEBYTECODE` is set."""

from __future__ import annotations

import compileall
import gc
import os
import ssl
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.services import (
    backends_of_their_own,
    postgres_schema,
    redis_client,
    redis_prefix,
    redis_server_url,
)

if TYPE_CHECKING:
    from engine.loader import ProviderMapping

ROOT = Path(__file__).resolve().parents[1]


def _keep_bytecode() -> None:
    """With `PYTHONDONTWRITEBYTECODE` set, every pytest process (the controller, each xdist
    worker) would compile every module and rewrite every test's asserts again, run after run
    (several seconds of CPU each). Keep that bytecode under `.pytest_cache/bytecode` instead
    (`sys.pycache_prefix`), out of the source folders. The processes the tests start (`unimap
    serve`, `unimap sandbox`, worker processes, inner pytest runs) keep the environment's
    setting, so the controller byte-compiles the packages they import first, as installing
    a wheel does (`compileall`: only what changed since the last run)."""
    if not sys.dont_write_bytecode or sys.pycache_prefix:
        return
    if "PYTEST_XDIST_WORKER" not in os.environ:
        for package in ("engine", "simulators", "benchmarks"):
            compileall.compile_dir(ROOT / package, quiet=1, workers=1)
    sys.pycache_prefix = str(ROOT / ".pytest_cache" / "bytecode")
    sys.dont_write_bytecode = False


_keep_bytecode()


def _one_default_tls_context() -> None:
    """Every `httpx.Client()` made without a transport builds an SSL context and loads the
    whole CA bundle into it (certifi: about 30 ms of CPU), even to send plain HTTP to a
    loopback server, which is all the suite's clients do: some 450 clients per run, over
    10 s of CPU. In the test processes, the default context (`verify=True`, no client
    certificate) is built once and shared, as httpx's documentation suggests for many
    clients; it trusts the same bundle (`SSL_CERT_FILE` and `SSL_CERT_DIR` still apply:
    the context is kept per their values). Any other `verify` is built as before."""
    from engine.run.http import httpx

    transports = httpx._transports.default
    build = transports.create_ssl_context
    shared: dict[tuple[str | None, str | None], ssl.SSLContext] = {}

    def create_ssl_context(
        verify: Any = True, cert: Any = None, trust_env: bool = True
    ) -> ssl.SSLContext:
        if verify is not True or cert is not None or not trust_env:
            return build(verify=verify, cert=cert, trust_env=trust_env)
        where = (os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
        if where not in shared:
            shared[where] = build(verify=verify, cert=cert, trust_env=trust_env)
        return shared[where]

    transports.create_ssl_context = create_ssl_context


_one_default_tls_context()

if not os.environ.get("UNIMAP_HOME"):
    os.environ["UNIMAP_HOME"] = tempfile.mkdtemp(prefix="unimap-test-home-")


@pytest.fixture(scope="session")
def bundled_providers() -> dict[str, ProviderMapping]:
    """The bundled mappings, loaded once per process, for a test building its own `Engine`
    (`Engine(bundled_providers, ...)`): a test with an `UNIMAP_HOME` of its own would
    otherwise miss the on-disk mapping cache and parse every file again."""
    from engine.api import Engine

    return Engine.load().providers


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL schema of the test server (fails when the server is unreachable)."""
    with postgres_schema() as url:
        yield url


@pytest.fixture
def redis_url() -> str:
    """The test Redis server's URL (fails when the server is unreachable)."""
    redis_client().close()
    return redis_server_url()


@pytest.fixture
def redis_namespace() -> Iterator[str]:
    """A Redis key prefix of this test alone (its keys are deleted afterwards)."""
    with redis_prefix() as prefix:
        yield prefix


pytest_plugins = ["canary_watch", "pytester"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the files holding a `slow` test first, each file's tests kept together and in order.

    With xdist (`--dist worksteal`, see `pyproject.toml`) a long test collected last would
    start last and keep one worker busy after the other has finished; started first, the
    short tests fill the other worker around it. Keeping a file's tests together keeps its
    module-scoped fixtures built once.
    """
    slow = {item.nodeid.split("::")[0] for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.nodeid.split("::")[0] not in slow)



def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: one worker more than the machine has cores. Many tests wait (on a browser,
    a server process, a real clock) rather than compute; the extra worker computes while one
    waits. On two cores, three workers took the suite from 80 s to 61 s of wall time."""
    return (os.cpu_count() or 1) + 1

@pytest.fixture(autouse=True)
def shared_backends_of_this_test(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """When the suite runs on the shared backends (`UNIMAP_DATABASE_URL=postgresql://…`,
    `UNIMAP_REDIS_URL=redis://…`, the second pass of `.ci/run`), each test gets its own
    migrated schema and its own Redis key prefix, as it gets its own file and memory with the
    embedded defaults (`backends_of_their_own`). Without those variables this does nothing."""
    backends = ("UNIMAP_DATABASE_URL", "UNIMAP_REDIS_URL")
    named = {name: os.environ[name] for name in backends if name in os.environ}
    with backends_of_their_own(named) as environ:
        for name in ("UNIMAP_DATABASE_URL", "UNIMAP_REDIS_PREFIX"):
            if name in environ and environ[name] != named.get(name):
                monkeypatch.setenv(name, environ[name])
        yield


@pytest.fixture
def embedded_backends(monkeypatch: pytest.MonkeyPatch) -> None:
    """The embedded defaults (the SQLite file under `UNIMAP_HOME`, in-process pacing) whatever
    the run's backend variables say: for tests that open that file themselves."""
    for name in ("UNIMAP_DATABASE_URL", "UNIMAP_REDIS_URL", "UNIMAP_REDIS_PREFIX"):
        monkeypatch.delenv(name, raising=False)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Move what collection built (modules, test items, parameters: long-lived) out of the
    garbage collector's sight, so each full collection during the run walks only what the
    tests themselves made."""
    gc.collect()
    gc.freeze()
