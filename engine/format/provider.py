"""The provider file: how to reach a provider and the rules every request follows."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, model_validator

from engine.format.common import Expression, HttpMethod, Strict, Template
from engine.format.pagination import PaginationStyle


class CredentialField(Strict):
    """One credential the account supplies (e.g. an API key)."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Key used in templates: `{name}`.")
    label: str = Field(description="Human label shown when linking an account.")
    secret: bool = Field(default=True, description="Secret values are encrypted and never shown.")
    required: bool = Field(default=True, description="Whether linking fails without it.")
    description: str | None = Field(default=None, description="Where to find it, for people.")


class SettingField(Strict):
    """A non-secret per-account connection setting (e.g. the audience writes go to), read
    in templates and request expressions as `settings.<name>`."""

    name: str = Field(
        pattern=r"^[a-z][a-z0-9_]*$", description="Name read as `settings.<name>`."
    )
    label: str = Field(description="Human label shown when linking an account.")
    description: str | None = Field(default=None, description="What it is for, for people.")
    required: bool = Field(
        default=False, description="Whether a connection without it is refused."
    )
    default: str | int | float | bool | None = Field(
        default=None, description="Value used when the account gives none."
    )


class BearerAuth(Strict):
    """`Authorization: Bearer <token>`."""

    type: Literal["bearer"] = "bearer"
    token: Template = Field(description="Template of the token, e.g. `{api_key}`.")


class HeaderAuth(Strict):
    """A custom header carrying a credential."""

    type: Literal["header"] = "header"
    name: str = Field(description="Header name.")
    value: Template = Field(description="Header value template, e.g. `{api_key}`.")


class QueryAuth(Strict):
    """A query parameter carrying a credential."""

    type: Literal["query"] = "query"
    name: str = Field(description="Query parameter name.")
    value: Template = Field(description="Parameter value template.")


class BasicAuth(Strict):
    """HTTP basic authentication."""

    type: Literal["basic"] = "basic"
    username: Template = Field(description="User name template.")
    password: Template = Field(description="Password template.")


AuthScheme = Annotated[BearerAuth | HeaderAuth | QueryAuth | BasicAuth, Field(discriminator="type")]


class RateLimitBucket(Strict):
    """A per-account budget: a rate (`limit` requests per `period_seconds`) or a concurrency
    cap (`concurrency` requests in flight at once). A bucket is exactly one of the two."""

    name: str = Field(description="Bucket name, referenced by operations and the batch rule.")
    limit: int | None = Field(
        default=None, ge=1, description="Rate bucket: requests allowed per period."
    )
    period_seconds: float | None = Field(
        default=None, gt=0, description="Rate bucket: length of the period in seconds."
    )
    concurrency: int | None = Field(
        default=None,
        ge=1,
        description="Concurrency bucket: at most this many requests of one account in flight "
        "at once, across every thread and asyncio task of the process (a slot is held while "
        "an attempt is sent and its response read, not while waiting to retry).",
    )

    @model_validator(mode="after")
    def _one_kind(self) -> RateLimitBucket:
        rate = (self.limit is not None, self.period_seconds is not None)
        if self.concurrency is not None:
            if any(rate):
                raise ValueError(
                    f"bucket '{self.name}': 'concurrency' cannot be combined with "
                    "'limit'/'period_seconds' (declare two buckets)"
                )
        elif not all(rate):
            raise ValueError(
                f"bucket '{self.name}' needs 'limit' and 'period_seconds' (a rate) "
                "or 'concurrency' (requests in flight)"
            )
        return self


ResetUnit = Literal["seconds", "epoch_seconds", "epoch_ms"]


class RateLimits(Strict):
    """Client-side pacing and the headers that report the server's view."""

    buckets: list[RateLimitBucket] = Field(default_factory=list, description="Declared buckets.")
    default_buckets: list[str] = Field(
        default_factory=list, description="Buckets every request consumes unless it says otherwise."
    )
    remaining_header: str | None = Field(
        default=None,
        description="Response header with the requests left in `header_bucket` (any name, "
        "e.g. `X-RateLimit-Remaining`); requires `header_bucket`.",
    )
    limit_header: str | None = Field(
        default=None,
        description="Response header with the limit of `header_bucket`; requires `header_bucket`.",
    )
    reset_header: str | None = Field(
        default=None,
        description="Response header saying when `header_bucket`'s window resets (unit: "
        "`reset_unit`). When `remaining_header` reaches 0 the bucket waits until then, and a "
        "429 without a Retry-After is retried at the reset time.",
    )
    reset_unit: ResetUnit = Field(
        default="seconds",
        description="What `reset_header` holds: `seconds` (until the reset), `epoch_seconds` "
        "or `epoch_ms` (the reset moment as a Unix timestamp). Only with `reset_header`.",
    )
    retry_after_header: str = Field(
        default="Retry-After",
        description="Header with the wait before retrying a 429. A 429 without it is retried "
        "at the `reset_header` time, else after bounded exponential backoff with jitter.",
    )
    header_bucket: str | None = Field(
        default=None,
        description="The rate bucket that the remaining/limit/reset headers describe.",
    )
    padding_seconds: float = Field(
        default=0.0,
        ge=0,
        description="Seconds added to every period when pacing: the server counts a request "
        "when it arrives, the engine when it sends, so network jitter needs a margin.",
    )


