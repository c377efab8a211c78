"""A stateful, deterministic simulator of the MailerLite API v3 (`connect.mailerlite.com/api`).

Use it in process (no sockets)::

    sim = Simulator(seed=1).seed_data(subscribers=200, groups=4, segments=3)
    with sim.client() as client:                      # sync httpx.Client
        client.get("/subscribers", params={"limit": 50})
    async with sim.async_client() as client:          # httpx.AsyncClient
        await client.get("/groups")
    httpx.Client(transport=sim.transport(), base_url="http://mailerlite.sim/api")  # either kind

or over real HTTP on loopback::

    with serve_in_thread(sim) as base_url:            # e.g. http://127.0.0.1:54321/api
        httpx.get(f"{base_url}/subscribers", headers=sim.auth_headers())

`unimap sandbox` runs the same thing from the command line (see `simulators.sandbox_cli`); its
first stdout line is `http://127.0.0.1:PORT/api token=TOKEN`.

Fault injection SPEC (full semantics in `simulators.core.faults`)::

    SPEC := ITEM ("," ITEM)*     ITEM := KIND ":" PROB ["@" SECONDS] ["x" COUNT]
    KIND := 500|502|503|504|slow|malformed|truncate|drop|drop_after_apply|429burst
    e.g. 500:0.05,slow:0.02@1.5,truncate:0.01,drop:0.01,429burst:0.01x5

Only `slow` and `drop_after_apply` apply the request; every other kind leaves state untouched.
Wait for webhook deliveries with `sim.webhooks.flush()` or `await sim.webhooks.drain()`.
Full guide: `docs/simulator.md`.
"""

from __future__ import annotations

from typing import Any

from simulators.core.clock import Clock, FakeClock, SystemClock
from simulators.core.faults import FaultInjector, FaultPlan, FaultRule
from simulators.core.messages import SimRequest, SimResponse
from simulators.core.transport import ConnectionDropped, SimulatorTransport
from simulators.mailerlite.models import Condition
from simulators.mailerlite.simulator import DEFAULT_TOKEN, IN_PROCESS_BASE_URL, Simulator
from simulators.mailerlite.webhooks import Delivery, DeliveryResult, WebhookDispatcher, sign

__all__ = [
    "DEFAULT_TOKEN",
    "IN_PROCESS_BASE_URL",
    "Clock",
    "Condition",
    "ConnectionDropped",
    "Delivery",
    "DeliveryResult",
    "FakeClock",
    "FaultInjector",
    "FaultPlan",
    "FaultRule",
    "SimRequest",
    "SimResponse",
    "Simulator",
    "SimulatorTransport",
    "SystemClock",
    "WebhookDispatcher",
    "serve_in_thread",
    "sign",
]


def __getattr__(name: str) -> Any:
    """`serve_in_thread` is imported on first use: serving needs the `sandbox` extra (uvicorn)."""
    if name == "serve_in_thread":
        from simulators.core.server import serve_in_thread

        return serve_in_thread
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
