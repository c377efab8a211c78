"""The outbox contract (`engine.forwarding.outbox.Outbox`), checked on the outbox in SQLite
and in PostgreSQL (a fresh schema of the test server): durable enqueue without duplicates,
leases that never overlap and expire, backoff, dead messages, pruning and per-tenant endpoints.
A second outbox on the same database stands for another process."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from engine.accounts.database import upgrade_database
from engine.accounts.postgres_store import PostgresDatabase
from engine.forwarding.outbox import NewMessage, Outbox
from engine.forwarding.sql_outbox import SqlOutbox
from engine.forwarding.sqlite_outbox import SqliteOutbox
from tests.forwarding.conftest import Clock
from tests.services import postgres_schema


def message(n: int, tenant: str | None = "t1") -> NewMessage:
    return NewMessage(f"msg_{n}", "acc_1", tenant, "contact.unsubscribed", b'{"n": %d}' % n)


OpenOutbox = Callable[[], SqlOutbox]


@pytest.fixture(params=["sqlite", "postgresql"])
def open_box(request: pytest.FixtureRequest, tmp_path: Path, clock: Clock) -> Iterator[OpenOutbox]:
    """Opens an outbox on this test's database: one SQLite file, or one PostgreSQL schema."""
    if request.param == "sqlite":
        yield lambda: SqliteOutbox(tmp_path / "unimap.db", clock=clock)
        return
    with postgres_schema() as url:
        upgrade_database(url)
        yield lambda: SqlOutbox(PostgresDatabase(url), clock=clock)


@pytest.fixture
def outbox(open_box: OpenOutbox) -> Iterator[SqlOutbox]:
    with open_box() as box:
        yield box


def test_the_outbox_implements_the_protocol(outbox: SqlOutbox) -> None:
    assert isinstance(outbox, Outbox)


def test_enqueue_stores_each_id_once(outbox: SqlOutbox) -> None:
    assert outbox.enqueue([message(1), message(2)]) == ["msg_1", "msg_2"]
    assert outbox.enqueue([message(2), message(3)]) == ["msg_3"]
    assert outbox.counts() == {"pending": 3, "delivered": 0, "dead": 0}


def test_a_delivered_id_is_not_enqueued_again(outbox: SqlOutbox) -> None:
    outbox.enqueue([message(1)])
    (claimed,) = outbox.claim(10, 60)
    assert outbox.mark_delivered(claimed.id, claimed.lease_id or "")
    assert outbox.enqueue([message(1)]) == []
    assert outbox.claim(10, 60) == []


def test_messages_survive_reopening_the_database(open_box: OpenOutbox) -> None:
    with open_box() as first:
        first.enqueue([message(1)])
    with open_box() as second:
        (claimed,) = second.claim(10, 60)
    assert (claimed.id, claimed.body, claimed.tenant_id, claimed.attempts) == (
        "msg_1",
        b'{"n": 1}',
        "t1",
        1,
    )


def test_a_leased_message_is_not_claimed_again_until_the_lease_expires(
    outbox: SqlOutbox, open_box: OpenOutbox, clock: Clock
) -> None:
    outbox.enqueue([message(1)])
    (first,) = outbox.claim(10, 60)
    with open_box() as other:
        assert other.claim(10, 60) == []
        clock.now += 61  # the first worker crashed: its lease ran out
        (second,) = other.claim(10, 60)
    assert second.id == first.id and second.attempts == 2
    assert second.lease_id != first.lease_id
    assert not outbox.mark_delivered(first.id, first.lease_id or "")  # the lease was lost
    assert outbox.mark_delivered(second.id, second.lease_id or "")


