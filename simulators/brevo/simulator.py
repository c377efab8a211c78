"""`Simulator`: one simulated Brevo account (API v3) and the request pipeline in front of it.

Pipeline for every request (`Simulator.handle`):

1. route lookup (unknown path 404, wrong method 405);
2. authentication: header `api-key: <key>`; missing -> 401 `{"code": "unauthorized",
   "message": "authentication not found in headers"}`, wrong -> 401 `Key not found`;
3. rate limits (`simulators.brevo.limits`; `x-sib-ratelimit-*` headers, 429 without
   `Retry-After`);
4. fault injection (`simulators.core.faults`);
5. the handler, under a lock;
6. marketing webhook deliveries for the events the request produced.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import httpx

from simulators.brevo.deliveries import Dispatcher
from simulators.brevo.errors import ApiError
from simulators.brevo.limits import TOO_MANY, BrevoLimits, sib_headers
from simulators.brevo.router import Context, Router
from simulators.brevo.routes import build_router
from simulators.brevo.seed import seed_state
from simulators.brevo.state import State
from simulators.core.clock import Clock, SystemClock
from simulators.core.faults import APPLIED_KINDS, FaultInjector, FaultPlan, FaultRule, apply_fault
from simulators.core.messages import Disconnect, SimRequest, SimResponse, json_response
from simulators.core.transport import SimulatorTransport

DEFAULT_TOKEN = "xkeysib-sim-token"
"""The API key a simulator accepts unless told otherwise."""

IN_PROCESS_BASE_URL = "http://brevo.sim/v3"
"""Base URL to use with the in-process transport (the host name is never resolved)."""

log = logging.getLogger(__name__)


class Simulator:
    """A stateful, deterministic stand-in for the Brevo API v3 (`/v3/...`).

    * `seed` drives seeded data and the fault sequence.
    * `token` is the only accepted `api-key`.
    * `rate_limit`: `"provider"` for Brevo's documented limits, `(requests, seconds)` for one
      limit on every endpoint, None to disable.
    * `faults`: SPEC string or `FaultPlan` (see `simulators.core.faults`).
    * `clock`: e.g. `FakeClock`; `webhook_transport` replaces the network for deliveries.
    """

    base_path = "/v3"

    def __init__(
        self,
        seed: int = 0,
        token: str = DEFAULT_TOKEN,
        rate_limit: tuple[int, float] | str | None = "provider",
        faults: str | FaultPlan | None = None,
        clock: Clock | None = None,
        webhook_transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.seed = seed
        self.token = token
        self.clock: Clock = clock or SystemClock()
        self.lock = threading.RLock()
        """Held while a request is handled; take it to inspect `state` from another thread."""
        self.state = State(self.clock)
        """The account's records (`state.contacts`, `state.lists`, ...) for inspection."""
        self.limits = (
            None
            if rate_limit is None
            else BrevoLimits(self.clock, None if isinstance(rate_limit, str) else rate_limit)
        )
        plan = FaultPlan.parse(faults) if isinstance(faults, str) else faults
        self.faults = FaultInjector(plan or FaultPlan(), seed)
        self.webhooks = Dispatcher(self.state, self.lock, webhook_transport)
        """Webhook sender: `webhooks.flush()`, `webhooks.results`."""
        self.router: Router = build_router()
        self._app: Any = None

    def seed_data(self, contacts: int = 100, lists: int = 5, segments: int = 3) -> Simulator:
        """Add deterministic sample data; returns self."""
        with self.lock:
            seed_state(self.state, self.seed, contacts, lists, segments)
        return self

    @property
    def app(self) -> Any:
        """The ASGI application (serve it with uvicorn)."""
        if self._app is None:
            from simulators.core.asgi import build_app

            self._app = build_app(self)
        return self._app

    def transport(self) -> SimulatorTransport:
        """An in-process transport for `httpx.Client` and `httpx.AsyncClient`."""
        return SimulatorTransport(self)

    def client(self, **kwargs: Any) -> httpx.Client:
        """A sync httpx client wired in process, base URL `http://brevo.sim/v3`."""
        return httpx.Client(
            transport=self.transport(),
            base_url=IN_PROCESS_BASE_URL,
            headers={"api-key": self.token, "accept": "application/json"},
            **kwargs,
        )

    def close(self) -> None:
        """Stop the webhook sender (after sending what is queued)."""
        self.webhooks.close()

    def stats(self) -> dict[str, Any]:
        """`rate_limited`: requests refused by the contacts or the other-endpoints limit."""
        limits = self.limits
        refused = 0 if limits is None else limits.contacts.refused + limits.other.refused
        return {"rate_limited": refused}

    def handle(self, request: SimRequest) -> SimResponse:
        """Answer one request (thread-safe)."""
        with self.lock:
            response = self._handle(request)
            events = self.state.take_events()
            if events:
                self.webhooks.publish(events)
        return response

    def _handle(self, request: SimRequest) -> SimResponse:
        try:
            handler, params = self.router.resolve(request.method, request.path)
        except ApiError as error:
            return error.response()
        key = request.headers.get("api-key", "").strip()
        if not key:
            return ApiError(401, "unauthorized", "authentication not found in headers").response()
        if key != self.token:
            return ApiError(401, "unauthorized", "Key not found").response()
        headers: dict[str, str] = {}
        if self.limits is not None:
            decision = self.limits.hit(key, request.path)
            headers = sib_headers(decision)
            if not decision.allowed:
                return _with(json_response(429, TOO_MANY), headers)
        fault = self.faults.decide()
        if fault is not None and fault.kind not in APPLIED_KINDS:
            return _with(_fault_response(fault), headers)
        try:
            response = handler(Context(self.state, request, params))
        except ApiError as error:
            response = error.response()
        except Exception:
            log.exception("simulator handler failed for %s %s", request.method, request.path)
            response = json_response(500, {"code": "internal_error", "message": "Internal error"})
        apply_fault(response, fault)
        return _with(response, headers)


def _with(response: SimResponse, headers: dict[str, str]) -> SimResponse:
    for key, value in headers.items():
        response.headers.setdefault(key, value)
    return response


def _fault_response(fault: FaultRule) -> SimResponse:
    kind = fault.kind
    if kind in ("500", "503"):
        return json_response(int(kind), {"code": "internal_error", "message": "Server Error"})
    if kind in ("502", "504"):
        page = f"<html><body><h1>{kind}</h1>cloudflare</body></html>".encode()
        return SimResponse(int(kind), page, {"content-type": "text/html"})
    if kind == "malformed":
        return SimResponse(
            200, b"<!DOCTYPE html><html></html>", {"content-type": "application/json"}
        )
    if kind == "truncate":
        return SimResponse(200, b'{"contacts":[{"id', {"content-type": "application/json"})
    if kind == "drop":
        return SimResponse(0, disconnect=Disconnect.DROP)
    if kind == "429burst":
        burst = json_response(429, TOO_MANY)
        burst.headers.update({"x-sib-ratelimit-remaining": "0", "x-sib-ratelimit-reset": "1"})
        return burst
    raise AssertionError(f"unhandled fault kind {kind}")  # pragma: no cover
