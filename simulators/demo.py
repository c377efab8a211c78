"""`unimap demo`: a guided tour of the engine against the built-in MailerLite simulator.

No account and no network: the simulator runs in process, seeded deterministically.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import TYPE_CHECKING, Any

import httpx

from engine.cli.mappings import add_mappings_argument, load_engine
from engine.errors import UnimapError

if TYPE_CHECKING:  # the engine loads when the tour runs, not when the parser is built
    from engine.api import Connection, Engine


def register(subparsers: Any) -> None:
    """Add the `demo` sub-command."""
    parser = subparsers.add_parser(
        "demo",
        help="tour the engine against a built-in provider simulator",
        description="Start the MailerLite simulator in process and tour the unified API.",
    )
    parser.add_argument("--subscribers", type=int, default=2000, help="seeded subscribers")
    parser.add_argument("--seed", type=int, default=7, help="simulator seed")
    add_mappings_argument(parser)
    parser.set_defaults(handler=run)


def _title(text: str) -> None:
    print(f"\n== {text}")


def _show(record: dict[str, Any], keys: tuple[str, ...]) -> str:
    return ", ".join(f"{k}={json.dumps(record.get(k), ensure_ascii=False)}" for k in keys)


def tour_reads(connection: Connection) -> None:
    """Lists, segments, custom fields, a page of contacts, a segment's members, one contact."""
    _title("lists.list — MailerLite groups behind the unified envelope (page pagination)")
    lists = connection.lists.list(limit=10, remote_data=False)
    for item in lists["result"]:
        print("  ", _show(item, ("id", "name", "contact_count", "created_at")))

    _title("segments.list")
    segments = connection.segments.list(remote_data=False)
    for item in segments["result"]:
        print("  ", _show(item, ("id", "name", "contact_count")))

    _title("custom_fields.list")
    fields = connection.custom_fields.list(remote_data=False)
    print("   keys:", ", ".join(f["key"] for f in fields["result"]))

    _title("contacts.list limit=3 (cursor pagination; ids as strings, ISO-8601 Z timestamps)")
    page = connection.contacts.list(limit=3, remote_data=False)
    for contact in page["result"]:
        print("  ", _show(contact, ("id", "email", "status", "first_name", "created_at")))
    print("   next_cursor:", (page["next_cursor"] or "")[:48] + "…  (opaque, sealed)")
    follow = connection.contacts.list(next_cursor=page["next_cursor"], remote_data=False)
    print(f"   the cursor alone fetched the next {follow['result_count']} contacts")

    if segments["result"]:
        segment = segments["result"][0]
        _title(f"contacts.list segment_id={segment['id']} — members of '{segment['name']}'")
        members = sum(1 for _ in connection.iterate("contacts", {"segment_id": segment["id"]}))
        print(f"   {members} members (segment says {segment['contact_count']})")

    _title("iterate every contact lazily (constant memory)")
    started = time.perf_counter()
    total = sum(1 for _ in connection.iterate("contacts", {"limit": 500}, remote_data=False))
    print(f"   {total} contacts in {time.perf_counter() - started:.2f}s")

    first = page["result"][0]
    _title(f"contacts.get by email {first['email']}")
    contact = connection.contacts.get(first["email"], remote_data=False)
    print("  ", json.dumps(contact, ensure_ascii=False)[:300])


