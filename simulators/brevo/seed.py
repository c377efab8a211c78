"""Deterministic sample data: a folder, lists, custom attributes, contacts, segments.

Everything derives from the seed (timestamps too: spread over 2023-2024), so the same seed
always gives byte-identical answers.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from simulators.brevo.models import Attribute
from simulators.brevo.state import State, brevo_timestamp

FIRST_NAMES = ("Ana", "Ben", "Chloe", "Dan", "Eva", "Finn", "Grace", "Hugo", "Ivy", "Jonas")
LAST_NAMES = ("Smith", "Garcia", "Novak", "Silva", "Moreau", "Rossi", "Berg", "Tanaka")
LIST_NAMES = ("Newsletter", "Customers", "Leads", "Beta testers", "Webinar", "VIP")
COMPANIES = ("Acme", "Globex", "Initech", "Umbrella", "Hooli")
TIERS = ("bronze", "silver", "gold")

CUSTOM_ATTRIBUTES = (
    ("COMPANY", "text"),
    ("SCORE", "float"),
    ("BIRTHDAY", "date"),
    ("VIP", "boolean"),
)
"""Normal attributes every seeded account has besides FIRSTNAME, LASTNAME and SMS."""

_EPOCH = datetime(2023, 1, 1, tzinfo=UTC)
_SPAN = timedelta(days=700)


def seed_state(state: State, seed: int, contacts: int, lists: int, segments: int) -> None:
    """Fill `state` deterministically (no webhook events)."""
    rng = random.Random(f"brevo-seed:{seed}")
    emit, state.emit_events = state.emit_events, False
    try:
        for name, kind in CUSTOM_ATTRIBUTES:
            state.attributes.setdefault(name, Attribute(name, "normal", kind))
        folder = state.create_folder("Your first folder")
        made = [
            state.create_list(
                LIST_NAMES[i % len(LIST_NAMES)] + ("" if i < len(LIST_NAMES) else f" {i}"),
                folder.id,
                created_at=brevo_timestamp(_EPOCH + timedelta(hours=i)),
            )
            for i in range(lists)
        ]
        step = _SPAN / max(contacts, 1)
        for i in range(contacts):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            when = brevo_timestamp(_EPOCH + step * i + timedelta(seconds=rng.randrange(30)))
            attributes: dict[str, object] = {"FIRSTNAME": first, "LASTNAME": last}
            if rng.random() < 0.5:
                attributes["COMPANY"] = rng.choice(COMPANIES)
            if rng.random() < 0.5:
                attributes["SCORE"] = rng.randrange(101)
            if rng.random() < 0.2:
                attributes["SMS"] = f"+3361{rng.randrange(10**7):07d}"
            state.create_contact(
                f"{first}.{last}.{i}@example.com".lower(),
                attributes,
                list_ids=[item.id for item in made if rng.random() < 0.3],
                email_blacklisted=rng.random() < 0.08,
                created_at=when,
            )
        for i in range(segments):
            when = brevo_timestamp(_EPOCH + timedelta(days=i))
            if i % 2 == 0:
                company = COMPANIES[i % len(COMPANIES)]
                state.create_segment(
                    f"Works at {company}", "Companies", "COMPANY", company, updated_at=when
                )
            else:
                state.create_segment(f"Everyone #{i}", "General", updated_at=when)
    finally:
        state.emit_events = emit
