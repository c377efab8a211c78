"""`Simulator`: one simulated Mailchimp account and the request pipeline in front of it.

Pipeline for every request (`Simulator.handle`):

1. connections - at most `max_connections` (10) requests in flight; one more is answered
   429 `Too Many Requests` at once. A request is in flight from `handle` until its transport
   finished answering (after any `latency` or slow-fault delay);
2. route lookup - 404 `Resource Not Found`, 405 with `Allow`;
3. authentication - HTTP basic (any user name, the API key as password), `Bearer <key>` or
   `apikey <key>`; a key whose data-centre suffix (`-us21`) differs from the host's
   (`us21.api.mailchimp.com`) is refused like a wrong key (401 `API Key Invalid`);
4. fault injection (see `simulators.core.faults`);
5. the handler, under a lock; webhook events it produced are queued for delivery.
"""

from __future__ import annotations

import base64
import logging
import random
import re
import threading
import uuid
from typing import Any

import httpx

from simulators.core.clock import Clock, SystemClock
from simulators.core.faults import APPLIED_KINDS, FaultInjector, FaultPlan, FaultRule, apply_fault
from simulators.core.messages import Disconnect, SimRequest, SimResponse
from simulators.core.transport import SimulatorTransport
from simulators.mailchimp.errors import ApiError, invalid_key, missing_key, too_many_connections
from simulators.mailchimp.ids import Ids
from simulators.mailchimp.router import Context, Router
from simulators.mailchimp.routes import build_router
from simulators.mailchimp.seed import seed_state
from simulators.mailchimp.state import State
from simulators.mailchimp.webhooks import WebhookDispatcher

DEFAULT_TOKEN = "5f0d2c1e9a8b7c6d5e4f3a2b1c0d9e8f-us21"
"""The API key a simulator accepts unless told otherwise (data centre `us21`)."""

IN_PROCESS_BASE_URL = "https://us21.api.mailchimp.com/3.0"
"""Base URL for the in-process transport (never resolved)."""

MAX_CONNECTIONS = 10
"""Mailchimp allows 10 simultaneous connections per account."""

_DC_HOST = re.compile(r"^https?://([a-z]+\d+)\.api\.mailchimp\.com(:\d+)?$")

log = logging.getLogger(__name__)


