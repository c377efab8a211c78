"""The real PostgreSQL and Redis servers the backend tests run against.

`UNIMAP_TEST_POSTGRES_URL` (default `postgresql://postgres@127.0.0.1:5432/test`) and
`UNIMAP_TEST_REDIS_URL` (default `redis://127.0.0.1:6379/0`) name them. A server that cannot be
reached makes the test that needs it **fail** with a message saying how to fix it: backend
tests are never skipped silently. Every test gets its own PostgreSQL schema and its own Redis
key prefix, so tests running in parallel (xdist workers, two checkouts) never meet.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from urllib.parse import quote

import pytest

POSTGRES_ENV = "UNIMAP_TEST_POSTGRES_URL"
REDIS_ENV = "UNIMAP_TEST_REDIS_URL"


def postgres_server_url() -> str:
    """The PostgreSQL server the tests use."""
    return os.environ.get(POSTGRES_ENV) or "postgresql://postgres@127.0.0.1:5432/test"


def redis_server_url() -> str:
    """The Redis server the tests use."""
    return os.environ.get(REDIS_ENV) or "redis://127.0.0.1:6379/0"


def _module(name: str) -> Any:
    try:
        return __import__(name)
    except ImportError:
        pytest.fail(
            f"the {name} package is missing; install the test extra: "
            "pip install -e '.[test,dev]'",
            pytrace=False,
        )


def _postgres(server: str | None = None) -> Any:
    psycopg = _module("psycopg")
    url = server or postgres_server_url()
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        pytest.fail(
            f"PostgreSQL not reachable at {url} ({str(error).strip()}); start it or set "
            f"{POSTGRES_ENV if server is None else 'UNIMAP_DATABASE_URL'}",
            pytrace=False,
        )


def with_schema(url: str, schema: str) -> str:
    """`url` with the libpq option selecting `schema` first on the search path."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-csearch_path={schema}')}"


def postgres_query(url: str, statement: str) -> list[tuple[Any, ...]]:
    """Run one statement on `url` in its own session; its rows (none for a command)."""
    with _module("psycopg").connect(url, autocommit=True) as conn:
        cursor = conn.execute(statement)
        return list(cursor.fetchall()) if cursor.description else []


@contextmanager
def postgres_schema(server: str | None = None) -> Iterator[str]:
    """A fresh, empty schema on `server` (default: the test server); yields the URL that uses
    it; dropped afterwards."""
    schema = f"unimap_test_{uuid.uuid4().hex[:16]}"
    admin = _postgres(server)
    try:
        admin.execute(f"CREATE SCHEMA {schema}")
        yield with_schema(server or postgres_server_url(), schema)
    finally:
        admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.close()


def redis_client(server: str | None = None) -> Any:
    """A client of `server` (default: the test Redis server), checked with a PING."""
    redis = _module("redis")
    url = server or redis_server_url()
    client = redis.Redis.from_url(url, socket_connect_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(
            f"Redis not reachable at {url} ({error}); start it or set "
            f"{REDIS_ENV if server is None else 'UNIMAP_REDIS_URL'}",
            pytrace=False,
        )
    return client


@contextmanager
def redis_prefix(server: str | None = None) -> Iterator[str]:
    """A key prefix no other test uses on `server` (default: the test server); its keys are
    deleted afterwards."""
    prefix = f"unimap-test-{uuid.uuid4().hex[:16]}"
    client = redis_client(server)
    try:
        yield prefix
    finally:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()


@contextmanager
def backends_of_their_own(environ: dict[str, str]) -> Iterator[dict[str, str]]:
    """`environ` changed to a migrated PostgreSQL schema and a Redis key prefix of their own
    when it names the shared backends (`UNIMAP_DATABASE_URL=postgresql://…`,
    `UNIMAP_REDIS_URL=redis://…`, the second pass of `.ci/run`); unchanged otherwise. The
    schema and the keys are dropped on exit."""
    changed = dict(environ)
    database = changed.get("UNIMAP_DATABASE_URL", "")
    redis = changed.get("UNIMAP_REDIS_URL", "")
    with ExitStack() as stack:
        if database.startswith(("postgresql://", "postgres://")):
            from engine.accounts.database import upgrade_database

            url = stack.enter_context(postgres_schema(database))
            upgrade_database(url)
            changed["UNIMAP_DATABASE_URL"] = url
        if redis:
            changed["UNIMAP_REDIS_PREFIX"] = stack.enter_context(redis_prefix(redis))
        yield changed
