"""`engine.webhooks.handle(...)`: verify a delivery, then turn it into unified events."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from engine.accounts.model import Account
from engine.accounts.secrets import Secret
from engine.errors import ConfigurationError, SignatureError
from engine.webhooks.events import normalise_all, parse_body, webhook_spec
from engine.webhooks.signature import verify

if TYPE_CHECKING:
    from engine.api import Engine


class WebhookHandler:
    """Webhook handling for every provider an engine has loaded (`engine.webhooks`)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __repr__(self) -> str:
        return f"WebhookHandler(providers={sorted(self.engine.providers)!r})"

    def secret_for(
        self, provider: str, account: Account | None, secret: str | Secret | None
    ) -> str:
        """The signing secret: `secret` when given, else the account's secret metadata entry
        named by the provider's `signature.secret`."""
        spec = webhook_spec(self.engine.mapping(provider))
        if secret is not None:
            return secret.reveal() if isinstance(secret, Secret) else secret
        if account is None:
            raise SignatureError(
                "no webhook secret given (pass account= or secret=); the delivery was not processed"
            )
        if account.provider != provider:
            raise ConfigurationError(
                f"account {account.id} belongs to {account.provider}, not {provider}"
            )
        stored = account.secret_metadata.get(spec.signature.secret)
        if stored is None or not stored.reveal():
            raise SignatureError(
                f"account {account.id} has no '{spec.signature.secret}' secret (subscribe through "
                "connection.webhooks.subscribe(..., store=, account_id=) to store it)"
            )
        return stored.reveal()

    def handle(
        self,
        provider: str,
        headers: Mapping[str, str],
        raw_body: bytes | str,
        account: Account | None = None,
        secret: str | Secret | None = None,
    ) -> list[dict[str, Any]]:
        """Verify the delivery's signature and return its unified events, in order.

        `raw_body` must be the bytes exactly as received. A bad or missing signature raises
        `SignatureError` before the body is even parsed.
        """
        mapping = self.engine.mapping(provider)
        spec = webhook_spec(mapping)
        body = raw_body.encode("utf-8") if isinstance(raw_body, str) else bytes(raw_body)
        verify(spec.signature, headers, body, self.secret_for(provider, account, secret))
        return normalise_all(mapping, parse_body(body), account_id=None)

    def parse(self, provider: str, raw_body: bytes | str) -> list[dict[str, Any]]:
        """Unified events of a body WITHOUT checking its signature (tests, trusted replays)."""
        return normalise_all(self.engine.mapping(provider), parse_body(raw_body))
