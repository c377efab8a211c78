"""A stateful, deterministic simulator of the Kit (formerly ConvertKit) API v4.

In process::

    sim = Simulator(seed=1).seed_data(subscribers=200, tags=4)
    with sim.client() as client:        # base URL http://kit.sim/v4, X-Kit-Api-Key set
        client.get("/subscribers", params={"status": "all", "per_page": 1000})

or `unimap sandbox --provider kit` (first stdout line `http://127.0.0.1:PORT/v4 token=KEY`).
Quirks kept: default `status=active` on subscriber lists (`status=all` for every state), upsert
by email on `POST /subscribers` (201 created / 200 existing, state never changed), no subscriber
deletion (`POST /subscribers/{id}/unsubscribe`), `{"errors": [...]}` errors, 429 `Retry later`
as plain text without `Retry-After`, unsigned webhooks.
"""

from __future__ import annotations

from simulators.kit.simulator import DEFAULT_TOKEN, IN_PROCESS_BASE_URL, Simulator

__all__ = ["DEFAULT_TOKEN", "IN_PROCESS_BASE_URL", "Simulator"]
