"""Read checks: listings exactly once, filters, get by id and by email, every record valid."""

from __future__ import annotations

from typing import Any

from engine.conformance.probe import CheckFailed, Probe, expect
from engine.conformance.registry import Check, registrar
from engine.errors import NotFoundError

PAGE_SIZES = (1, 7, 1000)

CHECKS: list[Check] = []
"""The read checks, in the order they run."""
check = registrar(CHECKS)


def _ids(records: list[Any]) -> list[str]:
    return [str(record["id"]) for record in records]


def _exactly_once(probe: Probe, resource: str) -> str:
    probe.require(resource, "list")
    reference = _ids(probe.listing(resource, max(PAGE_SIZES)))
    expect(len(set(reference)) == len(reference), f"{resource}: the listing repeats records")
    for size in PAGE_SIZES[:-1]:
        got = _ids(probe.listing(resource, size))
        expect(
            got == reference[: len(got)] and len(got) == min(len(reference), probe.max_records),
            f"{resource}: page size {size} gave {len(got)} records, not the {len(reference)} "
            "of the reference listing in the same order",
        )
    return f"{len(reference)} records at page sizes {', '.join(map(str, PAGE_SIZES))}"


@check("contacts.list.exactly_once")
def contacts_exactly_once(probe: Probe) -> str:
    """Listing contacts at page sizes 1, 7 and 1000 gives every record once, in order."""
    return _exactly_once(probe, "contacts")


@check("lists.list.exactly_once")
def lists_exactly_once(probe: Probe) -> str:
    """Listing lists at page sizes 1, 7 and 1000 gives every record once, in order."""
    return _exactly_once(probe, "lists")


@check("contacts.list.cursor_alone")
def contacts_cursor_alone(probe: Probe) -> str:
    """Following `next_cursor` alone (no filters repeated) walks the whole listing."""
    probe.require("contacts", "list")
    reference = _ids(probe.listing("contacts", 1000))
    page = probe.call("contacts", "list", query={"limit": 7})
    seen = _ids(page["result"])
    pages = 1
    while page.get("next_cursor") and len(seen) < probe.max_records:
        page = probe.call("contacts", "list", query={"next_cursor": page["next_cursor"]})
        probe.valid("contacts", page)
        seen += _ids(page["result"])
        pages += 1
    expect(seen[: len(reference)] == reference[: len(seen)], "the cursor walk differs")
    return f"{len(seen)} records over {pages} pages"


@check("contacts.list.filters")
def contacts_filters(probe: Probe) -> str:
    """Each declared filter narrows the listing to matching, valid records."""
    probe.require("contacts", "list")
    sample = probe.listing("contacts", 100)
    expect(bool(sample), "no contacts to filter")
    tried: list[str] = []
    declared = probe.filters("contacts")
    if "status" in declared:
        status = sample[0]["status"]
        got = probe.listing("contacts", 100, {"status": status})
        expect(all(r["status"] == status for r in got), f"status={status} gave other statuses")
        tried.append("status")
    if "email" in declared:
        email = sample[-1]["email"]
        got = probe.listing("contacts", 100, {"email": email})
        # One contact per address, except where one address is several contacts (e.g. one
        # per audience): the contact is among them and every one has the address.
        expect(
            sample[-1]["id"] in _ids(got)
            and all(str(r["email"]).lower() == str(email).lower() for r in got),
            f"email={email} did not give its contact, or gave others",
        )
        tried.append("email")
    for name, source in (("list_id", "lists"), ("segment_id", "segments")):
        if name in declared and _supports(probe, source):
            parents = probe.listing(source, 100)
            if parents:
                probe.listing("contacts", 100, {name: parents[0]["id"]})
                tried.append(name)
    return "filters " + (", ".join(tried) or "none declared")


def _supports(probe: Probe, resource: str) -> bool:
    """Whether the mapping has the resource and maps its `list`."""
    mapped = probe.mapping.resources.get(resource)
    return mapped is not None and mapped.operations.get("list") is not None


@check("contacts.get.by_id")
def contacts_get_by_id(probe: Probe) -> str:
    """`get` by a listed id returns that contact."""
    probe.require("contacts", "list", "get")
    first = probe.listing("contacts", 10)
    expect(bool(first), "no contacts to get")
    record = probe.call("contacts", "get", first[0]["id"])
    probe.valid("contacts", record)
    expect(record["id"] == first[0]["id"], "get returned another contact")
    return f"contact {record['id']}"


@check("contacts.get.by_email")
def contacts_get_by_email(probe: Probe) -> str:
    """`get` by a listed contact's email returns that contact."""
    probe.require("contacts", "list", "get")
    first = probe.listing("contacts", 10)
    expect(bool(first), "no contacts to get")
    record = probe.call("contacts", "get", first[-1]["email"])
    probe.valid("contacts", record)
    expect(record["email"] == first[-1]["email"], "get by email returned another contact")
    return f"contact {record['email']}"


@check("contacts.get.missing")
def contacts_get_missing(probe: Probe) -> str:
    """`get` of an address nobody has answers `not_found`."""
    probe.require("contacts", "get")
    try:
        probe.call("contacts", "get", probe.email("nobody"))
    except NotFoundError:
        return "not_found"
    raise CheckFailed("a contact that does not exist was returned")


@check("lists.get")
def lists_get(probe: Probe) -> str:
    """`get` of a listed list returns it."""
    probe.require("lists", "list", "get")
    found = probe.listing("lists", 10)
    if not found:
        return "no lists in the account"
    record = probe.call("lists", "get", found[0]["id"])
    probe.valid("lists", record)
    expect(record["id"] == found[0]["id"], "get returned another list")
    return f"list {record['id']}"


@check("segments.list_and_members")
def segments_and_members(probe: Probe) -> str:
    """Segments list validly, and a segment's members list as valid contacts."""
    probe.require("segments", "list")
    segments = probe.listing("segments", 100)
    if not segments or "segment_id" not in probe.filters("contacts"):
        return f"{len(segments)} segments"
    members = probe.listing("contacts", 100, {"segment_id": segments[0]["id"]})
    return f"{len(segments)} segments; {len(members)} members in the first"


@check("custom_fields.list")
def custom_fields_list(probe: Probe) -> str:
    """Custom field definitions list validly."""
    probe.require("custom_fields", "list")
    fields = probe.listing("custom_fields", 100)
    return f"{len(fields)} custom fields"
