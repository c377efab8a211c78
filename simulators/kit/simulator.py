"""`Simulator`: one simulated Kit account (API v4) and the request pipeline in front of it.

Pipeline for every request (`Simulator.handle`):

1. route lookup under `/v4/` - unrouted path or method: 404 `{"errors": ["Not Found"]}`;
2. authentication - header `X-Kit-Api-Key: <api key>`, or `Authorization: Bearer <OAuth token>`
   when the simulator has an OAuth token; else 401 `{"errors": ["The access token is invalid"]}`;
3. rate limit per credential in a 60 s window: 120 requests for an API key, 600 for an OAuth
   token (developers.kit.com "Rate limits"); over it: 429 with the plain-text body `Retry later`
   and no `Retry-After` header;
4. fault injection (`simulators.core.faults`);
5. the handler, under a lock;
6. webhook deliveries for the events the request produced are queued (background sender).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import httpx

from simulators.core.clock import Clock, SystemClock
from simulators.core.faults import APPLIED_KINDS, FaultInjector, FaultPlan, FaultRule, apply_fault
from simulators.core.messages import Disconnect, SimRequest, SimResponse, dumps, json_response
from simulators.core.ratelimit import FixedWindowLimiter
from simulators.core.transport import SimulatorTransport
from simulators.kit.errors import INVALID_TOKEN, KitError
from simulators.kit.router import Context, Handler, Router
from simulators.kit.routes import build_router
from simulators.kit.seed import seed_state
from simulators.kit.state import State
from simulators.kit.webhooks import WebhookSender, deliveries_for

DEFAULT_TOKEN = "kit-sim-api-key"
"""The API key a simulator accepts unless told otherwise."""

IN_PROCESS_BASE_URL = "http://kit.sim/v4"
"""Base URL to use with the in-process transport (the host name is never resolved)."""

RETRY_LATER = b"Retry later"

log = logging.getLogger(__name__)


class Simulator:
    """A stateful, deterministic stand-in for the Kit API v4 (`api.kit.com/v4`).

    * `seed` drives ids, seeded data and the fault sequence.
    * `token` is the accepted API key (`X-Kit-Api-Key`); `oauth_token`, when set, is accepted as
      `Authorization: Bearer`.
    * `rate_limit` / `oauth_rate_limit` are `(requests, window_seconds)`, or None to disable.
    * `faults` is a SPEC string or `FaultPlan`; `clock` e.g. a `FakeClock`.
    * `webhook_transport` replaces the network for webhook deliveries.
    """

    base_path = "/v4"

    def __init__(
        self,
        seed: int = 0,
        token: str = DEFAULT_TOKEN,
        oauth_token: str | None = None,
        rate_limit: tuple[int, float] | None = (120, 60.0),
        oauth_rate_limit: tuple[int, float] | None = (600, 60.0),
        faults: str | FaultPlan | None = None,
        clock: Clock | None = None,
        webhook_transport: httpx.BaseTransport | None = None,
        account_id: int | None = None,
    ) -> None:
        self.seed = seed
        self.token = token
        self.oauth_token = oauth_token
        self.clock: Clock = clock or SystemClock()
        self.lock = threading.RLock()
        """Held while a request is handled; take it to inspect `state` from another thread."""
        self.state = State(seed, self.clock, account_id or 1_000_000 + seed % 9_000_000)
        """The account's records (`state.subscribers`, `state.tags`, ...) for inspection."""
        self._limiters = {
            "api_key": _limiter(rate_limit, self.clock),
            "oauth": _limiter(oauth_rate_limit, self.clock),
        }
        plan = FaultPlan.parse(faults) if isinstance(faults, str) else faults
        self.faults = FaultInjector(plan or FaultPlan(), seed)
        """The fault injector; `faults.counts` holds how many faults of each kind were served."""
        self.webhooks = WebhookSender(webhook_transport)
        """The webhook sender: `webhooks.flush()`, `webhooks.results`."""
        self.router: Router = build_router()
        self._app: Any = None

    def seed_data(
        self, subscribers: int = 100, tags: int = 5, segments: int = 3, fields: int = 3
    ) -> Simulator:
        """Add deterministic sample data; returns self."""
        with self.lock:
            seed_state(self.state, self.seed, subscribers, tags, segments, fields)
        return self

    @property
    def app(self) -> Any:
        """The ASGI application (serve it with uvicorn, or use `httpx.ASGITransport`)."""
        if self._app is None:
            from simulators.core.asgi import build_app

            self._app = build_app(self)
        return self._app

    def transport(self) -> SimulatorTransport:
        """An in-process transport for both `httpx.Client` and `httpx.AsyncClient`."""
        return SimulatorTransport(self)

    def auth_headers(self) -> dict[str, str]:
        """Headers a client needs (API key, JSON)."""
        return {
            "X-Kit-Api-Key": self.token,
            "Accept": "application/json",
            "Content-Type": "application/json",
        }

    def client(self, **kwargs: Any) -> httpx.Client:
        """A sync httpx client wired in process, base URL `http://kit.sim/v4`."""
        return httpx.Client(
            transport=self.transport(),
            base_url=IN_PROCESS_BASE_URL,
            headers=self.auth_headers(),
            **kwargs,
        )

    def close(self) -> None:
        """Stop the webhook sender (after sending what is queued)."""
        self.webhooks.close()

    def stats(self) -> dict[str, Any]:
        """`rate_limited`: requests refused by the API-key or the OAuth limit."""
        limiters = [limiter for limiter in self._limiters.values() if limiter is not None]
        return {"rate_limited": sum(limiter.refused for limiter in limiters)}

    # ---------------------------------------------------------------- pipeline
    def handle(self, request: SimRequest) -> SimResponse:
        """Answer one request (thread-safe). See the module docstring for the pipeline."""
        with self.lock:
            response = self._handle(request)
            deliveries = deliveries_for(self.state, self.state.take_events())
        self.webhooks.publish(deliveries)
        return response

    def _credential(self, request: SimRequest) -> tuple[str, str] | None:
        key = request.headers.get("x-kit-api-key", "").strip()
        if key:
            return ("api_key", key) if key == self.token else None
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        token = token.strip()
        if self.oauth_token and scheme.lower() == "bearer" and token == self.oauth_token:
            return ("oauth", token)
        return None

    def _handle(self, request: SimRequest) -> SimResponse:
        try:
            handler, params = self.router.resolve(request.method, request.path)
        except KitError as error:
            return error.response()
        credential = self._credential(request)
        if credential is None:
            return KitError(401, INVALID_TOKEN).response()
        limiter = self._limiters[credential[0]]
        if limiter is not None and not limiter.hit(credential[1]).allowed:
            return _retry_later()
        fault = self.faults.decide()
        if fault is not None and fault.kind not in APPLIED_KINDS:
            return self._fault_response(fault, request, handler, params)
        response = self._run(handler, Context(self.state, request, params))
        apply_fault(response, fault)
        return response

    def _run(self, handler: Handler, ctx: Context) -> SimResponse:
        try:
            return handler(ctx)
        except KitError as error:
            return error.response()
        except Exception:
            log.exception("kit simulator handler failed for %s", ctx.request.path)
            return json_response(500, {"errors": ["Internal Server Error"]})

    def _fault_response(
        self, fault: FaultRule, request: SimRequest, handler: Handler, params: dict[str, str]
    ) -> SimResponse:
        kind = fault.kind
        if kind in ("500", "503"):
            reason = "Internal Server Error" if kind == "500" else "Service Unavailable"
            return json_response(int(kind), {"errors": [reason]})
        if kind in ("502", "504"):
            reason = "Bad Gateway" if kind == "502" else "Gateway Time-out"
            page = f"<html><body><h1>{kind} {reason}</h1></body></html>".encode()
            return SimResponse(int(kind), page, {"content-type": "text/html"})
        if kind == "malformed":
            page = b"<!DOCTYPE html><html><body>Something went wrong.</body></html>"
            return SimResponse(200, page, {"content-type": "application/json"})
        if kind == "truncate":
            body = b'{"subscriber":{"id":2000000000,"email_address":"'
            if request.method.upper() == "GET":
                answer = self._run(handler, Context(self.state, request, params))
                body = answer.body or dumps({"errors": []})
            cut = body[: max(1, len(body) // 2)]
            return SimResponse(200, cut, {"content-type": "application/json"})
        if kind == "drop":
            return SimResponse(0, disconnect=Disconnect.DROP)
        if kind == "429burst":
            return _retry_later()
        raise AssertionError(f"unhandled fault kind {kind}")  # pragma: no cover


def _limiter(rate: tuple[int, float] | None, clock: Clock) -> FixedWindowLimiter | None:
    return FixedWindowLimiter(rate[0], rate[1], clock) if rate else None


def _retry_later() -> SimResponse:
    """Kit's 429: plain text `Retry later`, no `Retry-After`."""
    return SimResponse(429, RETRY_LATER, {"content-type": "text/plain"})
