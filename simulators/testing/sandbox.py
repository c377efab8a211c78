"""`Sandbox`: one seeded, isolated simulator with an engine and connections wired to it.

The simulator and the engine share one `FakeClock`: the engine's pacing and retry sleeps move
it forward instantly, and the simulator's rate windows and timestamps see that time, so a test
runs in milliseconds even with the provider's real rate limits on. Requests travel in process
(no sockets) through a recording transport; webhooks the simulator sends are caught, not
posted, and handed to the host app's handler on demand.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar

import anyio.to_thread

from simulators import SANDBOX_PROVIDERS
from simulators.core.clock import FakeClock
from simulators.testing.options import SandboxOptions
from simulators.testing.providers import KITS
from simulators.testing.recording import RecordedRequest, RecordingTransport
from simulators.testing.views import ContactView
from simulators.testing.webhooks import WebhookCatcher, WebhookDelivery

if TYPE_CHECKING:
    from engine.api import AsyncConnection, Connection, Engine
    from engine.loader import ProviderMapping

T = TypeVar("T")


class ProviderNotMapped(LookupError):
    """The engine has no mapping for the sandbox's provider (yet)."""


@lru_cache(maxsize=8)
def _loaded_providers(folders: tuple[str, ...]) -> Mapping[str, ProviderMapping]:
    """Bundled mappings plus `folders`, loaded and validated once per process."""
    from engine.api import Engine

    return Engine.load(*folders).providers


