"""The contact write rules of issue 5 point 3: create, upsert, update (PATCH), delete."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from engine.api import Connection
from engine.errors import NotFoundError
from simulators.mailerlite import Simulator
from tests.writes.conftest import RecordingTransport
from tests.writes.helpers import snapshot, stored


def test_create_makes_a_new_contact(
    conn: Connection, sim: Simulator, new_email: Callable[[str], str]
) -> None:
    email = new_email("create")
    created = conn.contacts.create({"email": email, "first_name": "New"})
    assert created["email"] == email and created["first_name"] == "New"
    assert created["id"] == str(stored(sim, email).id)


def test_upsert_reports_created_true_for_a_new_email_then_false(
    conn: Connection, sim: Simulator, new_email: Callable[[str], str]
) -> None:
    email = new_email("upsert")
    first = conn.contacts.upsert({"email": email, "first_name": "One"})
    second = conn.contacts.upsert({"email": email.upper(), "first_name": "Two"})
    assert (first["created"], second["created"]) == (True, False)
    assert first["id"] == second["id"]
    assert stored(sim, email).fields["name"] == "Two"
    with sim.lock:
        assert sum(1 for sub in sim.state.subscribers.values() if sub.email == email) == 1


def test_upsert_of_an_existing_seeded_contact_reports_created_false(
    conn: Connection, sim: Simulator
) -> None:
    with sim.lock:
        email = next(iter(sim.state.by_email))
    assert conn.contacts.upsert({"email": email})["created"] is False


def test_update_changes_only_the_given_fields(
    conn: Connection, sim: Simulator, group_ids: list[str], new_email: Callable[[str], str]
) -> None:
    email = new_email("patch")
    created = conn.contacts.create(
        {
            "email": email,
            "first_name": "Ann",
            "last_name": "Lee",
            "phones": [{"phone": "+1", "type": None}],
            "lists": [{"id": group_ids[0]}],
            "custom_fields": {"loyalty_tier": "gold", "score": 3},
            "subscribed_at": "2024-01-01T00:00:00Z",
        }
    )
    before = snapshot(sim, email)
    updated = conn.contacts.update(created["id"], {"custom_fields": {"score": 4}})
    after = snapshot(sim, email)
    assert after["fields"] == {**before["fields"], "score": 4}
    assert {k: v for k, v in after.items() if k != "fields"} == {
        k: v for k, v in before.items() if k != "fields"
    }
    assert (updated["first_name"], updated["last_name"]) == ("Ann", "Lee")
    assert updated["custom_fields"]["loyalty_tier"] == "gold"


def test_update_with_null_clears_the_field(
    conn: Connection, sim: Simulator, new_email: Callable[[str], str]
) -> None:
    email = new_email("clear")
    created = conn.contacts.create(
        {"email": email, "first_name": "Ann", "last_name": "Lee", "custom_fields": {"score": 9}}
    )
    updated = conn.contacts.update(
        created["id"], {"last_name": None, "custom_fields": {"score": None}}
    )
    assert (updated["first_name"], updated["last_name"], updated["custom_fields"]["score"]) == (
        "Ann",
        None,
        None,
    )
    fields = stored(sim, email).fields
    assert "last_name" not in fields and "score" not in fields and fields["name"] == "Ann"
    assert conn.contacts.get(created["id"])["last_name"] is None


def test_update_lists_only_add_memberships_and_never_send_groups(
    conn: Connection,
    sim: Simulator,
    recorder: RecordingTransport,
    group_ids: list[str],
    new_email: Callable[[str], str],
) -> None:
    email = new_email("lists")
    created = conn.contacts.create({"email": email, "lists": [{"id": group_ids[0]}]})
    recorder.clear()
    updated = conn.contacts.update(created["id"], {"lists": [{"id": group_ids[1]}]})
    assert stored(sim, email).groups == {int(group_ids[0]), int(group_ids[1])}
    assert sorted(item["id"] for item in updated["lists"]) == sorted(group_ids[:2])
    puts = [s for s in recorder.sent if s.method == "PUT"]
    assert puts and all("groups" not in (s.body or {}) for s in puts)


def test_update_without_lists_keeps_every_membership(
    conn: Connection, sim: Simulator, group_ids: list[str], new_email: Callable[[str], str]
) -> None:
    email = new_email("keep")
    created = conn.contacts.create({"email": email, "lists": [{"id": gid} for gid in group_ids]})
    conn.contacts.update(created["id"], {"first_name": "Renamed"})
    assert stored(sim, email).groups == {int(gid) for gid in group_ids}


@pytest.mark.parametrize("method", ["create", "upsert", "update"])
def test_status_is_sent_only_when_the_caller_gives_it(
    method: str, conn: Connection, recorder: RecordingTransport, new_email: Callable[[str], str]
) -> None:
    email = new_email(method)
    contact_id = conn.contacts.create({"email": email})["id"]
    for body, sends_status in (({"first_name": "X"}, False), ({"status": "unsubscribed"}, True)):
        recorder.clear()
        if method == "update":
            conn.contacts.update(contact_id, body)
        else:
            conn.call("contacts", method, body={"email": email, **body})
        main = [s for s in recorder.writes() if s.method in ("POST", "PUT")][-1]
        assert ("status" in main.body) is sends_status, main.body
        if sends_status:
            assert main.body["status"] == "unsubscribed"


@pytest.mark.parametrize("method", ["upsert", "update"])
def test_a_write_without_status_never_resubscribes_an_unsubscribed_contact(
    method: str,
    conn: Connection,
    sim: Simulator,
    recorder: RecordingTransport,
    new_email: Callable[[str], str],
) -> None:
    email = new_email("unsub")
    contact_id = conn.contacts.create({"email": email, "status": "unsubscribed"})["id"]
    recorder.clear()
    if method == "update":
        result = conn.contacts.update(
            contact_id, {"first_name": "Back", "custom_fields": {"score": 1}}
        )
    else:
        result = conn.contacts.upsert({"email": email, "first_name": "Back"})
    assert result["status"] == "unsubscribed"
    assert stored(sim, email).status == "unsubscribed"
    assert stored(sim, email).fields["name"] == "Back"
    assert all("status" not in (s.body or {}) for s in recorder.writes())


def test_delete_removes_the_contact_and_answers_its_id(
    conn: Connection, sim: Simulator, new_email: Callable[[str], str]
) -> None:
    email = new_email("delete")
    contact_id = conn.contacts.create({"email": email})["id"]
    assert conn.contacts.delete(contact_id) == {"id": contact_id}
    with sim.lock:
        assert email not in sim.state.by_email
    with pytest.raises(NotFoundError):
        conn.contacts.get(contact_id)


def test_delete_of_an_unknown_contact_is_not_found(conn: Connection) -> None:
    with pytest.raises(NotFoundError):
        conn.contacts.delete("123456789012345678")
