"""lists.create/update/delete and list membership (`add_contacts`, `remove_contacts`)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from engine.api import Connection
from engine.errors import NotFoundError
from simulators.mailerlite import Simulator
from tests.writes.helpers import stored


def test_lists_create_update_and_delete_a_group(conn: Connection, sim: Simulator) -> None:
    created = conn.lists.create({"name": "Buyers"})
    assert (created["name"], created["description"], created["contact_count"]) == (
        "Buyers",
        None,
        0,
    )
    renamed = conn.lists.update(created["id"], {"name": "Buyers 2025"})
    assert (renamed["id"], renamed["name"]) == (created["id"], "Buyers 2025")
    with sim.lock:
        assert sim.state.groups[int(created["id"])].name == "Buyers 2025"
    assert conn.lists.delete(created["id"]) == {"id": created["id"]}
    with sim.lock:
        assert int(created["id"]) not in sim.state.groups
    with pytest.raises(NotFoundError):
        conn.lists.get(created["id"])


def test_add_contacts_answers_one_result_per_id_in_order_and_reports_a_bad_id(
    conn: Connection, sim: Simulator, new_email: Callable[[str], str]
) -> None:
    group = conn.lists.create({"name": "Automation entry"})
    emails = [new_email("member") for _ in range(3)]
    ids = [conn.contacts.create({"email": e})["id"] for e in emails]
    asked = [ids[0], "999999999999999999", ids[1], ids[2]]
    results = conn.lists.add_contacts(group["id"], asked)["result"]
    assert [r.get("contact_id") for r in results if r["success"]] == ids
    assert [r["success"] for r in results] == [True, False, True, True]
    bad = results[1]["error"]
    assert bad["error"] == "validation_error" and bad["remote"] is True
    assert "999999999999999999" in bad["message"]
    for email in emails:
        assert int(group["id"]) in stored(sim, email).groups


def test_remove_contacts_answers_one_result_per_id_in_order_and_reports_a_bad_id(
    conn: Connection, sim: Simulator, new_email: Callable[[str], str]
) -> None:
    group = conn.lists.create({"name": "Leaving"})
    emails = [new_email("leaver") for _ in range(2)]
    ids = [conn.contacts.create({"email": e, "lists": [{"id": group["id"]}]})["id"] for e in emails]
    results = conn.lists.remove_contacts(group["id"], [ids[0], "424242", ids[1]])["result"]
    assert [r["success"] for r in results] == [True, False, True]
    assert [results[0]["contact_id"], results[2]["contact_id"]] == ids
    assert (
        results[1]["error"]["error"] == "not_found" and "424242" in results[1]["error"]["message"]
    )
    for email in emails:
        assert int(group["id"]) not in stored(sim, email).groups


def test_remove_contacts_leaves_other_memberships_alone(
    conn: Connection, sim: Simulator, group_ids: list[str], new_email: Callable[[str], str]
) -> None:
    email = new_email("other")
    contact_id = conn.contacts.create({"email": email, "lists": [{"id": g} for g in group_ids]})[
        "id"
    ]
    conn.lists.remove_contacts(group_ids[0], [contact_id])
    assert stored(sim, email).groups == {int(g) for g in group_ids[1:]}
