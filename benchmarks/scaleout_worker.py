"""A worker process of `scaleout.py`: every linked account at once, paced through Redis.

Each worker opens the installation's backends from the environment (accounts in PostgreSQL,
pacing in Redis) and runs one thread per account. A thread takes the account's work items
from a Redis list with `LMOVE` into this worker's own "doing" list, does them through the
Python API (`connect_account`, `contacts.bulk_upsert`, `iterate("contacts")`), then records
them done and drops them from "doing". A worker killed midway leaves its unfinished items in
its "doing" lists, where the coordinator finds them and puts them back for the others.
"""

from __future__ import annotations

import json
import os
import threading
import time
from typing import Any

BATCH = 10
"""Contacts per `bulk_upsert` item."""


def upsert_contacts(account: int, item: int) -> list[dict[str, Any]]:
    """The contacts upsert item `item` of `account` writes (fixed, so a redo is identical)."""
    return [
        {"email": f"up-{account:03d}-{item:03d}-{k:02d}@example.com", "first_name": f"U{item}-{k}"}
        for k in range(BATCH)
    ]


def keys(prefix: str, worker: int, account: int) -> tuple[str, str]:
    """The account's queue and this worker's "doing" list for it."""
    return f"{prefix}:queue:{account}", f"{prefix}:doing:{worker}:{account}"


def _perform(connection: Any, item: dict[str, Any]) -> int:
    """Do one item; return how many records it touched."""
    if item["kind"] == "upsert":
        answer = connection.contacts.bulk_upsert(upsert_contacts(item["account"], item["n"]))
        failed = [r for r in answer["result"] if not r.get("success")]
        if failed:
            raise RuntimeError(f"{len(failed)} upserts failed: {failed[0].get('error')}")
        return len(answer["result"])
    return sum(1 for _ in connection.iterate("contacts", {"limit": 25}))


def _account_loop(context: dict[str, Any], account: int, connection: Any) -> None:
    client, prefix, worker = context["redis"], context["prefix"], context["worker"]
    queue, doing = keys(prefix, worker, account)
    time.sleep(account * context["stagger"])
    deadline = time.monotonic() + context["timeout"]
    with connection:
        while time.monotonic() < deadline:
            raw = client.lmove(queue, doing, "LEFT", "RIGHT")
            if raw is None:
                client.hsetnx(f"{prefix}:drained", str(account), time.time())
                if client.scard(f"{prefix}:done") >= context["total"]:
                    return
                time.sleep(0.2)  # items of a dead worker may come back
                continue
            item = json.loads(raw)
            try:
                _perform(connection, item)
            except Exception as error:  # recorded, reported, counted as a failure
                client.rpush(f"{prefix}:errors", f"{item['id']}: {type(error).__name__}: {error}")
            pipe = client.pipeline()
            pipe.sadd(f"{prefix}:done", item["id"])
            pipe.hincrby(f"{prefix}:executions", item["id"], 1)
            pipe.lrem(doing, 1, raw)
            pipe.execute()


def _all_ready(client: Any, settings: dict[str, Any]) -> None:
    """Start sending only once every worker has loaded the engine and opened its accounts:
    start-up work (imports, loading mappings) would otherwise delay the first requests after
    they were paced, a lag no client-side limiter can see."""
    ready = f"{settings['prefix']}:ready"
    client.incr(ready)
    deadline = time.monotonic() + 120
    while int(client.get(ready) or 0) < settings["workers"] and time.monotonic() < deadline:
        time.sleep(0.05)


def run(
    environment: dict[str, str], worker: int, accounts: list[str], settings: dict[str, Any]
) -> None:
    """Process entry point: serve every account until all work is done (or the timeout)."""
    os.environ.update(environment)
    import redis

    from engine.accounts import default_store
    from engine.api import Engine

    engine = Engine.load(settings["mappings"], bundled=False)
    context = {
        "engine": engine,
        "store": default_store(),
        "redis": redis.Redis.from_url(environment["UNIMAP_REDIS_URL"]),
        "prefix": settings["prefix"],
        "worker": worker,
        "total": settings["total"],
        "timeout": settings["timeout"],
        "stagger": settings["stagger"],
    }
    from engine.linking import connect_account

    connections = [connect_account(engine, context["store"], account_id) for account_id in accounts]
    _all_ready(context["redis"], settings)
    threads = [
        threading.Thread(target=_account_loop, args=(context, index, connection), daemon=True)
        for index, connection in enumerate(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(settings["timeout"] + 30)
