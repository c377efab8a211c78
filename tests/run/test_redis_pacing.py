"""Pacing in Redis: what only a shared store shows (several limiters on one budget, server
time, expiry, failures), and `UNIMAP_REDIS_URL` choosing it. The `RateLimiter` and concurrency
contracts themselves run against Redis in `test_run_ratelimit.py` and
`test_concurrency_buckets.py`."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from engine.api import Engine
from engine.errors import BackendUnavailableError
from engine.run.backend import Pacing
from engine.run.clock import SystemClock
from engine.run.concurrency import ConcurrencyLimiter
from engine.run.ratelimit import BucketSpec, InMemoryRateLimiter
from engine.run.redis_ratelimit import RedisRateLimiter
from engine.run.redis_slots import RedisConcurrencyLimiter
from tests.run.test_run_ratelimit import Recorder, max_in_any_window
from tests.services import redis_client, redis_server_url

PERIOD = 0.5
BUDGET = BucketSpec("general", 5, PERIOD)


def test_limiters_of_two_workers_share_one_budget_on_the_server_clock(
    redis_namespace: str,
) -> None:
    grants = Recorder()
    workers = [
        RedisRateLimiter(redis_client(), [BUDGET], namespace=redis_namespace, on_grant=grants)
        for _ in range(2)
    ]

    def send(limiter: RedisRateLimiter) -> None:
        for _ in range(3):
            limiter.acquire("acc", ["general"])

    # 12 acquisitions at 5 per period: the last ones wait two periods.
    threads = [threading.Thread(target=send, args=(w,)) for w in workers for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert len(grants.times) == 12
    assert max_in_any_window(grants.times, PERIOD) == 5
    assert max(grants.times) - min(grants.times) >= 2 * PERIOD


def test_an_idle_account_costs_nothing_once_its_window_has_passed(redis_namespace: str) -> None:
    client = redis_client()
    limiter = RedisRateLimiter(client, [BUDGET], namespace=redis_namespace)
    limiter.acquire("acc", ["general"])
    keys = list(client.scan_iter(match=f"{redis_namespace}:*"))
    assert keys
    assert all(0 < client.pttl(key) <= (PERIOD + 1) * 1000 for key in keys)


def test_an_unreachable_redis_is_a_backend_error_without_its_password() -> None:
    with pytest.raises(BackendUnavailableError, match="cannot use Redis") as caught:
        Pacing.from_env({"UNIMAP_REDIS_URL": "redis://:hunter2@127.0.0.1:1/0"})
    assert "hunter2" not in str(caught.value)
    assert caught.value.to_dict()["status_code"] == 503


def test_a_redis_failure_while_pacing_fails_closed() -> None:
    # No client-side retries (redis-py's default backs off for seconds): the refusal itself
    # is what the limiter has to handle.
    no_retries = Retry(NoBackoff(), 0)
    gone = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=1, retry=no_retries)
    limiter = RedisRateLimiter(gone, [BUDGET])
    with pytest.raises(BackendUnavailableError, match="pacing a request"):
        limiter.acquire("acc", ["general"])


def test_the_redis_url_makes_the_engine_pace_in_redis(redis_url: str, redis_namespace: str) -> None:
    shared = Engine.load(
        pacing=Pacing.from_env(
            {"UNIMAP_REDIS_URL": redis_url, "UNIMAP_REDIS_PREFIX": redis_namespace}
        )
    )
    assert isinstance(shared.limiter("mailchimp"), RedisRateLimiter)
    assert isinstance(shared.slots("mailchimp"), RedisConcurrencyLimiter)
    local = Engine.load(pacing=Pacing.from_env({}))
    assert isinstance(local.limiter("mailchimp"), InMemoryRateLimiter)
    assert isinstance(local.slots("mailchimp"), ConcurrencyLimiter)


class Relay:
    """A TCP relay to the test Redis server that can be cut, as when Redis goes away."""

    def __init__(self, server_url: str) -> None:
        target = urlsplit(server_url)
        self.target = (target.hostname or "127.0.0.1", target.port or 6379)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                near, _ = self.listener.accept()
            except OSError:
                return
            far = socket.create_connection(self.target)
            self.sockets += [near, far]
            for source, sink in ((near, far), (far, near)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass

    def cut(self) -> None:
        for each in [self.listener, *self.sockets]:
            with contextlib.suppress(OSError):
                each.shutdown(socket.SHUT_RDWR)
            each.close()


def test_pacing_fails_closed_within_a_second_once_redis_goes_away(redis_namespace: str) -> None:
    relay = Relay(redis_server_url())
    pacing = Pacing.from_env(
        {
            "UNIMAP_REDIS_URL": f"redis://127.0.0.1:{relay.port}/0",
            "UNIMAP_REDIS_PREFIX": redis_namespace,
        }
    )
    limiter = pacing.rate_limiter("provider", [BUDGET], SystemClock(), 0.0)
    limiter.acquire("acc", ["general"])
    relay.cut()
    started = time.monotonic()
    with pytest.raises(BackendUnavailableError, match="pacing a request"):
        limiter.acquire("acc", ["general"])
    assert time.monotonic() - started < 1.0
