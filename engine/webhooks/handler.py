"""`engine.webhooks.handle(...)`: verify a delivery, then turn it into unified events."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from engine.accounts.model import Account
from engine.errors import ConfigurationError, SignatureError, ValidationError
from engine.loader import ProviderMapping
from engine.secrets import Secret
from engine.webhooks.events import normalise_all, parse_body, url_event_type, webhook_spec
from engine.webhooks.signature import Headers, QueryInput, query_pairs, verify, verify_url_token

if TYPE_CHECKING:
    pass


class WebhookHandler:
    """Webhook handling for every provider an engine has loaded (`engine.webhooks`)."""

    def __init__(
        self, mapping_of: Callable[[str], ProviderMapping], providers: Iterable[str]
    ) -> None:
        """`mapping_of(name)` gives a loaded provider's mapping (or raises a clear error)."""
        self.mapping_of = mapping_of
        self.providers = sorted(providers)

    def __repr__(self) -> str:
        return f"WebhookHandler(providers={self.providers!r})"

    def secret_for(
        self, provider: str, account: Account | None, secret: str | Secret | None
    ) -> str:
        """The signing secret: `secret` when given, else the account's secret metadata entry
        named by the provider's `signature.secret`."""
        spec = webhook_spec(self.mapping_of(provider))
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
        headers: Headers,
        raw_body: bytes | str,
        account: Account | None = None,
        secret: str | Secret | None = None,
        *,
        url: str | None = None,
        query: QueryInput = None,
    ) -> list[dict[str, Any]]:
        """Verify the delivery and return its unified events, in order.

        `raw_body` must be the bytes exactly as received. Providers that sign with a header
        need `headers` (a mapping of text or bytes, or an ASGI scope's byte pairs); providers
        that put a token in the delivery URL (`signature.type: url_token`) need the request's
        full `url` or its `query` (a raw query string, a mapping or pairs). A bad or missing
        signature or token raises `SignatureError` before the body is even parsed. Providers
        naming the event in the URL (`events.type_param`) need `url` or `query` too.
        """
        mapping = self.mapping_of(provider)
        spec = webhook_spec(mapping)
        if not isinstance(raw_body, str | bytes | bytearray | memoryview):
            raise ValidationError(f"raw_body must be bytes, not {type(raw_body).__name__}")
        body = raw_body.encode("utf-8") if isinstance(raw_body, str) else bytes(raw_body)
        key = self.secret_for(provider, account, secret)
        pairs = query_pairs(url, query)
        if spec.signature.type == "url_token":
            verify_url_token(spec.signature, pairs, key)
        else:
            verify(spec.signature, headers, body, key)
        return normalise_all(
            mapping,
            parse_body(body, spec.body_format),
            account_id=None,
            url_type=url_event_type(spec, pairs),
        )

    def parse(
        self,
        provider: str,
        raw_body: bytes | str,
        *,
        url: str | None = None,
        query: QueryInput = None,
    ) -> list[dict[str, Any]]:
        """Unified events of a body WITHOUT checking its signature (tests, trusted replays);
        `url`/`query` give the event name for providers with `events.type_param`."""
        mapping = self.mapping_of(provider)
        spec = webhook_spec(mapping)
        return normalise_all(
            mapping,
            parse_body(raw_body, spec.body_format),
            url_type=url_event_type(spec, query_pairs(url, query)),
        )
