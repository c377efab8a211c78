"""The same webhook delivered to two worker processes at once is forwarded exactly once: the
workers share the Redis de-duplicator (`UNIMAP_REDIS_URL`, on the test server), and, through
the server's path, the outbox in PostgreSQL."""

from __future__ import annotations

import base64
import json
import multiprocessing
import os
import secrets
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.context import BaseContext
from typing import Any

import httpx
import pytest

from engine.accounts import Account, PostgresAccountStore
from engine.accounts.database import upgrade_database
from engine.accounts.keys import decode_key, generate_key
from engine.forwarding import open_outbox
from simulators.mailerlite import Simulator
from tests.webhooks.forwarding_worker import run_outbox_worker, run_worker

DELIVERIES = 20

_PRELOADED = [
    "tests.webhooks.forwarding_worker",
    "engine.api",
    "engine.backends",
    "engine.forwarding",
    "engine.run.retry",
    "engine.webhooks.redis_dedupe",
    "asyncio",
]
"""What the fork server imports once, so that each worker process forked from it starts
without importing the engine again (a spawned one took about 0.4 s of CPU to)."""


def worker_processes() -> BaseContext:
    """Where the worker processes come from: forked from a fork server that has imported the
    worker's modules (`_PRELOADED`). Each is a fresh process of its own, as a spawned one
    would be; the whole environment is handed to it with each run (see
    `forwarding_worker`)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOADED)
    return context


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # two workers forward every event at once (the default is 5)


class Catcher:
    """The host's endpoint the workers forward events to; counts each event id."""

    def __init__(self) -> None:
        self.ids: Counter[str] = Counter()
        lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                event = json.loads(self.rfile.read(int(self.headers["content-length"])))
                with lock:  # a forwarded message carries its id in `webhook-id`
                    outer.ids[self.headers.get("webhook-id") or event["id"]] += 1
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/events"


@pytest.fixture
def catcher() -> Iterator[Catcher]:
    found = Catcher()
    thread = threading.Thread(
        target=found.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
    )
    thread.start()
    yield found
    found.server.shutdown()
    found.server.server_close()


def mailerlite_deliveries(count: int) -> tuple[list[tuple[dict[str, str], bytes]], str]:
    """`count` signed `subscriber.created` deliveries as the simulator sends them, and the
    webhook's secret."""
    captured: list[tuple[dict[str, str], bytes]] = []

    def capture(request: httpx.Request) -> httpx.Response:
        captured.append((dict(request.headers), request.content))
        return httpx.Response(200)

    sim = Simulator(seed=7, rate_limit=None, webhook_transport=httpx.MockTransport(capture))
    with sim.client() as client:
        hook = {"name": "h", "events": ["subscriber.created"], "url": "https://host.test/hook"}
        secret = client.post("/webhooks", json=hook).raise_for_status().json()["data"]["secret"]
        for n in range(count):
            client.post("/subscribers", json={"email": f"p{n}@example.com"}).raise_for_status()
    assert sim.webhooks.flush(10)
    sim.close()
    assert len(captured) == count
    return captured, secret


def two_workers(environment: dict[str, str], catcher: Catcher) -> list[int]:
    """Run two worker processes on the same deliveries at once; what each forwarded."""
    deliveries, secret = mailerlite_deliveries(DELIVERIES)
    environment = {**os.environ, **environment}
    context = worker_processes()
    barrier = context.Manager().Barrier(2)
    with ProcessPoolExecutor(2, mp_context=context) as pool:
        runs = [
            pool.submit(run_worker, environment, deliveries, secret, catcher.url, barrier)
            for _ in range(2)
        ]
        return [run.result(timeout=120) for run in runs]


def test_a_delivery_reaching_two_workers_at_once_is_forwarded_exactly_once(
    redis_url: str, redis_namespace: str, catcher: Catcher
) -> None:
    environment = {"UNIMAP_REDIS_URL": redis_url, "UNIMAP_REDIS_PREFIX": redis_namespace}
    forwarded = two_workers(environment, catcher)
    assert sum(forwarded) == DELIVERIES
    assert len(catcher.ids) == DELIVERIES
    assert set(catcher.ids.values()) == {1}


def test_without_redis_each_worker_forwards_its_own_copy(catcher: Catcher) -> None:
    """What the shared store prevents: in-process de-duplication cannot see the other worker."""
    forwarded = two_workers({"UNIMAP_REDIS_URL": ""}, catcher)
    assert forwarded == [DELIVERIES, DELIVERIES]
    assert set(catcher.ids.values()) == {2}


def test_through_the_outbox_each_delivery_is_queued_once_and_forwarded_once(
    redis_url: str, redis_namespace: str, postgres_url: str, catcher: Catcher
) -> None:
    deliveries, secret = mailerlite_deliveries(DELIVERIES)
    key = generate_key()
    upgrade_database(postgres_url)
    with PostgresAccountStore(postgres_url, key=decode_key(key, source="test")) as store:
        account = store.add(
            Account.new("mailerlite", {"api_key": "k"}, secret_metadata={"webhook_secret": secret})
        )
    environment = {
        **os.environ,
        "UNIMAP_REDIS_URL": redis_url,
        "UNIMAP_REDIS_PREFIX": redis_namespace,
        "UNIMAP_DATABASE_URL": postgres_url,
        "UNIMAP_SECRET_KEY": key,
        "UNIMAP_FORWARD_SECRET": "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode(),
    }
    context = worker_processes()
    barrier = context.Manager().Barrier(2)
    with ProcessPoolExecutor(2, mp_context=context) as pool:
        runs = [
            pool.submit(
                run_outbox_worker, environment, account.id, deliveries, catcher.url, barrier
            )
            for _ in range(2)
        ]
        enqueued = [run.result(timeout=120) for run in runs]
    assert sum(enqueued) == DELIVERIES
    assert len(catcher.ids) == DELIVERIES
    assert set(catcher.ids.values()) == {1}
    with open_outbox(postgres_url) as outbox:
        assert outbox.counts() == {"pending": 0, "delivered": DELIVERIES, "dead": 0}
