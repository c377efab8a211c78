"""Suite-wide settings: a throw-away home for keys and databases; the backend servers; the
canary watch (`canary_watch.py`), which checks the whole run for leaked canary keys."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest

from tests.services import postgres_schema, redis_client, redis_prefix, redis_server_url

if not os.environ.get("UNIMAP_HOME"):
    os.environ["UNIMAP_HOME"] = tempfile.mkdtemp(prefix="unimap-test-home-")


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


pytest_plugins = ["canary_watch"]
