"""Deterministic sample data: subscribers, custom fields, groups with memberships, segments.

Everything is derived from the seed, including timestamps (spread over 2023-2024, growing with
the id), so the same seed always yields byte-identical responses.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from simulators.core.clock import rest_timestamp
from simulators.mailerlite.models import Condition, Group
from simulators.mailerlite.state import State

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
    "Quinn",
    "Rosa",
    "Sam",
    "Tara",
)
LAST_NAMES = (
    "Smith",
    "Jones",
    "Garcia",
    "Novak",
    "Kowalski",
    "Silva",
    "Moreau",
    "Rossi",
    "Berg",
    "Tanaka",
    "Horvat",
    "Jansen",
    "Keller",
    "Lopez",
    "Petrov",
    "Olsen",
)
COMPANIES = ("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne")
COUNTRIES = ("Lithuania", "Germany", "France", "Spain", "Serbia", "Poland", "Italy", "Norway")
CITIES = ("Vilnius", "Berlin", "Paris", "Madrid", "Belgrade", "Warsaw", "Rome", "Oslo")
TIERS = ("bronze", "silver", "gold", "platinum")
SOURCES = ("api", "manual", "import", "webform")
GROUP_NAMES = (
    "Newsletter",
    "Customers",
    "Leads",
    "Beta testers",
    "Webinar",
    "VIP",
    "Partners",
    "Events",
    "Product updates",
    "Churned",
)
STATUS_WEIGHTS = (
    ("active", 80),
    ("unsubscribed", 8),
    ("unconfirmed", 5),
    ("bounced", 4),
    ("junk", 3),
)

CUSTOM_FIELDS = (("Loyalty tier", "text"), ("Score", "number"), ("Birthday", "date"))
"""Custom fields every seeded account has (keys `loyalty_tier`, `score`, `birthday`)."""

_EPOCH = datetime(2023, 1, 1, tzinfo=UTC)
_SPAN = timedelta(days=700)


def seed_state(state: State, seed: int, subscribers: int, groups: int, segments: int) -> None:
    """Fill `state` with deterministic data (no webhook events are produced)."""
    rng = random.Random(f"seed:{seed}")
    emit, state.emit_events = state.emit_events, False
    try:
        for name, field_type in CUSTOM_FIELDS:
            if state.field_by_key(name.lower().replace(" ", "_")) is None:
                state.create_field(name, field_type)
        made_groups = [
            state.create_group(
                GROUP_NAMES[i % len(GROUP_NAMES)] + ("" if i < len(GROUP_NAMES) else f" {i}"),
                created_at=rest_timestamp(_EPOCH + timedelta(hours=i)),
            )
            for i in range(groups)
        ]
        _seed_subscribers(state, rng, subscribers, made_groups)
        for i in range(segments):
            name, conditions = _segment_template(i, rng, made_groups)
            state.create_segment(
                name, conditions, created_at=rest_timestamp(_EPOCH + timedelta(hours=i, minutes=30))
            )
    finally:
        state.emit_events = emit


def _seed_subscribers(state: State, rng: random.Random, count: int, groups: list[Group]) -> None:
    statuses = [s for s, _ in STATUS_WEIGHTS]
    weights = [w for _, w in STATUS_WEIGHTS]
    step = _SPAN / max(count, 1)
    chosen_statuses = rng.choices(statuses, weights, k=count)
    for i in range(count):
        first = rng.choice(FIRST_NAMES)
        last = rng.choice(LAST_NAMES)
        created = _EPOCH + step * i + timedelta(seconds=rng.randrange(30))
        when = rest_timestamp(created)
        status = chosen_statuses[i]
        sent = rng.randrange(13)
        opens = rng.randrange(sent + 1)
        clicks = rng.randrange(opens + 1)
        fields: dict[str, object] = {"name": first, "last_name": last}
        if rng.random() < 0.6:
            fields["company"] = rng.choice(COMPANIES)
        if rng.random() < 0.7:
            index = rng.randrange(len(COUNTRIES))
            fields["country"] = COUNTRIES[index]
            fields["city"] = CITIES[index]
        if rng.random() < 0.5:
            fields["loyalty_tier"] = rng.choice(TIERS)
        if rng.random() < 0.5:
            fields["score"] = rng.randrange(101)
        if rng.random() < 0.3:
            birthday = datetime(1960, 1, 1) + timedelta(days=rng.randrange(16000))
            fields["birthday"] = birthday.strftime("%Y-%m-%d")
        sub = state.create_subscriber(
            f"{first}.{last}.{i}@example.com".lower(),
            status=status,
            source=rng.choice(SOURCES),
            fields=fields,
            created_at=when,
            unsubscribed_at=(
                rest_timestamp(created + timedelta(days=rng.randrange(1, 90)))
                if status == "unsubscribed"
                else None
            ),
            opted_in_at=when if status != "unconfirmed" and rng.random() < 0.3 else None,
            stats=(sent, opens, clicks),
        )
        for group in groups:
            if rng.random() < 0.3:
                state.add_to_group(sub, group)


def _segment_template(
    index: int, rng: random.Random, groups: list[Group]
) -> tuple[str, list[Condition]]:
    kind = index % 5
    suffix = "" if index < 5 else f" #{index // 5 + 1}"
    if kind == 0:
        country = rng.choice(COUNTRIES)
        return f"Active in {country}{suffix}", [
            Condition("status", "active"),
            Condition("field", country, key="country"),
        ]
    if kind == 1:
        return f"Gold tier{suffix}", [Condition("field", "gold", key="loyalty_tier")]
    if kind == 2 and groups:
        group = groups[index % len(groups)]
        return f"Members of {group.name}{suffix}", [Condition("group", str(group.id))]
    if kind == 3:
        return f"Names containing 'an'{suffix}", [
            Condition("field", "an", key="name", op="contains")
        ]
    city = rng.choice(CITIES)
    return f"Living in {city}{suffix}", [Condition("field", city, key="city")]
