"""Deterministic sample data: audiences, merge fields, members (some in several audiences),
tags and saved segments. Everything, timestamps included, derives from the seed."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from simulators.mailchimp.ids import iso
from simulators.mailchimp.models import Audience
from simulators.mailchimp.state import State

FIRST_NAMES = (
    "Ana",
    "Ben",
    "Chloe",
    "Dan",
    "Eva",
    "Finn",
    "Grace",
    "Hugo",
    "Ivy",
    "Jonas",
    "Kate",
    "Liam",
    "Mia",
    "Noah",
    "Olga",
    "Pablo",
)
LAST_NAMES = (
    "Smith",
    "Jones",
    "Garcia",
    "Novak",
    "Silva",
    "Moreau",
    "Rossi",
    "Berg",
    "Tanaka",
    "Keller",
)
AUDIENCE_NAMES = ("Newsletter", "Customers", "Events", "Partners", "Beta", "Webinars")
TAG_NAMES = ("VIP", "Lead", "Customer", "Trial")
COMPANIES = ("Acme", "Globex", "Initech", "Umbrella", "Hooli")
STATUS_WEIGHTS = (
    ("subscribed", 80),
    ("unsubscribed", 8),
    ("pending", 5),
    ("cleaned", 4),
    ("transactional", 3),
)

_EPOCH = datetime(2023, 1, 1, tzinfo=UTC)
_SPAN = timedelta(days=700)


def audience_body(name: str) -> dict[str, object]:
    """A valid `POST /lists` body for a seeded audience."""
    return {
        "name": name,
        "contact": {
            "company": "Simulated Inc.",
            "address1": "1 Main St",
            "city": "Atlanta",
            "state": "GA",
            "zip": "30308",
            "country": "US",
        },
        "permission_reminder": "You signed up on our website.",
        "campaign_defaults": {
            "from_name": "Simulated",
            "from_email": "news@example.com",
            "subject": "",
            "language": "en",
        },
        "email_type_option": False,
    }


def seed_state(state: State, seed: int, members: int, audiences: int, segments: int) -> None:
    """Fill `state` (no webhook events). Member i lives in audience i % N; every third member
    is also in the next audience (same address, same id, separate record)."""
    rng = random.Random(f"mailchimp-seed:{seed}")
    emit, state.emit_events = state.emit_events, False
    try:
        made: list[Audience] = []
        for i in range(audiences):
            name = AUDIENCE_NAMES[i % len(AUDIENCE_NAMES)] + (
                "" if i < len(AUDIENCE_NAMES) else f" {i}"
            )
            audience = state.create_audience(
                audience_body(name), created=iso(_EPOCH + timedelta(hours=i))
            )
            state.create_merge_field(audience, "Company", "text", tag="COMPANY")
            state.create_merge_field(audience, "Score", "number", tag="SCORE")
            made.append(audience)
        if made:
            _members(state, rng, members, made)
            for audience in made:
                for j in range(segments):
                    state.create_segment(
                        audience,
                        f"Company is {COMPANIES[j % len(COMPANIES)]}",
                        "saved",
                        conditions=[
                            {
                                "condition_type": "TextMerge",
                                "field": "COMPANY",
                                "op": "is",
                                "value": COMPANIES[j % len(COMPANIES)],
                            }
                        ],
                        created=iso(_EPOCH + timedelta(days=1, hours=j)),
                    )
    finally:
        state.emit_events = emit


def _members(state: State, rng: random.Random, count: int, audiences: list[Audience]) -> None:
    statuses = [s for s, _ in STATUS_WEIGHTS]
    weights = [w for _, w in STATUS_WEIGHTS]
    step = _SPAN / max(count, 1)
    for i in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        address = f"{first}.{last}.{i}@example.com".lower()
        when = iso(_EPOCH + step * i + timedelta(seconds=rng.randrange(30)))
        values: dict[str, object] = {"FNAME": first, "LNAME": last}
        if rng.random() < 0.6:
            values["COMPANY"] = rng.choice(COMPANIES)
        if rng.random() < 0.5:
            values["SCORE"] = rng.randrange(101)
        homes = [audiences[i % len(audiences)]]
        if len(audiences) > 1 and i % 3 == 0:
            homes.append(audiences[(i + 1) % len(audiences)])
        for audience in homes:
            status = rng.choices(statuses, weights)[0]
            member = state.create_member(
                audience,
                address,
                status,
                dict(values),
                timestamp_signup=when,
                stats=(round(rng.random(), 2), round(rng.random() / 2, 2)),
            )
            member.last_changed = when
            if rng.random() < 0.3:
                state.set_tag(audience, member, rng.choice(TAG_NAMES), True)
                member.last_changed = when
