"""Small helpers shared by the write tests."""

from __future__ import annotations

import copy
from typing import Any

from simulators.mailerlite import Simulator
from simulators.mailerlite.models import Subscriber


def stored(sim: Simulator, email: str) -> Subscriber:
    """The simulator's record of `email` (fails the test when there is none)."""
    with sim.lock:
        sub = sim.state.by_email.get(email.lower())
    assert sub is not None, f"the simulator holds no subscriber {email}"
    return sub


def snapshot(sim: Simulator, email: str) -> dict[str, Any]:
    """A deep copy of what the simulator holds for `email` (to compare before/after)."""
    sub = stored(sim, email)
    with sim.lock:
        return {
            "email": sub.email,
            "status": sub.status,
            "fields": copy.deepcopy(sub.fields),
            "groups": set(sub.groups),
            "subscribed_at": sub.subscribed_at,
            "unsubscribed_at": sub.unsubscribed_at,
        }
