"""The backends of an installation, chosen by URL; the embedded ones are the default.

* `UNIMAP_DATABASE_URL`: unset, the accounts live in `$UNIMAP_HOME/unimap.db` (SQLite);
  `postgresql://…` puts them in PostgreSQL.
* `UNIMAP_REDIS_URL`: unset, rate limits, concurrency slots and webhook de-duplication live in
  process (a newcomer needs nothing running); `redis://…` shares them between every worker.

This module is the one place the Python API, the command line and the server ask for them:
`account_store()`, `pacing()` (what an `Engine` paces with), `deduplicator()` (webhook event
ids). See `docs/scale-out.md`.
"""

from __future__ import annotations

from engine.accounts.database import DATABASE_URL_ENV, database_url, default_store
from engine.accounts.postgres_store import PostgresAccountStore
from engine.accounts.sqlite_store import SqliteAccountStore
from engine.run.backend import REDIS_PREFIX_ENV, REDIS_URL_ENV, Pacing, redis_url
from engine.webhooks.dedupe import Deduplicator, SeenEvents

__all__ = [
    "DATABASE_URL_ENV",
    "REDIS_PREFIX_ENV",
    "REDIS_URL_ENV",
    "account_store",
    "database_url",
    "deduplicator",
    "pacing",
    "redis_url",
]


def account_store(*, key: bytes | None = None) -> SqliteAccountStore | PostgresAccountStore:
    """The installation's account store (`UNIMAP_DATABASE_URL`, else the embedded file)."""
    return default_store(key=key)


def pacing() -> Pacing:
    """Where rate-limit and concurrency state lives (`UNIMAP_REDIS_URL`, else in process)."""
    return Pacing.from_env()


def deduplicator(*, ttl_seconds: float = 3600.0, shared: Pacing | None = None) -> SeenEvents:
    """Remembers handled webhook event ids for `ttl_seconds`: in Redis when `shared` (default:
    `pacing()`) uses Redis, so a delivery reaching two workers is handled once; otherwise in
    process."""
    chosen = shared if shared is not None else pacing()
    if chosen.client is None:
        return Deduplicator(ttl_seconds=ttl_seconds)
    from engine.webhooks.redis_dedupe import RedisDeduplicator

    return RedisDeduplicator(
        chosen.client, namespace=f"{chosen.prefix}:webhooks", ttl_seconds=ttl_seconds
    )
