"""Fixtures: a seeded Mailchimp simulator on a fake clock and an in-process client."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from simulators.core.clock import FakeClock
from simulators.mailchimp import Simulator


@pytest.fixture
def sim() -> Iterator[Simulator]:
    """200 members over 3 audiences, 2 saved segments each."""
    simulator = Simulator(seed=3, clock=FakeClock()).seed_data(members=200, audiences=3, segments=2)
    yield simulator
    simulator.close()


@pytest.fixture
def client(sim: Simulator) -> Iterator[httpx.Client]:
    """A sync client with the simulator's key (basic auth)."""
    with sim.client() as c:
        yield c


@pytest.fixture
def list_id(sim: Simulator) -> str:
    """The first seeded audience."""
    return next(iter(sim.state.audiences))


NEW_AUDIENCE = {
    "name": "Fresh",
    "contact": {
        "company": "Acme",
        "address1": "1 Road",
        "city": "Vilnius",
        "state": "",
        "zip": "01100",
        "country": "LT",
    },
    "permission_reminder": "You asked for it.",
    "campaign_defaults": {
        "from_name": "Acme",
        "from_email": "hi@acme.test",
        "subject": "",
        "language": "en",
    },
    "email_type_option": False,
}
"""A valid `POST /lists` body."""
