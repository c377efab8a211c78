"""What every route shares: `ServerContext`, and who is calling (`Caller`).

Host apps authenticate with an API token (`unimap tokens create NAME`); a host app's front
end may instead hold a short-lived token scoped to one linked account (`POST
/account-tokens`). Both travel as `Authorization: Bearer <token>`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool

from engine.accounts.link_tokens import LinkTokenStore, MemoryLinkTokenStore
from engine.accounts.model import Account, utc_now
from engine.accounts.scoped_tokens import SCOPED_PREFIX, read_scoped_token
from engine.accounts.store import AccountStore
from engine.accounts.token_cache import DEFAULT_TOKEN_CACHE_TTL, CachingTokenStore
from engine.accounts.tokens import ApiTokenStore
from engine.api import AsyncConnection, Engine
from engine.errors import ForbiddenError, UnauthorizedError
from engine.forwarding.forwarder import Forwarder
from engine.server.connections import ConnectionPool
from engine.server.inputs import integrated_account_id

if TYPE_CHECKING:
    from starlette.requests import Request

__all__ = ["Caller", "ServerContext", "ServerSettings"]


@dataclass(frozen=True)
class ServerSettings:
    """How the server is set up.

    `public_url`: the address host apps and end users reach the server at (links, webhook
    URLs). `forward_to`: where unified webhook events are forwarded (None: nowhere).
    `scoped_token_ttl`: default and maximum lifetime of account-scoped tokens, seconds.
    `token_cache_ttl`: how long a successful API-token check is reused without reading the
    token store (0: never; `engine.accounts.token_cache`). `allowed_hosts`: the `Host`
    names the server answers to (`engine.server.hosts`; empty: any). `base_urls`: see the
    field.
    """

    public_url: str = "http://127.0.0.1:8000"
    forward_to: str | None = None
    scoped_token_ttl: float = 900.0
    token_cache_ttl: float = DEFAULT_TOKEN_CACHE_TTL
    allowed_hosts: tuple[str, ...] = ()
    base_urls: Mapping[str, str] = field(default_factory=dict)
    """Provider → base URL of the accounts linked on the link page (the operator's choice,
    e.g. a sandbox; never taken from a request). Unlisted providers use their mapping's."""


@dataclass(frozen=True)
class Caller:
    """Who sent a request: a host app (`token_id` of its API token), or a front end holding a
    token scoped to `account_id` (then `token_id` is None)."""

    token_id: str | None = None
    token_name: str | None = None
    account_id: str | None = None

    @property
    def is_host(self) -> bool:
        """True for a host app's API token (allowed everything)."""
        return self.account_id is None

    def require_host(self) -> None:
        """Refuse a scoped token (`ForbiddenError`)."""
        if not self.is_host:
            raise ForbiddenError(
                "this route needs a host app's API token, not an account-scoped token"
            )

    def require_account(self, account_id: str) -> None:
        """Refuse a scoped token for another account (`ForbiddenError`)."""
        if not self.is_host and self.account_id != account_id:
            raise ForbiddenError("this token is scoped to another integrated account")


@dataclass
class ServerContext:
    """The engine, stores and settings every route group is built with."""

    engine: Engine
    accounts: AccountStore
    tokens: ApiTokenStore
    scoped_key: bytes
    """The HMAC key of account-scoped tokens (`engine.accounts.scoped_tokens`)."""
    settings: ServerSettings = field(default_factory=ServerSettings)
    link_tokens: LinkTokenStore = field(default_factory=MemoryLinkTokenStore)
    """The link page's tokens (`engine.accounts.link_tokens`)."""
    transport: Any = None
    """An `httpx.AsyncBaseTransport` for every provider call (tests, in-process simulators);
    None: real HTTP."""
    forwarder: Forwarder | None = None
    """Forwards unified webhook events (`engine.forwarding`); None: no webhook routes."""
    connections: ConnectionPool = field(init=False)
    """The connections kept per linked account."""
    token_cache: CachingTokenStore = field(init=False)
    """`tokens`, wrapped so successful checks are cached briefly; `tokens` is this too, so a
    revocation through the context evicts at once."""

    def __post_init__(self) -> None:
        """Build the connection pool; wrap the token store in the verification cache."""
        self.connections = ConnectionPool(self.engine, self.accounts, transport=self.transport)
        if not isinstance(self.tokens, CachingTokenStore):
            self.tokens = CachingTokenStore(self.tokens, ttl=self.settings.token_cache_ttl)
        self.token_cache = self.tokens

    def caller_for(self, token: str, now: datetime | None = None) -> Caller:
        """The caller a bearer token stands for; `UnauthorizedError` if it stands for none.

        Blocking (the token store may read a database); routes use `authenticate`.
        """
        if token.startswith(SCOPED_PREFIX):
            claims = read_scoped_token(self.scoped_key, token, now or utc_now())
            if claims is not None:
                return Caller(account_id=claims.account_id)
            raise _unauthorized("the account-scoped token is invalid or has expired")
        record = self.token_cache.verify(token)
        if record is None:
            raise _unauthorized("the API token is invalid or revoked")
        return Caller(token_id=record.id, token_name=record.name)

    async def authenticate(self, request: Request) -> Caller:
        """The caller of `request` (`Authorization: Bearer <token>`), or `UnauthorizedError`."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise _unauthorized("send 'Authorization: Bearer <API token>'")
        record = self.token_cache.cached(token)  # a recent success: no thread, no store read
        if record is not None:
            return Caller(token_id=record.id, token_name=record.name)
        return await run_in_threadpool(self.caller_for, token)

    async def account_for(self, caller: Caller, account_id: str) -> Account:
        """The stored account `caller` may use (`ForbiddenError`, `AccountNotFoundError`)."""
        caller.require_account(account_id)
        return await run_in_threadpool(self.accounts.get, account_id)

    async def connect(self, request: Request) -> AsyncConnection:
        """Authenticate `request` and return the connection to the account it names
        (`integrated_account_id`); a disabled account is refused (`forbidden`)."""
        caller = await self.authenticate(request)
        account = await self.account_for(caller, integrated_account_id(request))
        return self.connections.connection(account)


def _unauthorized(message: str) -> UnauthorizedError:
    return UnauthorizedError(message)
