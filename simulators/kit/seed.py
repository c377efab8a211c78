"""Deterministic sample data: custom fields, tags, segments and subscribers.

Everything derives from the seed: two simulators with the same seed hold the same records with
the same ids. About one subscriber in ten is not `active` (so `status=all` differs from the
default listing), and each subscriber carries zero to three tags.
"""

from __future__ import annotations

import random
from datetime import timedelta

from simulators.kit.models import STATES, Segment, Subscriber
from simulators.kit.state import State

FIELD_LABELS = ("Last Name", "Company", "City", "Phone", "Birthday", "Source")
TAG_NAMES = ("Customers", "Newsletter", "VIP", "Leads", "Webinar", "Beta", "Partners", "Trial")
FIRST_NAMES = ("Alice", "Benito", "Camille", "Dana", "Elliot", "Farah", "Goran", "Hana", None)
LAST_NAMES = ("Lamarr", "Okafor", "Nguyen", "Silva", "Kowalski", "Haddad", "Berg")


def seed_state(
    state: State, seed: int, subscribers: int, tags: int, segments: int, fields: int
) -> None:
    """Add the sample records to `state` (ids continue the state's sequences)."""
    rng = random.Random(f"seed:{seed}")
    for index in range(fields):
        label = FIELD_LABELS[index % len(FIELD_LABELS)]
        state.create_field(label if index < len(FIELD_LABELS) else f"{label} {index}")
    for index in range(tags):
        name = TAG_NAMES[index % len(TAG_NAMES)]
        state.create_tag(name if index < len(TAG_NAMES) else f"{name} {index}")
    now = state.now()
    for index in range(segments):
        created = now - timedelta(days=400 - index)
        segment = Segment(state.segment_ids.next(), f"Segment {index + 1}", created)
        state.segments[segment.id] = segment
    tag_ids = sorted(state.tags)
    keys = sorted(f.key for f in state.fields.values())
    start = now - timedelta(days=365)
    for index in range(subscribers):
        created = start + timedelta(seconds=index * 3600 + rng.randrange(3600))
        state_name = "active" if rng.random() < 0.9 else rng.choice(STATES[1:])
        sub = Subscriber(
            state.subscriber_ids.next(),
            f"subscriber{index:05d}@example.com",
            rng.choice(FIRST_NAMES),
            state_name,
            created,
            created + timedelta(minutes=rng.randrange(600)),
        )
        if state_name == "cancelled":
            sub.canceled_at = sub.updated_at
        for key in keys:
            if rng.random() < 0.5:
                sub.fields[key] = f"{rng.choice(LAST_NAMES)} {key}"
        for tag_id in rng.sample(tag_ids, k=min(len(tag_ids), rng.randrange(4))):
            sub.tags[tag_id] = created + timedelta(minutes=5)
        state.subscribers[sub.id] = sub
        state.by_email[sub.email_address] = sub
    state.take_events()
