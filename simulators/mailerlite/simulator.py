"""`Simulator`: one simulated MailerLite account and the request pipeline in front of it.

Pipeline for every request (`Simulator.handle`):

1. route lookup - unknown path 404 `The route api/... could not be found.`, wrong method 405;
2. authentication - `Authorization: Bearer <token>`, else 401 `Unauthenticated.`;
3. rate limit - fixed window per token (`X-RateLimit-*` headers; 429 `Too Many Attempts.`);
   a `POST /batch` counts once, and one made only of `POST api/subscribers` also counts against
   the import limit (429 `You're being rate limited on import creation.`);
4. fault injection (see `simulators.core.faults`);
5. the handler, under a lock (requests are serialised, so state is always consistent);
6. webhook events produced by the request are queued for background delivery.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import httpx

from simulators.core.clock import Clock, SystemClock
from simulators.core.faults import APPLIED_KINDS, FaultInjector, FaultPlan, FaultRule, apply_fault
from simulators.core.ids import IdGenerator, SecretGenerator
from simulators.core.messages import Disconnect, SimRequest, SimResponse, dumps, json_response
from simulators.core.ratelimit import FixedWindowLimiter
from simulators.core.transport import SimulatorTransport
from simulators.mailerlite.messages import ApiError, unauthenticated
from simulators.mailerlite.router import Context, Router
from simulators.mailerlite.routes import build_router
from simulators.mailerlite.routes.batch import is_import_batch
from simulators.mailerlite.seed import seed_state
from simulators.mailerlite.state import State
from simulators.mailerlite.webhooks import WebhookDispatcher

DEFAULT_TOKEN = "sim-token"
"""The API token a simulator accepts unless told otherwise."""

IN_PROCESS_BASE_URL = "http://mailerlite.sim/api"
"""Base URL to use with the in-process transport (the host name is never resolved)."""

TOO_MANY = "Too Many Attempts."
IMPORT_LIMITED = "You're being rate limited on import creation."

log = logging.getLogger(__name__)

_GATEWAY_PAGE = (
    "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n"
    "<center><h1>{code} {reason}</h1></center>\r\n<hr><center>cloudflare</center>\r\n"
    "</body>\r\n</html>\r\n"
)


class Simulator:
    """A stateful, deterministic stand-in for the MailerLite API (`/api/...`).

    * `seed` drives ids, secrets, seeded data and the fault sequence.
    * `token` is the only accepted bearer token.
    * `rate_limit` / `import_limit` are `(requests, window_seconds)`, or None to disable.
    * `faults` is a SPEC string or `FaultPlan` (see `simulators.core.faults`), None for none.
    * `clock` is a `Clock` (e.g. `FakeClock`); defaults to the system clock.
    * `webhook_transport` replaces the network for webhook deliveries (e.g.
      `httpx.MockTransport`), so tests can capture them without sockets.
    * `account_id` is the integer carried by webhook payloads (derived from the seed if None).
    """

    base_path = "/api"

    def __init__(
        self,
        seed: int = 0,
        token: str = DEFAULT_TOKEN,
        rate_limit: tuple[int, float] | None = (120, 60.0),
        import_limit: tuple[int, float] | None = (5, 60.0),
        faults: str | FaultPlan | None = None,
        clock: Clock | None = None,
        webhook_transport: httpx.BaseTransport | None = None,
        account_id: int | None = None,
    ) -> None:
        self.seed = seed
        self.token = token
        self.clock: Clock = clock or SystemClock()
        self.lock = threading.RLock()
        """Held while a request is handled; take it to inspect `state` from another thread."""
        self.state = State(
            IdGenerator(seed),
            SecretGenerator(seed),
            self.clock,
            account_id if account_id is not None else 1_000_000 + seed % 9_000_000,
        )
        """The account's records (`state.by_email`, `state.groups`, ...) for inspection."""
        self.rate_limiter = (
            FixedWindowLimiter(rate_limit[0], rate_limit[1], self.clock) if rate_limit else None
        )
        self.import_limiter = (
            FixedWindowLimiter(import_limit[0], import_limit[1], self.clock)
            if import_limit
            else None
        )
        plan = FaultPlan.parse(faults) if isinstance(faults, str) else faults
        self.faults = FaultInjector(plan or FaultPlan(), seed)
        """The fault injector; `faults.counts` holds how many faults of each kind were served."""
        self.webhooks = WebhookDispatcher(self.state, self.lock, transport=webhook_transport)
        """The webhook sender: `webhooks.flush()`, `await webhooks.drain()`, `webhooks.results`."""
        self.router: Router = build_router()
        self._app: Any = None

    # ------------------------------------------------------------------ set-up
    def seed_data(self, subscribers: int = 100, groups: int = 5, segments: int = 3) -> Simulator:
        """Add deterministic sample data (fields, groups, subscribers, segments); returns self."""
        with self.lock:
            seed_state(self.state, self.seed, subscribers, groups, segments)
            self.state.warm_rows()
        return self

    @property
    def app(self) -> Any:
        """The ASGI application (serve it with uvicorn, or use `httpx.ASGITransport`)."""
        if self._app is None:
            from simulators.core.asgi import build_app  # starlette only when served

            self._app = build_app(self)
        return self._app

    def transport(self) -> SimulatorTransport:
        """An in-process transport for both `httpx.Client` and `httpx.AsyncClient`."""
        return SimulatorTransport(self)

    def auth_headers(self) -> dict[str, str]:
        """Headers a client needs (bearer token, JSON content negotiation)."""
        return {
            "Authorization": f"Bearer {self.token}",
            "Accept": "application/json",
            "Content-Type": "application/json",
        }

    def client(self, **kwargs: Any) -> httpx.Client:
        """A sync httpx client wired in process, base URL `http://mailerlite.sim/api`."""
        return httpx.Client(
            transport=self.transport(),
            base_url=IN_PROCESS_BASE_URL,
            headers=self.auth_headers(),
            **kwargs,
        )

    def async_client(self, **kwargs: Any) -> httpx.AsyncClient:
        """An async httpx client wired in process, base URL `http://mailerlite.sim/api`."""
        return httpx.AsyncClient(
            transport=self.transport(),
            base_url=IN_PROCESS_BASE_URL,
            headers=self.auth_headers(),
            **kwargs,
        )

    def close(self) -> None:
        """Stop the webhook sender (after sending what is queued)."""
        self.webhooks.close()

    def stats(self) -> dict[str, Any]:
        """`rate_limited`: requests refused by the general or import limit; `faults` served."""
        limiters = (self.rate_limiter, self.import_limiter)
        refused = sum(limiter.refused for limiter in limiters if limiter is not None)
        return {"rate_limited": refused, "faults": self.fault_counts}

    @property
    def fault_counts(self) -> dict[str, int]:
        """Faults injected so far, per kind (only kinds with a non-zero count)."""
        return {kind: n for kind, n in self.faults.counts.items() if n}

    # ---------------------------------------------------------------- pipeline
    def handle(self, request: SimRequest) -> SimResponse:
        """Answer one request (thread-safe). See the module docstring for the pipeline."""
        with self.lock:
            response = self._handle(request)
            events = self.state.take_events()
            if events:
                self.webhooks.publish(events)  # only builds and queues; sending is async
        return response

    def _authorised(self, request: SimRequest) -> str | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or token != self.token:
            return None
        return token

    def _handle(self, request: SimRequest) -> SimResponse:
        try:
            handler, params = self.router.resolve(request.method, request.path)
        except ApiError as error:
            return error.response()
        token = self._authorised(request)
        if token is None:
            return unauthenticated().response()
        headers: dict[str, str] = {"cache-control": "no-cache, private"}
        if self.rate_limiter is not None:
            decision = self.rate_limiter.hit(token)
            headers.update(decision.headers())
            if not decision.allowed:
                return self._with(json_response(429, {"message": TOO_MANY}), headers)
        if (
            self.import_limiter is not None
            and request.method.upper() == "POST"
            and request.path.strip("/") == "api/batch"
            and is_import_batch(request.body)
        ):
            decision = self.import_limiter.hit(token)
            if not decision.allowed:
                limited = dict(headers, **{"retry-after": str(decision.retry_after)})
                return self._with(json_response(429, {"message": IMPORT_LIMITED}), limited)
        fault = self.faults.decide()
        if fault is not None and fault.kind not in APPLIED_KINDS:
            return self._with(self._fault_response(fault, request, handler, params), headers)
        try:
            response = handler(Context(self.state, request, params))
        except ApiError as error:
            response = error.response()
        except Exception:
            log.exception("simulator handler failed for %s %s", request.method, request.path)
            response = json_response(500, {"message": "Server Error"})
        apply_fault(response, fault)
        return self._with(response, headers)

    @staticmethod
    def _with(response: SimResponse, headers: dict[str, str]) -> SimResponse:
        for key, value in headers.items():
            response.headers.setdefault(key, value)
        return response

    def _fault_response(
        self, fault: FaultRule, request: SimRequest, handler: Any, params: dict[str, str]
    ) -> SimResponse:
        kind = fault.kind
        if kind == "500":
            return json_response(500, {"message": "Server Error"})
        if kind == "503":
            return json_response(503, {"message": "Service Unavailable"})
        if kind in ("502", "504"):
            reason = "Bad Gateway" if kind == "502" else "Gateway Time-out"
            page = _GATEWAY_PAGE.format(code=kind, reason=reason).encode()
            return SimResponse(int(kind), page, {"content-type": "text/html"})
        if kind == "malformed":
            page = (
                b"<!DOCTYPE html><html><body><h1>Whoops, looks like something went wrong."
                b"</h1></body></html>"
            )
            return SimResponse(200, page, {"content-type": "application/json"})
        if kind == "truncate":
            body = b'{"data":{"id":"' + b"0" * 18 + b'","email":"'
            if request.method.upper() == "GET":
                try:
                    body = handler(Context(self.state, request, params)).body or body
                except ApiError as error:
                    body = dumps(error.payload)
            return SimResponse(
                200, body[: max(1, len(body) // 2)], {"content-type": "application/json"}
            )
        if kind == "drop":
            return SimResponse(0, disconnect=Disconnect.DROP)
        if kind == "429burst":
            burst = json_response(429, {"message": TOO_MANY})
            burst.headers.update({"retry-after": "1", "x-ratelimit-remaining": "0"})
            return burst
        raise AssertionError(f"unhandled fault kind {kind}")  # pragma: no cover