class ErrorShape(Strict):
    """Where a provider puts its error details."""

    message_path: Expression = Field(description="Body path of the human-readable message.")
    field_errors_path: Expression | None = Field(
        default=None,
        description="Body path of per-field validation errors: an object field → list of "
        "messages (or a single message).",
    )
    codes: dict[int, str] = Field(
        default_factory=dict,
        description="HTTP status → unified error code, overriding the defaults "
        "(401 unauthorized, 403 forbidden, 404 not_found, 422 validation_error, 429 rate_limited, "
        "5xx remote_error).",
    )


class CheckRequest(Strict):
    """The request used to validate credentials when an account is linked."""

    method: HttpMethod = Field(default="GET", description="HTTP method.")
    path: Template = Field(description="Path to call.")
    query: dict[str, str] = Field(default_factory=dict, description="Constant query parameters.")
    buckets: list[str] | None = Field(
        default=None,
        description="Rate-limit buckets the request consumes (default: the provider's "
        "`default_buckets`), for an endpoint paced apart from the mapped resources.",
    )


class BatchItemRule(Strict):
    """Extra buckets a batch consumes when every sub-request matches a method and path."""

    bucket: str = Field(description="Bucket consumed in addition to the defaults.")
    method: HttpMethod = Field(description="Method every sub-request must have.")
    path: str = Field(description="Path every sub-request must have (after the prefix).")


class BatchEndpoint(Strict):
    """A provider endpoint that runs many sub-requests in one HTTP request."""

    path: Template = Field(description="Path of the batch endpoint (POST).")
    max_items: int = Field(ge=1, description="Most sub-requests per batch.")
    path_prefix: str = Field(
        default="", description="Prefix added to each sub-request's path (e.g. `api`)."
    )
    requests_key: str = Field(default="requests", description="Body key holding the sub-requests.")
    responses_path: Expression = Field(description="Body path of the per-sub-request responses.")
    status_path: Expression = Field(description="Path of a sub-response's status code.")
    body_path: Expression = Field(description="Path of a sub-response's body.")
    extra_buckets: list[BatchItemRule] = Field(
        default_factory=list, description="Buckets consumed when all sub-requests match."
    )


class SignatureSpec(Strict):
    """How a webhook delivery is signed."""

    type: Literal["hmac"] = Field(default="hmac", description="Signature scheme.")
    algorithm: Literal["sha256", "sha1", "sha512"] = Field(default="sha256", description="Digest.")
    header: str = Field(description="Request header carrying the signature.")
    encoding: Literal["hex", "base64"] = Field(default="hex", description="Signature encoding.")
    prefix: str = Field(
        default="", description="Text before the digest in the header (e.g. `sha256=`)."
    )
    secret: str = Field(
        default="webhook_secret",
        description="Name of the account's secret metadata entry holding the key.",
    )


class UrlTokenSignature(Strict):
    """An unsigned provider: a secret token travels in the delivery URL's query
    (`https://app.example/hooks?token=...`), set when the webhook is subscribed. Verification
    compares the URL's token with the stored secret in constant time."""

    type: Literal["url_token"] = Field(description="Signature scheme.")
    param: str = Field(
        min_length=1, description="Query parameter of the delivery URL carrying the token."
    )
    secret: str = Field(
        default="webhook_secret",
        description="Name of the account's secret metadata entry holding the token.",
    )


def _signature_kind(value: Any) -> str:
    """The signature scheme of raw or parsed data (`hmac` when `type` is left out)."""
    kind = value.get("type", "hmac") if isinstance(value, dict) else getattr(value, "type", "hmac")
    return kind if kind in ("hmac", "url_token") else "hmac"


WebhookSignature = Annotated[
    Annotated[SignatureSpec, Tag("hmac")] | Annotated[UrlTokenSignature, Tag("url_token")],
    Discriminator(_signature_kind),
]


class WebhookEvents(Strict):
    """Where things are in one webhook event."""

    type_path: Expression | None = Field(
        default=None,
        description="The provider's event name in the event, e.g. `event || type`. Give this "
        "or `type_param` (or both: the body wins when it names the event).",
    )
    type_param: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="Query parameter of the delivery URL naming the provider event, for "
        "providers whose bodies do not say which event they carry (one webhook per event, "
        "`subscriptions.per_event: true`). Subscribing adds `<type_param>=<provider event>` to "
        "each webhook's URL; `webhooks.handle(..., url=)` reads it back when `type_path` gives "
        "nothing.",
    )
    contact_path: Expression = Field(description="The contact record inside an event.")
    list_path: Expression | None = Field(default=None, description="The list record, when any.")
    occurred_at_path: Expression | None = Field(
        default=None, description="When it happened (converted with to_iso8601)."
    )
    account_path: Expression | None = Field(
        default=None, description="The provider's account id inside the event."
    )
    types: dict[str, str] = Field(
        description="Provider event name → unified event type (e.g. "
        "`subscriber.unsubscribed: contact.unsubscribed`). Others become `provider.<name>`."
    )