def tour_writes(connection: Connection) -> None:
    """The form-submission upsert, group creation and membership, a bulk upsert."""
    _title("contacts.upsert — a form submission with a custom field (201 → created: true)")
    body = {
        "email": "Ada.Lovelace@Example.com",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "custom_fields": {"company": "Analytical Engines Ltd"},
    }
    created = connection.contacts.upsert(body)
    print("  ", _show(created, ("id", "email", "created", "custom_fields")))
    again = connection.contacts.upsert({"email": "ada.lovelace@example.com", "last_name": "King"})
    print("   upsert again (200 → created: false):", _show(again, ("created", "last_name")))

    _title("validation before sending: an unknown custom field key")
    try:
        connection.contacts.upsert({"email": "x@example.com", "custom_fields": {"compnay": "x"}})
    except UnimapError as exc:
        print("  ", exc)
        for problem in exc.to_dict().get("fields", []):
            print(f"     {problem['field']}: {problem['message']}")

    _title("lists.create + lists.add_contacts — put the buyer into a new group")
    group = connection.lists.create({"name": "Demo buyers"})
    added = connection.lists.add_contacts(group["id"], [created["id"]])
    print("   created list", group["id"], "→", added["result"])

    _title("contacts.bulk_upsert — 120 contacts (one invalid) through POST /batch")
    contacts = [{"email": f"bulk{i}@example.com", "first_name": f"Bulk {i}"} for i in range(119)]
    contacts.insert(60, {"email": "not-an-email"})
    results = connection.contacts.bulk_upsert(contacts)["result"]
    failed = [(i, r["error"]["fields"]) for i, r in enumerate(results) if not r["success"]]
    print(f"   {len(results)} results, {len(results) - len(failed)} upserted, failed: {failed}")


class _Inbox:
    """A webhook receiver inside the demo: deliveries go through `engine.webhooks.handle`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.secret: str | None = None
        self.events: list[dict[str, Any]] = []

    def receive(self, request: httpx.Request) -> httpx.Response:
        if self.secret is None:
            return httpx.Response(503)
        try:
            events = self.engine.webhooks.handle(
                "mailerlite", dict(request.headers), request.content, secret=self.secret
            )
        except UnimapError:
            return httpx.Response(401)
        self.events.extend(events)
        return httpx.Response(200)


def tour_webhooks(connection: Connection, simulator: Any, inbox: _Inbox) -> None:
    """Subscribe, unsubscribe a contact, and watch the signed event arrive, verified."""
    _title("webhooks.subscribe — MailerLite signs deliveries (HMAC-SHA256, header Signature)")
    hook = connection.webhooks.subscribe(
        "https://host-app.example/hooks/mailerlite",
        ["contact.unsubscribed", "list.contact_added"],
    )
    inbox.secret = hook["secret"]
    print(f"   webhook {hook['id']} for {', '.join(hook['provider_events'])}")
    contact = connection.contacts.upsert({"email": "grace@example.com", "first_name": "Grace"})
    connection.contacts.update(contact["id"], {"status": "unsubscribed"})
    simulator.webhooks.flush(timeout=10)
    for event in inbox.events:
        who = (event.get("contact") or {}).get("email")
        print(f"   received {event['type']} for {who} (event id {event['id'][:16]}…)")


def run(args: argparse.Namespace) -> int:
    """Seed the simulator, connect the engine to it in process, and tour."""
    from simulators.mailerlite import DEFAULT_TOKEN, IN_PROCESS_BASE_URL, Simulator

    print(f"Starting the MailerLite simulator in process ({args.subscribers} subscribers)…")
    engine = load_engine(args)
    inbox = _Inbox(engine)
    simulator = Simulator(
        seed=args.seed, webhook_transport=httpx.MockTransport(inbox.receive)
    ).seed_data(subscribers=args.subscribers, groups=5, segments=3)
    print(f"Loaded mappings: {', '.join(sorted(engine.providers))}")
    with engine.connect(
        "mailerlite",
        credentials={"api_key": DEFAULT_TOKEN},
        base_url=IN_PROCESS_BASE_URL,
        transport=simulator.transport(),
    ) as connection:
        tour_reads(connection)
        tour_writes(connection)
        tour_webhooks(connection, simulator, inbox)
        stats = connection.stats.snapshot()
    simulator.close()
    print(f"\nDone: {stats['attempts']} provider requests, {stats['retries_total']} retries.")
    return 0
