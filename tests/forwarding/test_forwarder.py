"""The forwarder: signed POSTs to the tenant's or default endpoint, backoff with jitter on any
failure, `Retry-After` honoured, dead after the last attempt, a loop that starts and stops.
The host app is an `httpx.MockTransport`; the outbox is a real `SqliteOutbox`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from engine.forwarding import (
    Forwarder,
    ForwardingSettings,
    NewMessage,
    SqliteOutbox,
    StoredMessage,
    verify_standard_webhook,
)
from engine.forwarding.forwarder import DISABLED_ERROR, GONE_ERROR
from engine.run.retry import RetryPolicy
from tests.forwarding.conftest import Clock

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
DEFAULT_URL = "https://host.example/default"
RETRY = RetryPolicy(max_attempts=3, base_delay=10.0, max_delay=100.0, jitter="equal")


class Host:
    """The host app: answers each request with the next status, records what it got."""

    def __init__(self, *statuses: int, headers: dict[str, str] | None = None) -> None:
        self.statuses = list(statuses)
        self.headers = headers or {}
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        status = self.statuses.pop(0) if self.statuses else 200
        return httpx.Response(status, headers=self.headers)


@pytest.fixture
def outbox(tmp_path: Path, clock: Clock) -> Iterator[SqliteOutbox]:
    with SqliteOutbox(tmp_path / "unimap.db", clock=clock) as box:
        box.enqueue([NewMessage("msg_1", "acc_1", "t1", "contact.bounced", b'{"type":"x"}')])
        yield box


def forwarder(
    outbox: SqliteOutbox,
    clock: Clock,
    handler: Callable[[httpx.Request], httpx.Response],
    default_url: str | None = DEFAULT_URL,
) -> Forwarder:
    return Forwarder(
        outbox,
        SECRET,
        ForwardingSettings(default_url=default_url, retry=RETRY, poll_seconds=0.05),
        transport=httpx.MockTransport(handler),
        clock=clock,
    )


def test_a_message_is_posted_signed_and_marked_delivered(
    outbox: SqliteOutbox, clock: Clock
) -> None:
    host = Host(204)
    assert asyncio.run(forwarder(outbox, clock, host).run_once()) == 1
    (request,) = host.requests
    assert str(request.url) == DEFAULT_URL and request.content == b'{"type":"x"}'
    payload = verify_standard_webhook(SECRET, request.headers, request.content, now=clock.now)
    assert payload == {"type": "x"} and request.headers["webhook-id"] == "msg_1"
    assert outbox.counts() == {"pending": 0, "delivered": 1, "dead": 0}


def test_the_tenant_endpoint_wins_over_the_default(outbox: SqliteOutbox, clock: Clock) -> None:
    outbox.set_endpoint("t1", "https://tenant-one.example/hooks")
    host = Host(200)
    asyncio.run(forwarder(outbox, clock, host).run_once())
    assert [str(r.url) for r in host.requests] == ["https://tenant-one.example/hooks"]


def test_a_failure_is_retried_after_a_jittered_exponential_backoff(
    outbox: SqliteOutbox, clock: Clock
) -> None:
    host = Host(503, 500, 200)
    sender = forwarder(outbox, clock, host)
    asyncio.run(sender.run_once())
    waiting = _pending(outbox)
    assert waiting.last_error == "HTTP 503"
    assert clock.now + 5 <= waiting.due_at <= clock.now + 10  # equal jitter over 10 s
    assert asyncio.run(sender.run_once()) == 0  # not due yet
    clock.now = waiting.due_at
    asyncio.run(sender.run_once())
    second = _pending(outbox)
    assert clock.now + 10 <= second.due_at <= clock.now + 20
    clock.now = second.due_at
    asyncio.run(sender.run_once())
    assert len(host.requests) == 3
    assert outbox.counts()["delivered"] == 1
    assert len({r.headers["webhook-id"] for r in host.requests}) == 1


def test_retry_after_from_the_host_is_honoured(outbox: SqliteOutbox, clock: Clock) -> None:
    asyncio.run(forwarder(outbox, clock, Host(429, headers={"retry-after": "42"})).run_once())
    waiting = _pending(outbox)
    assert waiting.due_at == clock.now + 42


def test_the_message_is_dead_after_the_last_attempt(outbox: SqliteOutbox, clock: Clock) -> None:
    host = Host(500, 500, 502)
    sender = forwarder(outbox, clock, host)
    for _ in range(3):
        clock.now += 1000
        asyncio.run(sender.run_once())
    (dead,) = outbox.dead()
    assert (dead.id, dead.attempts, dead.last_error) == ("msg_1", 3, "HTTP 502")
    clock.now += 1000
    assert asyncio.run(sender.run_once()) == 0


def test_a_tenant_without_endpoint_waits_with_a_clear_error(
    outbox: SqliteOutbox, clock: Clock
) -> None:
    host = Host()
    asyncio.run(forwarder(outbox, clock, host, default_url=None).run_once())
    waiting = _pending(outbox)
    assert host.requests == []
    assert waiting.last_error == "no forwarding endpoint for tenant 't1'"


def test_a_410_gone_kills_the_message_at_once_and_disables_the_endpoint(
    outbox: SqliteOutbox, clock: Clock
) -> None:
    host = Host(410)
    asyncio.run(forwarder(outbox, clock, host).run_once())
    (dead,) = outbox.dead()
    assert (dead.id, dead.attempts, dead.last_error) == ("msg_1", 1, GONE_ERROR)
    assert outbox.disabled_endpoints()[DEFAULT_URL]["reason"] == GONE_ERROR
    assert len(host.requests) == 1


def test_nothing_more_is_sent_to_a_disabled_endpoint(outbox: SqliteOutbox, clock: Clock) -> None:
    outbox.disable_endpoint(DEFAULT_URL, GONE_ERROR)
    outbox.set_endpoint("t2", "https://tenant-two.example/hooks")
    outbox.enqueue([NewMessage("msg_2", "acc_2", "t2", "contact.bounced", b"{}")])
    host = Host()
    asyncio.run(forwarder(outbox, clock, host).run_once())
    assert [str(r.url) for r in host.requests] == ["https://tenant-two.example/hooks"]
    (dead,) = outbox.dead()
    assert (dead.id, dead.last_error) == ("msg_1", DISABLED_ERROR)


def test_an_endpoint_set_again_after_a_410_receives_the_requeued_message(
    outbox: SqliteOutbox, clock: Clock
) -> None:
    outbox.set_endpoint("t1", "https://tenant-one.example/hooks")
    host = Host(410, 200)
    sender = forwarder(outbox, clock, host)
    asyncio.run(sender.run_once())
    outbox.set_endpoint("t1", "https://tenant-one.example/hooks")
    assert outbox.requeue("msg_1")
    asyncio.run(sender.run_once())
    assert outbox.counts() == {"pending": 0, "delivered": 1, "dead": 0}
    assert len(host.requests) == 2


def test_a_network_error_is_retried(outbox: SqliteOutbox, clock: Clock) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    asyncio.run(forwarder(outbox, clock, refuse).run_once())
    waiting = _pending(outbox)
    assert waiting.last_error == "ConnectError: connection refused"


def test_the_loop_delivers_when_woken_and_stops(outbox: SqliteOutbox) -> None:
    host = Host()

    async def scenario() -> None:
        sender = Forwarder(
            outbox,
            SECRET,
            ForwardingSettings(default_url=DEFAULT_URL, poll_seconds=30.0),
            transport=httpx.MockTransport(host),
        )
        sender.start()
        for _ in range(200):  # the first round runs at once
            if host.requests:
                break
            await asyncio.sleep(0.01)
        outbox.enqueue([NewMessage("msg_2", "acc_1", "t1", "contact.bounced", b"{}")])
        sender.wake()  # without it the next poll is 30 s away
        for _ in range(200):
            if len(host.requests) == 2:
                break
            await asyncio.sleep(0.01)
        await asyncio.wait_for(sender.stop(), 5)

    asyncio.run(asyncio.wait_for(scenario(), 10))
    assert [r.headers["webhook-id"] for r in host.requests] == ["msg_1", "msg_2"]


def _pending(outbox: SqliteOutbox) -> StoredMessage:
    message = outbox.get("msg_1")
    assert message is not None and message.state == "pending"
    return message


def test_a_stopped_forwarder_starts_again_in_a_new_event_loop(outbox: SqliteOutbox) -> None:
    host = Host()
    sender = Forwarder(
        outbox,
        SECRET,
        ForwardingSettings(default_url=DEFAULT_URL, poll_seconds=0.05),
        transport=httpx.MockTransport(host),
    )

    async def one_life(expected: int) -> None:
        sender.start()
        for _ in range(200):
            if len(host.requests) >= expected:
                break
            await asyncio.sleep(0.01)
        await sender.stop()

    asyncio.run(asyncio.wait_for(one_life(1), 10))
    outbox.enqueue([NewMessage("msg_2", "acc_1", "t1", "contact.bounced", b"{}")])
    asyncio.run(asyncio.wait_for(one_life(2), 10))
    assert [r.headers["webhook-id"] for r in host.requests] == ["msg_1", "msg_2"]
