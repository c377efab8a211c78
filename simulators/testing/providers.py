"""Per-provider wiring: how to build each simulator, connect to it, view it and act on it.

Everything provider-specific of the testing kit lives here, so `Sandbox` stays generic.
Simulator modules are imported only when a sandbox of that provider is built.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from simulators.core.clock import FakeClock
from simulators.testing import views
from simulators.testing.options import SandboxOptions
from simulators.testing.views import ContactView


@dataclass(frozen=True, slots=True)
class ProviderKit:
    """How the kit drives one provider's simulator."""

    name: str
    build: Callable[[SandboxOptions, FakeClock, httpx.BaseTransport], Any]
    """A seeded simulator from the options, the shared clock and the webhook catcher."""
    credentials: Callable[[Any], dict[str, str]]
    """Credentials the simulator accepts (only those the mapping declares are given)."""
    base_url: Callable[[Any], str]
    """The base URL to connect to in process."""
    contacts: Callable[[Any], list[ContactView]]
    """The contact views (called under the simulator's lock)."""
    unsubscribe: Callable[[Any, str], list[Any]]
    """Unsubscribe an address as the contact would (under the lock); returns its events."""
    publish: Callable[[Any, list[Any]], None]
    """Queue the webhook deliveries of events."""


def _module(provider: str) -> Any:
    return importlib.import_module(f"simulators.{provider}.simulator")


def _simulator(
    module: Any, opts: SandboxOptions, clock: FakeClock, hooks: httpx.BaseTransport, **limits: Any
) -> Any:
    """`module.Simulator` on the options, clock and webhook catcher; each of `limits` is the
    provider's default of that limit, kept when `opts.rate_limits` is on, else lifted (None)."""
    return module.Simulator(
        seed=opts.seed,
        faults=opts.faults,
        clock=clock,
        webhook_transport=hooks,
        **{name: value if opts.rate_limits else None for name, value in limits.items()},
    )


def _missing(provider: str, email: str) -> LookupError:
    return LookupError(f"the {provider} simulator has no contact {email!r}")


def _by_email(sim: Any, provider: str, email: str) -> Any:
    """The contact of `email` in a simulator keyed by lower-cased address, or `_missing`."""
    found = sim.state.by_email.get(email.lower())
    if found is None:
        raise _missing(provider, email)
    return found


def _take_events(sim: Any) -> list[Any]:
    events: list[Any] = sim.state.take_events()
    return events


# ------------------------------------------------------------------ mailerlite
def _mailerlite_build(opts: SandboxOptions, clock: FakeClock, hooks: httpx.BaseTransport) -> Any:
    sim = _simulator(
        _module("mailerlite"), opts, clock, hooks, rate_limit=(120, 60.0), import_limit=(5, 60.0)
    )
    return sim.seed_data(subscribers=opts.contacts, groups=opts.lists, segments=opts.segments)


def _mailerlite_unsubscribe(sim: Any, email: str) -> list[Any]:
    sim.state.set_status(_by_email(sim, "mailerlite", email), "unsubscribed")
    return _take_events(sim)


# ------------------------------------------------------------------------- kit
def _kit_build(opts: SandboxOptions, clock: FakeClock, hooks: httpx.BaseTransport) -> Any:
    sim = _simulator(
        _module("kit"), opts, clock, hooks, rate_limit=(120, 60.0), oauth_rate_limit=(600, 60.0)
    )
    return sim.seed_data(subscribers=opts.contacts, tags=opts.lists, segments=opts.segments)


def _kit_unsubscribe(sim: Any, email: str) -> list[Any]:
    sim.state.unsubscribe(_by_email(sim, "kit", email))
    return _take_events(sim)


def _kit_publish(sim: Any, events: list[Any]) -> None:
    deliveries_for = importlib.import_module("simulators.kit.webhooks").deliveries_for
    sim.webhooks.publish(deliveries_for(sim.state, events))


# ----------------------------------------------------------------------- brevo
def _brevo_build(opts: SandboxOptions, clock: FakeClock, hooks: httpx.BaseTransport) -> Any:
    sim = _simulator(_module("brevo"), opts, clock, hooks, rate_limit="provider")
    return sim.seed_data(contacts=opts.contacts, lists=opts.lists, segments=opts.segments)


def _brevo_unsubscribe(sim: Any, email: str) -> list[Any]:
    contact = _by_email(sim, "brevo", email)
    if not contact.email_blacklisted:
        contact.email_blacklisted = True
        sim.state.touch(contact)
    return _take_events(sim)


# ------------------------------------------------------------------- mailchimp
def _mailchimp_build(opts: SandboxOptions, clock: FakeClock, hooks: httpx.BaseTransport) -> Any:
    module = _module("mailchimp")
    sim = _simulator(module, opts, clock, hooks, max_connections=module.MAX_CONNECTIONS)
    audiences = max(opts.lists, 1) if opts.contacts else opts.lists
    return sim.seed_data(members=opts.contacts, audiences=audiences, segments=opts.segments)


def _mailchimp_unsubscribe(sim: Any, email: str) -> list[Any]:
    pairs = [
        (audience, member)
        for audience, member in sim.state.iter_all_members()
        if member.email_address.lower() == email.lower() and member.status == "subscribed"
    ]
    if not pairs:
        raise _missing("mailchimp", f"{email} (subscribed)")
    for audience, member in pairs:
        sim.state.set_status(audience, member, "unsubscribed")
    # The contact clicked the link, so the change comes from the `user` source, not the API.
    return [dataclasses.replace(e, source="user") for e in sim.state.take_events()]


def _mailchimp_base_url(sim: Any) -> str:
    return f"https://{sim.dc}.api.mailchimp.com/3.0"


def _publish(sim: Any, events: list[Any]) -> None:
    if events:
        sim.webhooks.publish(events)


def _token(sim: Any) -> dict[str, str]:
    return {"api_key": sim.token}


def _kit(
    name: str,
    build: Callable[[SandboxOptions, FakeClock, httpx.BaseTransport], Any],
    contacts: Callable[[Any], list[ContactView]],
    unsubscribe: Callable[[Any, str], list[Any]],
    *,
    credentials: Callable[[Any], dict[str, str]] = _token,
    base_url: Callable[[Any], str] | None = None,
    publish: Callable[[Any, list[Any]], None] = _publish,
) -> ProviderKit:
    """A kit whose defaults are the common case: the simulator's token as `api_key`, the
    module's `IN_PROCESS_BASE_URL`, and events published to webhooks as they are."""
    if base_url is None:

        def base_url(sim: Any) -> str:
            return str(_module(name).IN_PROCESS_BASE_URL)

    return ProviderKit(name, build, credentials, base_url, contacts, unsubscribe, publish)


KITS: dict[str, ProviderKit] = {
    kit.name: kit
    for kit in (
        _kit("mailerlite", _mailerlite_build, views.mailerlite_contacts, _mailerlite_unsubscribe),
        _kit("kit", _kit_build, views.kit_contacts, _kit_unsubscribe, publish=_kit_publish),
        _kit("brevo", _brevo_build, views.brevo_contacts, _brevo_unsubscribe),
        _kit(
            "mailchimp",
            _mailchimp_build,
            views.mailchimp_contacts,
            _mailchimp_unsubscribe,
            credentials=lambda sim: {"api_key": sim.token, "dc": sim.dc},
            base_url=_mailchimp_base_url,
        ),
    )
}
"""Provider name -> its kit (the providers of `simulators.testing.options.PROVIDERS`)."""