class Sandbox:
    """A simulated provider account for one test; see `docs/testing-host-apps.md`.

    Build it with a provider name and options (`Sandbox("kit", contacts=5)`) or through the
    pytest fixtures. `simulator` is the provider-specific object for the rare test that
    needs it; everything else here is the same for every provider.
    """

    def __init__(
        self, provider: str | None = None, options: SandboxOptions | None = None, **values: Any
    ) -> None:
        options = options or SandboxOptions()
        if provider is not None:
            values["provider"] = provider
        self.options = options.with_values(values)
        self.provider = self.options.provider
        self.clock = FakeClock()
        """The fake clock shared by the simulator and the engine (`clock.advance(s)`)."""
        self._kit = KITS[self.provider]
        self._catcher = WebhookCatcher()
        self.simulator: Any = self._kit.build(self.options, self.clock, self._catcher)
        self._recorder = RecordingTransport(self.simulator.transport())
        self._engine: Engine | None = None
        self._connections: list[Connection] = []
        self._connection: Connection | None = None
        self.on_missing_mapping: Callable[[str], Any] | None = None
        """Called with the message before `ProviderNotMapped` is raised (the fixtures pass
        `pytest.skip`, so a test of a provider without a mapping is skipped, not failed)."""

    def __repr__(self) -> str:
        return f"Sandbox(provider={self.provider!r}, contacts={len(self.contacts())})"

    # ------------------------------------------------------------- connecting
    @property
    def engine(self) -> Engine:
        """An engine on the sandbox's clock, with the bundled mappings plus `options.mappings`.

        Raises `ProviderNotMapped` when no mapping for the provider is loaded (the fixtures
        skip the test instead, see `on_missing_mapping`).
        """
        if self._engine is None:
            from engine.api import Engine

            providers = _loaded_providers(self.options.mappings)
            if self.provider not in providers:
                message = (
                    f"Unimap has no '{self.provider}' mapping yet (loaded: "
                    f"{', '.join(sorted(providers)) or 'none'}); the {self.provider} simulator "
                    "works, but connections need a mapping (pass mappings=[folder] to use yours)"
                )
                if self.on_missing_mapping is not None:
                    self.on_missing_mapping(message)
                raise ProviderNotMapped(message)
            self._engine = Engine(providers, clock=self.clock)
        return self._engine

    @property
    def credentials(self) -> dict[str, str]:
        """Credentials the simulator accepts, limited to those the mapping declares."""
        declared = {c.name for c in self.engine.mapping(self.provider).provider.credentials}
        return {k: v for k, v in self._kit.credentials(self.simulator).items() if k in declared}

    @property
    def settings(self) -> dict[str, Any]:
        """Connection settings matching the seeded simulator (e.g. the folder new lists go in),
        from the provider's sandbox module, limited to those the mapping declares."""
        module = importlib.import_module(SANDBOX_PROVIDERS[self.provider])
        given = getattr(module, "settings", None)
        if given is None:
            return {}
        declared = {s.name for s in self.engine.mapping(self.provider).provider.settings}
        return {k: v for k, v in given(self.simulator).items() if k in declared}

    @property
    def base_url(self) -> str:
        """The base URL connections use (never resolved: requests stay in process)."""
        return self._kit.base_url(self.simulator)

    def connect(self, **options: Any) -> Connection:
        """A new blocking connection to the simulator (closed with the sandbox).

        `options` go to `Engine.connect` (e.g. `retry_policy=`)."""
        options.setdefault("settings", self.settings)
        connection = self.engine.connect(
            self.provider, self.credentials, self.base_url, self._recorder, **options
        )
        self._connections.append(connection)
        return connection

    def aconnect(self, **options: Any) -> AsyncConnection:
        """A new async connection to the simulator; use `async with` or `await aclose()`."""
        options.setdefault("settings", self.settings)
        return self.engine.aconnect(
            self.provider, self.credentials, self.base_url, self._recorder, **options
        )

    @property
    def connection(self) -> Connection:
        """The sandbox's blocking connection (made on first use, closed with the sandbox)."""
        if self._connection is None:
            self._connection = self.connect()
        return self._connection

    # ------------------------------------------------------------- inspecting
    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request the provider received through the sandbox's connections, in order."""
        return self._recorder.requests

    def clear_requests(self) -> None:
        """Forget the requests recorded so far (e.g. after a test's set-up)."""
        self._recorder.requests.clear()

    def contacts(self) -> dict[str, ContactView]:
        """The provider's contacts right now, by lower-cased email address."""
        with self.simulator.lock:
            found = self._kit.contacts(self.simulator)
        return {view.email.lower(): view for view in found}

    def contact(self, email: str) -> ContactView:
        """One contact by email address; `LookupError` (naming it) when there is none."""
        found = self.contacts().get(email.lower())
        if found is None:
            raise LookupError(f"the {self.provider} simulator has no contact {email!r}")
        return found

    @property
    def fault_counts(self) -> dict[str, int]:
        """Faults the simulator injected so far, per kind (kinds never injected left out)."""
        return {kind: n for kind, n in self.simulator.faults.counts.items() if n}

    def set_faults(self, spec: str | None) -> None:
        """Inject faults from now on (a SPEC such as `"500:0.2"`; None or "" for none), e.g.
        after a set-up that must not fail. The fault sequence restarts from the seed."""
        from simulators.core.faults import FaultInjector, FaultPlan

        self.simulator.faults = FaultInjector(FaultPlan.parse(spec or ""), self.options.seed)

    # ------------------------------------------------------- provider-side acts
    def unsubscribe(self, email: str) -> None:
        """Unsubscribe an address as the contact would (the link in an email): the
        provider's state changes and it sends the webhooks registered for that event."""
        with self.simulator.lock:
            events = self._kit.unsubscribe(self.simulator, email)
        self._kit.publish(self.simulator, events)

    # --------------------------------------------------------------- webhooks
    def webhooks(self) -> list[WebhookDelivery]:
        """The webhook deliveries the provider sent since the last call, signed and encoded
        exactly as it sends them (waits for its sender to finish first)."""
        self.simulator.webhooks.flush(5.0)
        return self._catcher.take()

    def deliver_webhooks(self, handler: Callable[[dict[str, str], bytes], T]) -> list[T]:
        """Hand each new delivery to `handler(headers, raw_body)`; returns its results."""
        return [handler(dict(d.headers), d.body) for d in self.webhooks()]

    async def adeliver_webhooks(self, handler: Callable[[dict[str, str], bytes], Any]) -> list[Any]:
        """`deliver_webhooks` for async code: `handler` may be a coroutine function."""
        await anyio.to_thread.run_sync(self.simulator.webhooks.flush, 5.0)
        results: list[Any] = []
        for delivery in self._catcher.take():
            result = handler(dict(delivery.headers), delivery.body)
            results.append(await result if inspect.isawaitable(result) else result)
        return results

    # ------------------------------------------------------------------ closing
    def close(self) -> None:
        """Close the sandbox's blocking connections and stop the simulator's webhook sender."""
        for connection in self._connections:
            connection.close()
        self._connections.clear()
        self._connection = None
        self.simulator.close()
