"""A testing kit for host apps: pytest fixtures over the provider simulators.

Installing Unimap registers the pytest plugin `simulators.testing.plugin` (entry point
`pytest11`, name `unimap`). It stays inert until a test asks for one of its fixtures:
`unimap_mailerlite`, `unimap_mailchimp`, `unimap_brevo`, `unimap_kit` (or `unimap_sandbox`,
whose provider comes from the `unimap` marker). Each gives a `Sandbox`: a seeded, isolated
simulator, an engine and connections wired to it in process on a shared fake clock, a record
of what the provider received, a provider-agnostic view of its contacts, and the webhooks it
would send. See `docs/testing-host-apps.md`.

This package is the public surface for host apps; `simulators.<provider>` modules are not.
Names are loaded lazily so that importing the plugin costs next to nothing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simulators.testing.options import SandboxOptions
    from simulators.testing.recording import RecordedRequest
    from simulators.testing.sandbox import Sandbox
    from simulators.testing.views import ContactView
    from simulators.testing.webhooks import WebhookDelivery

__all__ = ["ContactView", "RecordedRequest", "Sandbox", "SandboxOptions", "WebhookDelivery"]

_HOMES = {
    "ContactView": "simulators.testing.views",
    "RecordedRequest": "simulators.testing.recording",
    "Sandbox": "simulators.testing.sandbox",
    "SandboxOptions": "simulators.testing.options",
    "WebhookDelivery": "simulators.testing.webhooks",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'simulators.testing' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