class Simulator:
    """A stateful, deterministic stand-in for the Mailchimp Marketing API v3 (`/3.0/...`).

    * `seed` drives ids, seeded data, fault draws and error `instance` ids.
    * `token` is the only accepted API key.
    * `max_connections` caps requests in flight (None: no cap); `latency` (seconds) is added
      to every answer, so concurrent clients really overlap.
    * `faults` is a SPEC string or `FaultPlan`; `clock` a `Clock`; `webhook_transport`
      replaces the network for webhook deliveries.
    """

    base_path = "/3.0"

    def __init__(
        self,
        seed: int = 0,
        token: str = DEFAULT_TOKEN,
        max_connections: int | None = MAX_CONNECTIONS,
        latency: float = 0.0,
        faults: str | FaultPlan | None = None,
        clock: Clock | None = None,
        webhook_transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.seed = seed
        self.token = token
        self.max_connections = max_connections
        self.latency = latency
        self.clock: Clock = clock or SystemClock()
        self.lock = threading.RLock()
        """Held while a request is handled; take it to inspect `state` from another thread."""
        self.state = State(Ids(seed), self.clock)
        """The account's records (`state.audiences[...]`) for inspection."""
        plan = FaultPlan.parse(faults) if isinstance(faults, str) else faults
        self.faults = FaultInjector(plan or FaultPlan(), seed)
        self.webhooks = WebhookDispatcher(self.state, transport=webhook_transport)
        """Webhook sender: `webhooks.flush()`, `webhooks.results`."""
        self.router: Router = build_router()
        self._instances = random.Random(f"mailchimp-instances:{seed}")
        self._flight_lock = threading.Lock()
        self.in_flight = 0
        """Requests currently in flight."""
        self.peak_in_flight = 0
        """The most requests ever in flight at once."""
        self.refused_connections = 0
        """Requests answered 429 because too many were in flight."""

    def seed_data(self, members: int = 100, audiences: int = 2, segments: int = 2) -> Simulator:
        """Add deterministic sample data; returns self."""
        with self.lock:
            seed_state(self.state, self.seed, members, audiences, segments)
        return self

    @property
    def dc(self) -> str:
        """The data centre of the accepted key (`us21`)."""
        return self.token.rsplit("-", 1)[-1]

    @property
    def app(self) -> Any:
        """The ASGI application."""
        from simulators.core.asgi import build_app

        return build_app(self)

    def transport(self) -> SimulatorTransport:
        """An in-process transport for `httpx.Client` and `httpx.AsyncClient`."""
        return SimulatorTransport(self)

    def auth(self) -> httpx.BasicAuth:
        """HTTP basic credentials as Mailchimp expects them (any user, the key as password)."""
        return httpx.BasicAuth("anystring", self.token)

    def client(self, **kwargs: Any) -> httpx.Client:
        """A sync client wired in process, base URL `https://us21.api.mailchimp.com/3.0`."""
        base = IN_PROCESS_BASE_URL.replace("us21", self.dc)
        return httpx.Client(transport=self.transport(), base_url=base, auth=self.auth(), **kwargs)

    def async_client(self, **kwargs: Any) -> httpx.AsyncClient:
        """An async client wired in process."""
        base = IN_PROCESS_BASE_URL.replace("us21", self.dc)
        return httpx.AsyncClient(
            transport=self.transport(), base_url=base, auth=self.auth(), **kwargs
        )

    def close(self) -> None:
        """Stop the webhook sender (after sending what is queued)."""
        self.webhooks.close()

    def stats(self) -> dict[str, Any]:
        """`rate_limited`: requests refused for exceeding the connection cap; the peak."""
        with self._flight_lock:
            return {
                "rate_limited": self.refused_connections,
                "peak_in_flight": self.peak_in_flight,
                "max_connections": self.max_connections,
            }

    # ---------------------------------------------------------------- pipeline
    def handle(self, request: SimRequest) -> SimResponse:
        """Answer one request (thread-safe); see the module docstring."""
        with self._flight_lock:
            if self.max_connections is not None and self.in_flight >= self.max_connections:
                self.refused_connections += 1
                return too_many_connections(self.max_connections).response(self._instance())
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            with self.lock:
                response = self._handle(request)
                events = self.state.take_events()
                if events:
                    self.webhooks.publish(events)
        except BaseException:
            self._release()
            raise
        response.delay = max(response.delay, self.latency)
        response.on_finish = self._release
        return response

    def _release(self) -> None:
        with self._flight_lock:
            self.in_flight -= 1

    def _instance(self) -> str:
        return str(uuid.UUID(int=self._instances.getrandbits(128), version=4))

    def _key(self, request: SimRequest) -> str | None:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        value = value.strip()
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(value, validate=True).decode()
            except ValueError:
                return ""
            return decoded.partition(":")[2]
        if scheme.lower() in ("bearer", "apikey", "oauth"):
            return value
        return None

    def _authorise(self, request: SimRequest) -> None:
        key = self._key(request)
        if key is None:
            raise missing_key()
        host = _DC_HOST.match(request.base_url)
        if key != self.token or (host is not None and host.group(1) != self.dc):
            raise invalid_key()

    def _handle(self, request: SimRequest) -> SimResponse:
        try:
            handler, params = self.router.resolve(request.method, request.path)
            self._authorise(request)
        except ApiError as error:
            return error.response(self._instance())
        fault = self.faults.decide()
        if fault is not None and fault.kind not in APPLIED_KINDS:
            return self._fault_response(fault)
        try:
            response = handler(Context(self.state, request, params))
        except ApiError as error:
            response = error.response(self._instance())
        except Exception:
            log.exception("simulator handler failed for %s %s", request.method, request.path)
            response = ApiError(
                500, "Internal Server Error", "An unexpected error occurred."
            ).response(self._instance())
        apply_fault(response, fault)
        return response

    def _fault_response(self, fault: FaultRule) -> SimResponse:
        kind = fault.kind
        if kind in ("500", "503"):
            title = "Internal Server Error" if kind == "500" else "Service Unavailable"
            return ApiError(int(kind), title, "An unexpected error occurred.").response(
                self._instance()
            )
        if kind in ("502", "504"):
            page = f"<html><body><h1>{kind} Gateway error</h1></body></html>".encode()
            return SimResponse(int(kind), page, {"content-type": "text/html"})
        if kind == "malformed":
            return SimResponse(
                200,
                b"<!DOCTYPE html><html><body>Oops</body></html>",
                {"content-type": "application/json"},
            )
        if kind == "truncate":
            return SimResponse(200, b'{"members":[{"id":"', {"content-type": "application/json"})
        if kind == "drop":
            return SimResponse(0, disconnect=Disconnect.DROP)
        if kind == "429burst":
            return too_many_connections(self.max_connections or MAX_CONNECTIONS).response(
                self._instance()
            )
        raise AssertionError(f"unhandled fault kind {kind}")  # pragma: no cover
