"""A stateful, deterministic fake of the Brevo (formerly Sendinblue) API v3.

`Simulator(seed=...)` holds one account (contacts, lists, folders, attributes, segments,
webhooks) behind the `/v3` routes; use `simulator.transport()` with httpx in process, or
`unimap sandbox --provider brevo` to serve it on 127.0.0.1.
"""

from __future__ import annotations

from simulators.brevo.simulator import DEFAULT_TOKEN, IN_PROCESS_BASE_URL, Simulator
from simulators.core.clock import FakeClock

__all__ = ["DEFAULT_TOKEN", "IN_PROCESS_BASE_URL", "FakeClock", "Simulator"]
