"""A stateful, deterministic simulator of the Mailchimp Marketing API v3 (`/3.0`).

In process::

    sim = Simulator(seed=1).seed_data(members=200, audiences=3)
    with sim.client() as client:          # basic auth with the key, base .../3.0
        client.get("/lists", params={"count": 100})

Facts it reproduces: audiences (`/lists`) hold members whose id is the MD5 of the lower-cased
address (the same address in two audiences is two members with one id); merge fields belong to
one audience; offset/count paging with `total_items` (count at most 1000); `POST` of an existing
member is 400 `Member Exists`, `PUT` upserts with `status_if_new`; `DELETE` archives; tags are
static segments; webhooks are unsigned form-encoded POSTs; errors are problem documents; at
most 10 requests in flight (429 beyond). `unimap sandbox --provider mailchimp` serves it.
"""

from __future__ import annotations

from simulators.mailchimp.ids import subscriber_hash
from simulators.mailchimp.simulator import (
    DEFAULT_TOKEN,
    IN_PROCESS_BASE_URL,
    MAX_CONNECTIONS,
    Simulator,
)
from simulators.mailchimp.webhooks import Delivery, DeliveryResult, decode

__all__ = [
    "DEFAULT_TOKEN",
    "IN_PROCESS_BASE_URL",
    "MAX_CONNECTIONS",
    "Delivery",
    "DeliveryResult",
    "Simulator",
    "decode",
    "subscriber_hash",
]