def test_concurrent_claims_from_two_connections_never_share_a_message(
    outbox: SqlOutbox, open_box: OpenOutbox, clock: Clock
) -> None:
    outbox.enqueue([message(n) for n in range(200)])
    other = open_box()
    taken: list[list[str]] = [[], []]

    def worker(box: SqlOutbox, into: list[str]) -> None:
        for _ in range(100):
            batch = box.claim(7, 60)
            if not batch:
                return
            into.extend(m.id for m in batch)

    threads = [
        threading.Thread(target=worker, args=(box, into))
        for box, into in ((outbox, taken[0]), (other, taken[1]))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    other.close()
    assert not set(taken[0]) & set(taken[1])
    assert sorted(taken[0] + taken[1]) == sorted(f"msg_{n}" for n in range(200))


def test_claim_takes_the_oldest_due_first_and_respects_the_limit(
    outbox: SqlOutbox, clock: Clock
) -> None:
    for n in range(3):
        outbox.enqueue([message(n)])
        clock.now += 1
    assert [m.id for m in outbox.claim(2, 60)] == ["msg_0", "msg_1"]


def test_a_rescheduled_message_is_due_after_its_delay(outbox: SqlOutbox, clock: Clock) -> None:
    outbox.enqueue([message(1)])
    (claimed,) = outbox.claim(10, 60)
    assert outbox.reschedule(claimed.id, claimed.lease_id or "", 30.0, "HTTP 503")
    clock.now += 29
    assert outbox.claim(10, 60) == []
    clock.now += 2
    (again,) = outbox.claim(10, 60)
    assert (again.attempts, again.last_error) == (2, "HTTP 503")


def test_a_dead_message_is_listed_and_can_be_requeued(outbox: SqlOutbox) -> None:
    outbox.enqueue([message(1), message(2, tenant="t2")])
    for claimed in outbox.claim(10, 60):
        assert outbox.mark_dead(claimed.id, claimed.lease_id or "", "HTTP 410")
    assert {m.id for m in outbox.dead()} == {"msg_1", "msg_2"}
    (only,) = outbox.dead(tenant_id="t2")
    assert (only.id, only.state, only.last_error, only.attempts) == ("msg_2", "dead", "HTTP 410", 1)
    assert outbox.claim(10, 60) == []
    assert outbox.requeue("msg_2") and not outbox.requeue("msg_2")
    (revived,) = outbox.claim(10, 60)
    assert (revived.id, revived.attempts) == ("msg_2", 1)
    assert outbox.counts() == {"pending": 1, "delivered": 0, "dead": 1}


def test_prune_deletes_only_old_delivered_messages(outbox: SqlOutbox, clock: Clock) -> None:
    outbox.enqueue([message(1), message(2)])
    first, second = outbox.claim(10, 60)
    outbox.mark_delivered(first.id, first.lease_id or "")
    clock.now += 100
    outbox.mark_delivered(second.id, second.lease_id or "")
    outbox.enqueue([message(3)])
    assert outbox.prune(older_than=50) == 1
    assert outbox.counts() == {"pending": 1, "delivered": 1, "dead": 0}


def test_tenant_endpoints_are_set_replaced_and_removed(outbox: SqlOutbox) -> None:
    assert outbox.endpoint("t1") is None
    outbox.set_endpoint("t1", "https://one.example/hooks")
    outbox.set_endpoint("t2", "https://two.example/hooks")
    outbox.set_endpoint("t1", "https://one.example/v2")
    assert outbox.endpoints() == {"t1": "https://one.example/v2", "t2": "https://two.example/hooks"}
    outbox.set_endpoint("t2", None)
    assert outbox.endpoints() == {"t1": "https://one.example/v2"}


def test_a_disabled_url_is_listed_with_its_first_reason_until_enabled(
    outbox: SqlOutbox, clock: Clock
) -> None:
    outbox.disable_endpoint("https://gone.example/hooks", "HTTP 410 Gone")
    first = clock.now
    clock.now += 60
    outbox.disable_endpoint("https://gone.example/hooks", "again")
    assert outbox.disabled_endpoints() == {
        "https://gone.example/hooks": {"reason": "HTTP 410 Gone", "disabled_at": first}
    }
    assert outbox.enable_endpoint("https://gone.example/hooks")
    assert not outbox.enable_endpoint("https://gone.example/hooks")
    assert outbox.disabled_endpoints() == {}


def test_setting_a_tenant_endpoint_enables_its_url(outbox: SqlOutbox) -> None:
    outbox.disable_endpoint("https://one.example/hooks", "HTTP 410 Gone")
    outbox.disable_endpoint("https://two.example/hooks", "HTTP 410 Gone")
    outbox.set_endpoint("t1", "https://one.example/hooks")
    assert set(outbox.disabled_endpoints()) == {"https://two.example/hooks"}
