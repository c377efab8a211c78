"""Parent-scoped resources: contacts listed across every list behind one unified cursor,
exactly once at any page size; one list with the parent filter; composite ids for the
single-record methods; membership from the parent."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
import respx

from engine.api import Connection, Engine
from engine.errors import ValidationError
from tests.reads.helpers import TOKEN
from tests.reads.scoped_fake import BASE, ScopedFake, member_key

Connect = Callable[[str], Connection]
SIZES = {"L1": 5, "L2": 0, "L3": 8, "L4": 1, "L5": 0, "L6": 2}
MAX_PAGES = 200


def _all_by_cursor(connection: Connection, limit: int) -> list[str]:
    """Every id read page by page, through the unified cursor alone."""
    ids: list[str] = []
    envelope = connection.contacts.list(limit=limit)
    for _ in range(MAX_PAGES):
        ids += [record["id"] for record in envelope["result"]]
        if envelope["next_cursor"] is None:
            return ids
        envelope = connection.contacts.list(next_cursor=envelope["next_cursor"])
    raise AssertionError("the listing did not end")


@pytest.fixture
def fake() -> ScopedFake:
    """Six lists, two of them empty, one with more members than a page."""
    return ScopedFake(SIZES)


@pytest.mark.parametrize("limit", [1, 7, 1000])
def test_every_member_of_every_list_once_through_the_cursor(
    connect: Connect, fake: ScopedFake, limit: int
) -> None:
    with respx.mock(base_url=BASE) as mock:
        mock.route().mock(side_effect=fake.handle)
        assert _all_by_cursor(connect("scoped"), limit) == fake.expected_ids()


@pytest.mark.parametrize("limit", [1, 7, 1000])
def test_every_member_of_every_list_once_through_iterate(
    connect: Connect, fake: ScopedFake, limit: int
) -> None:
    with respx.mock(base_url=BASE) as mock:
        mock.route().mock(side_effect=fake.handle)
        ids = [r["id"] for r in connect("scoped").contacts.iterate(limit=limit)]
        assert ids == fake.expected_ids()


@pytest.mark.parametrize("limit", [1, 7, 1000])
def test_async_iterate_reads_every_member_once(
    synthetic_engine: Engine, fake: ScopedFake, limit: int
) -> None:
    async def run() -> list[str]:
        async with synthetic_engine.aconnect("scoped", credentials={"api_key": TOKEN}) as conn:
            return [r["id"] async for r in conn.iterate("contacts", {"limit": limit})]

    with respx.mock(base_url=BASE) as mock:
        mock.route().mock(side_effect=fake.handle)
        assert asyncio.run(run()) == fake.expected_ids()


def test_async_pages_continue_from_a_sync_cursor(
    connect: Connect, synthetic_engine: Engine, fake: ScopedFake
) -> None:
    async def rest(cursor: str) -> list[str]:
        ids: list[str] = []
        async with synthetic_engine.aconnect("scoped", credentials={"api_key": TOKEN}) as conn:
            next_cursor: str | None = cursor
            for _ in range(MAX_PAGES):
                if next_cursor is None:
                    return ids
                page = await conn.call("contacts", "list", query={"next_cursor": next_cursor})
                ids += [r["id"] for r in page["result"]]
                next_cursor = page["next_cursor"]
        raise AssertionError("the listing did not end")

    with respx.mock(base_url=BASE) as mock:
        mock.route().mock(side_effect=fake.handle)
        first = connect("scoped").contacts.list(limit=4)
        ids = [r["id"] for r in first["result"]] + asyncio.run(rest(first["next_cursor"]))
        assert ids == fake.expected_ids()


def test_only_empty_lists_give_one_empty_page(connect: Connect) -> None:
    fake = ScopedFake({"E1": 0, "E2": 0, "E3": 0})
    with respx.mock(base_url=BASE) as mock:
        mock.route().mock(side_effect=fake.handle)
        page = connect("scoped").contacts.list(limit=5)
        assert (page["result"], page["next_cursor"]) == ([], None)


def _read_until(connection: Connection, prefix: str) -> tuple[list[str], str]:
    """Pages of 3 read until one holds a member of `prefix`: (ids read, next cursor)."""
    ids: list[str] = []
    envelope = connection.contacts.list(limit=3)
    for _ in range(MAX_PAGES):
        ids += [record["id"] for record in envelope["result"]]
        if any(i.startswith(prefix) for i in ids):
            return ids, envelope["next_cursor"]
        envelope = connection.contacts.list(next_cursor=envelope["next_cursor"])
    raise AssertionError(f"no member of {prefix} was read")


def test_a_list_deleted_after_it_was_listed_is_skipped(connect: Connect, fake: ScopedFake) -> None:
    with respx.mock(base_url=BASE) as mock:
        mock.route().mock(side_effect=fake.handle)
        connection = connect("scoped")
        read, cursor = _read_until(connection, "L3:")  # lists L3 and L4 are known by now
        del fake.lists["L4"]
        rest = [r["id"] for r in connection.iterate("contacts", {"next_cursor": cursor})]
        assert read + rest == fake.expected_ids()
        assert ("GET", "/v1/lists/L4/members", {"offset": "0", "count": "3"}) in fake.requests


def test_a_list_deleted_while_its_members_are_read_ends_its_part(
    connect: Connect, fake: ScopedFake
) -> None:
    with respx.mock(base_url=BASE) as mock:
        mock.route().mock(side_effect=fake.handle)
        connection = connect("scoped")
        read, cursor = _read_until(connection, "L3:")
        del fake.lists["L3"]
        rest = [r["id"] for r in connection.iterate("contacts", {"next_cursor": cursor})]
        assert [i for i in read if not i.startswith("L3:")] + rest == fake.expected_ids()
        assert len(set(read + rest)) == len(read + rest)


def test_the_parent_filter_lists_that_parent_only(connect: Connect, fake: ScopedFake) -> None:
    with respx.mock(base_url=BASE) as mock:
        mock.route().mock(side_effect=fake.handle)
        records = connect("scoped").iterate("contacts", {"list_id": "L3", "limit": 5})
        ids = [r["id"] for r in records]
        assert ids == [i for i in fake.expected_ids() if i.startswith("L3:")]
        assert {path for _, path, _ in fake.requests} == {"/v1/lists/L3/members"}


def test_membership_comes_from_the_parent(connect: Connect, fake: ScopedFake) -> None:
    with respx.mock(base_url=BASE) as mock:
        mock.route().mock(side_effect=fake.handle)
        records = list(connect("scoped").iterate("contacts", {"limit": 50}))
        assert {r["id"].split(":")[0]: r["lists"] for r in records} == {
            "L1": [{"id": "L1", "name": "List L1"}],
            "L3": [{"id": "L3", "name": "List L3"}],
            "L4": [{"id": "L4", "name": "List L4"}],
            "L6": [{"id": "L6", "name": "List L6"}],
        }


def test_listed_records_are_valid_unified_contacts(
    connect: Connect, fake: ScopedFake, assert_valid: Callable[[str, object], None]
) -> None:
    with respx.mock(base_url=BASE) as mock:
        mock.route().mock(side_effect=fake.handle)
        assert_valid("contacts", connect("scoped").contacts.list(limit=7))


def test_get_by_composite_id_fills_the_path(connect: Connect, fake: ScopedFake) -> None:
    key = member_key("l3-2@example.com")
    with respx.mock(base_url=BASE) as mock:
        mock.route().mock(side_effect=fake.handle)
        record = connect("scoped").contacts.get(f"L3:{key}")
        assert (record["id"], record["email"]) == (f"L3:{key}", "l3-2@example.com")
        assert record["lists"] == [{"id": "L3", "name": None}]
        assert fake.requests == [("GET", f"/v1/lists/L3/members/{key}", {})]


def test_a_route_taking_an_email_needs_no_composite_id(connect: Connect, fake: ScopedFake) -> None:
    with respx.mock(base_url=BASE) as mock:
        mock.route().mock(side_effect=fake.handle)
        record = connect("scoped").contacts.get("l3-2@example.com")
        assert record["id"] == f"L3:{member_key('l3-2@example.com')}"
        assert fake.requests == [("GET", "/v1/search-members", {"query": "l3-2@example.com"})]


def test_update_and_delete_by_composite_id(connect: Connect, fake: ScopedFake) -> None:
    key = member_key("l1-0@example.com")
    with respx.mock(base_url=BASE) as mock:
        mock.route().mock(side_effect=fake.handle)
        connection = connect("scoped")
        updated = connection.contacts.update(f"L1:{key}", {"status": "unsubscribed"})
        deleted = connection.contacts.delete(f"L1:{key}")
        assert (updated["status"], deleted) == ("unsubscribed", {"id": f"L1:{key}"})
        assert [(m, p) for m, p, _ in fake.requests] == [
            ("PATCH", f"/v1/lists/L1/members/{key}"),
            ("DELETE", f"/v1/lists/L1/members/{key}"),
        ]


def test_parts_are_percent_encoded_in_the_id(connect: Connect) -> None:
    fake = ScopedFake({"a:b/c": 1})
    with respx.mock(base_url=BASE) as mock:
        mock.route().mock(side_effect=fake.handle)
        connection = connect("scoped")
        (record,) = connection.iterate("contacts")
        assert record["id"].startswith("a%3Ab%2Fc:")
        assert connection.contacts.get(record["id"])["email"] == record["email"]


@pytest.mark.parametrize("bad", ["no-separator", "L1:k:extra", ":k", "L1:"])
def test_an_id_that_does_not_decode_is_a_validation_error_naming_id(
    connect: Connect, bad: str
) -> None:
    with respx.mock(base_url=BASE, assert_all_mocked=True) as mock:
        with pytest.raises(ValidationError) as raised:
            connect("scoped").contacts.get(bad)
        assert [d.field for d in raised.value.details] == ["id"]
        assert mock.calls.call_count == 0


def test_explain_shows_the_scan_of_parents(connect: Connect) -> None:
    explained = connect("scoped").explain("contacts", "list", query={"limit": 7})
    plan = explained["pagination"]
    assert plan["style"] == "offset" and plan["page_size"] == 7
    assert plan["parents"]["resource"] == "lists"
    assert plan["parents"]["filter"] == "list_id"
    assert plan["parents"]["pagination"]["style"] == "page"
    assert explained["requests"][0]["url"] == f"{BASE}/lists"