class WebhookSubscriptionSpec(Strict):
    """How to create, list and delete webhooks at the provider."""

    create: CheckRequest = Field(description="Request creating a webhook.")
    create_body: dict[str, Expression] = Field(
        description="Provider body: key → expression over `{url, events, name, batchable}` "
        "(with `per_event`, also `event`: the one provider event of this webhook)."
    )
    per_event: bool = Field(
        default=False,
        description="The provider's webhook carries ONE event: subscribing creates one "
        "webhook per provider event (`events` is then a one-item list and `event` its name), "
        "answered as one subscription whose id lists the provider ids (`id1,id2`); `list()` "
        "groups webhooks by URL the same way and `unsubscribe(id)` deletes each. When one "
        "create fails, the webhooks already created are deleted again.",
    )
    list: CheckRequest = Field(description="Request listing webhooks.")
    delete: CheckRequest = Field(description="Request deleting a webhook (`{id}` in the path).")
    records_path: Expression = Field(description="Where the webhooks are in a list response.")
    record_path: Expression = Field(description="Where the webhook is in a create response.")
    id_path: Expression = Field(description="Id of a webhook record.")
    secret_path: Expression | None = Field(default=None, description="Signing secret of a record.")
    url_path: Expression = Field(description="Target URL of a webhook record.")
    events_path: Expression = Field(description="Provider event names of a webhook record.")
    subscription_names: dict[str, str] = Field(
        default_factory=dict,
        description="Delivery event name → the name the subscription API takes, for providers "
        "that spell them differently (`unsubscribe` in a delivery, `unsubscribed` when "
        "subscribing). Names not listed are the same in both places.",
    )
    batch_only_events: tuple[str, ...] = Field(
        default=(),
        description="Provider events delivered only to webhooks created with `batchable: true`; "
        "choosing one sets `batchable` in the create body's input.",
    )


class WebhookSpec(Strict):
    """Webhook verification, splitting and normalisation."""

    signature: WebhookSignature = Field(
        description="How a delivery is authenticated: `type: hmac` (the default) checks a "
        "signature header; `type: url_token` checks a secret token in the delivery URL."
    )
    body_format: Literal["json", "form"] = Field(
        default="json",
        description="Delivery body encoding: `json`, or `form` "
        "(application/x-www-form-urlencoded; bracketed keys such as `data[merges][EMAIL]` "
        "become nested objects, `key[]` a list) before the event paths are read.",
    )
    batch_path: Expression | None = Field(
        default=None,
        description="Path of the events array in a batched delivery; "
        "a body without it is one event.",
    )
    events: WebhookEvents = Field(description="How to read each event.")
    subscriptions: WebhookSubscriptionSpec | None = Field(
        default=None, description="Managing webhooks through the API, if possible."
    )


class ProviderFile(Strict):
    """`mappings/<provider>/provider.yaml`: everything about reaching one provider."""

    schema_: str | None = Field(default=None, alias="$schema", description="Editor schema hint.")
    provider: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Provider name (the folder).")
    label: str = Field(description="Human name.")
    version: int = Field(default=1, description="Mapping language version.")
    base_url: Template = Field(
        description="Base URL; its placeholders may read credentials and `settings`, e.g. "
        "`https://{split(api_key, '-')[-1]}.api.example.com` (a data centre)."
    )
    credentials: list[CredentialField] = Field(description="What an account supplies.")
    settings: list[SettingField] = Field(
        default_factory=list,
        description="Non-secret per-account connection settings (`settings.<name>`).",
    )
    auth: AuthScheme = Field(description="How credentials go on every request.")
    headers: dict[str, Template] = Field(
        default_factory=dict,
        description="Headers on every request; value templates may read credentials and "
        "`settings`.",
    )
    pagination: dict[str, PaginationStyle] = Field(
        default_factory=dict, description="Named pagination styles used by operations."
    )
    rate_limits: RateLimits = Field(default_factory=RateLimits, description="Pacing.")
    errors: ErrorShape = Field(description="The provider's error body shape.")
    value_maps: dict[str, dict[str, str | None]] = Field(
        default_factory=dict,
        description="Named value maps for `map_value(value, 'name')`; the key `_default` "
        "gives the value for anything unlisted.",
    )
    check: CheckRequest = Field(description="Request used to validate credentials.")
    batch: BatchEndpoint | None = Field(default=None, description="Batch endpoint, if any.")
    webhooks: WebhookSpec | None = Field(default=None, description="Webhook handling.")
    timeout_seconds: float = Field(default=30.0, gt=0, description="Per-request timeout.")
