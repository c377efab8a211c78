"""Managing webhooks at the provider: `connection.webhooks.subscribe / list / unsubscribe`.

Requests and bodies come from the provider file's `webhooks.subscriptions`; the create body is
built from the input `{url, events, name, batchable}` where `events` are provider event names
(unified types mapped by inverting `webhooks.events.types`; `provider.<name>` passes `<name>`).

`batchable` is true when the caller asks for it, or when any chosen provider event is one the
provider only delivers in batches (`webhooks.subscriptions.batch_only_events` in the provider
file, e.g. deletions or campaign opens that a provider batches).
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

from engine.accounts.store import AccountStore
from engine.errors import ConfigurationError, FieldProblem, RemoteError, ValidationError
from engine.loader import ProviderMapping
from engine.plan.build import fixed_request
from engine.plan.messages import Plan, ProviderRequest, ProviderResponse
from engine.plan.responses import raise_for_response
from engine.run.drivers import run_async, run_sync
from engine.secrets import Secret
from engine.webhooks import per_event
from engine.webhooks.events import unified_type, webhook_spec
from engine.webhooks.signature import with_url_token

if TYPE_CHECKING:
    from engine.format.provider import WebhookSpec, WebhookSubscriptionSpec

SyncSend = Callable[[ProviderRequest], ProviderResponse]
AsyncSend = Callable[[ProviderRequest], Awaitable[ProviderResponse]]


def subscription_spec(mapping: ProviderMapping) -> tuple[WebhookSpec, WebhookSubscriptionSpec]:
    """The webhook and subscription sections, or a clear error."""
    spec = webhook_spec(mapping)
    if spec.subscriptions is None:
        raise ConfigurationError(
            f"{mapping.provider.label} webhooks cannot be managed through its API"
        )
    return spec, spec.subscriptions


def provider_events(mapping: ProviderMapping, events: list[str]) -> list[str]:
    """Provider event names for unified types (every provider name mapping to each type)."""
    spec = webhook_spec(mapping)
    if not events:
        raise ValidationError(
            "give at least one event type", details=[FieldProblem("events", "is empty")]
        )
    names: list[str] = []
    problems: list[FieldProblem] = []
    for index, kind in enumerate(events):
        if isinstance(kind, str) and kind.startswith("provider.") and len(kind) > len("provider."):
            found = [kind[len("provider.") :]]
        else:
            found = [name for name, unified in spec.events.types.items() if unified == kind]
        if not found:
            known = sorted(set(spec.events.types.values()))
            problems.append(
                FieldProblem(
                    f"events.{index}", f"unknown event type {kind!r}; known: {', '.join(known)}"
                )
            )
        names.extend(name for name in found if name not in names)
    if problems:
        raise ValidationError("unknown webhook event types", details=problems)
    return names


def _describe(mapping: ProviderMapping, record: Any) -> dict[str, Any]:
    _, subs = subscription_spec(mapping)
    if not isinstance(record, dict):
        raise RemoteError(
            "the provider's webhook record is not an object", remote=True, raw_response=record
        )
    names = mapping.expression(subs.events_path).search(record) or []
    described: dict[str, Any] = {
        "id": str(mapping.expression(subs.id_path).search(record)),
        "url": mapping.expression(subs.url_path).search(record),
        "events": _unified_events(mapping, names),
        "provider_events": list(names),
    }
    if subs.secret_path is not None:
        secret = mapping.expression(subs.secret_path).search(record)
        if secret:
            described["secret"] = str(secret)
    return described


def subscribe_plan(
    mapping: ProviderMapping,
    url: str,
    events: list[str],
    name: str | None = None,
    batchable: bool | None = None,
    token: str | None = None,
    settings: Mapping[str, Any] | None = None,
) -> Plan[dict[str, Any]]:
    """Create a webhook; returns `{id, url, events, provider_events, secret?}`.

    For a provider with `signature.type: url_token`, `token` is added to the URL the provider
    will call and returned as the `secret` (store it to verify deliveries)."""
    spec, subs = subscription_spec(mapping)
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise ValidationError(
            "url must be an http(s) URL", details=[FieldProblem("url", "must be an http(s) URL")]
        )
    if spec.signature.type == "url_token":
        if not token:
            raise ConfigurationError("a webhook token is needed to subscribe (url_token)")
        url = with_url_token(spec.signature, url, token)
    names = provider_events(mapping, events)
    batch_only = set(subs.batch_only_events) & set(names)
    if batchable is False and batch_only:
        raise ValidationError(
            "these events are only delivered in batches; batchable cannot be false",
            details=[
                FieldProblem("batchable", "must be true for " + ", ".join(sorted(batch_only)))
            ],
        )
    subscribed = list(dict.fromkeys(subs.subscription_names.get(n, n) for n in names))
    data = {
        "url": url,
        "events": subscribed,
        "name": name,
        "batchable": bool(batchable or batch_only),
    }
    if subs.per_event:
        described = yield from per_event.subscribe_each(
            mapping, spec, partial(create_body, mapping, subs), data, _values(settings), _describe
        )
    else:
        response = yield fixed_request(
            mapping,
            subs.create,
            values=_values(settings),
            body=create_body(mapping, subs, data),
            purpose="webhooks.subscribe",
        )
        raise_for_response(mapping, response, what="webhooks.subscribe")
        record = mapping.expression(subs.record_path).search(response.body)
        described = _as_sent(_describe(mapping, record), data, mapping)
    if token is not None:
        described["secret"] = token
    return described


def _as_sent(
    described: dict[str, Any], data: dict[str, Any], mapping: ProviderMapping
) -> dict[str, Any]:
    """A create answer that gives only the new id (`201 {"id": 7}`) is completed with the
    URL and events that were sent."""
    if described["url"] is None:
        described["url"] = data["url"]
    if not described["provider_events"]:
        described["provider_events"] = list(data["events"])
        described["events"] = _unified_events(mapping, data["events"])
    return described


def _unified_events(mapping: ProviderMapping, names: list[Any]) -> list[str]:
    """Unified types of the event names a subscription API uses (`subscription_names`
    read backwards), each once."""
    spec, subs = subscription_spec(mapping)
    delivered = {subscribed: name for name, subscribed in subs.subscription_names.items()}
    return list(dict.fromkeys(unified_type(spec, delivered.get(n, n)) for n in names))


def create_body(
    mapping: ProviderMapping, subs: WebhookSubscriptionSpec, source: dict[str, Any]
) -> dict[str, Any]:
    """The create request's body from `create_body` over `source` (null values left out)."""
    found = {key: mapping.expression(e).search(source) for key, e in subs.create_body.items()}
    return {key: value for key, value in found.items() if value is not None}


def new_token(mapping: ProviderMapping) -> str | None:
    """A fresh random URL token when the provider authenticates deliveries by one."""
    signature = webhook_spec(mapping).signature
    return secrets.token_urlsafe(32) if signature.type == "url_token" else None


def _values(settings: Mapping[str, Any] | None, **names: str) -> dict[str, Any]:
    """Template values of a webhook-management path: `settings` plus any names (`id`)."""
    return {"settings": dict(settings or {}), **names}


def list_plan(
    mapping: ProviderMapping, settings: Mapping[str, Any] | None = None
) -> Plan[list[dict[str, Any]]]:
    """Every webhook of the account (one page of up to the list request's limit)."""
    _, subs = subscription_spec(mapping)
    response = yield fixed_request(
        mapping, subs.list, values=_values(settings), purpose="webhooks.list"
    )
    raise_for_response(mapping, response, what="webhooks.list")
    records = mapping.expression(subs.records_path).search(response.body) or []
    described = [_describe(mapping, record) for record in records]
    return per_event.group(webhook_spec(mapping), described) if subs.per_event else described


def unsubscribe_plan(
    mapping: ProviderMapping, webhook_id: str, settings: Mapping[str, Any] | None = None
) -> Plan[dict[str, Any]]:
    """Delete a webhook; returns `{"id": ...}` (an unknown id raises not_found)."""
    _, subs = subscription_spec(mapping)
    if subs.per_event:
        return (
            yield from per_event.unsubscribe_each(mapping, subs, _values(settings), str(webhook_id))
        )
    response = yield fixed_request(
        mapping,
        subs.delete,
        values=_values(settings, id=str(webhook_id)),
        purpose="webhooks.unsubscribe",
    )
    raise_for_response(mapping, response, what="webhooks.unsubscribe")
    return {"id": str(webhook_id)}


def _store_secret(
    mapping: ProviderMapping,
    result: dict[str, Any],
    store: AccountStore | None,
    account_id: str | None,
) -> None:
    if (store is None) != (account_id is None):
        raise ConfigurationError("give both store= and account_id= to keep the webhook secret")
    if store is None or account_id is None:
        return
    secret = result.get("secret")
    if not secret:
        raise RemoteError("the provider returned no webhook secret to store", remote=True)
    spec = webhook_spec(mapping)
    store.set_secret_metadata(account_id, spec.signature.secret, Secret(str(secret)))


class Subscriptions:
    """`connection.webhooks` on a blocking connection."""

    def __init__(
        self,
        mapping: ProviderMapping,
        send: SyncSend,
        settings: Mapping[str, Any] | None = None,
    ) -> None:
        self._mapping = mapping
        self._send = send
        self._settings = dict(settings or {})

    def __repr__(self) -> str:
        return f"Subscriptions(provider={self._mapping.name!r})"

    def subscribe(
        self,
        url: str,
        events: list[str],
        name: str | None = None,
        *,
        batchable: bool | None = None,
        store: AccountStore | None = None,
        account_id: str | None = None,
    ) -> dict[str, Any]:
        """Create a provider webhook for unified event types; with `store` and `account_id`
        its secret is kept (encrypted) as the account's `webhook_secret` secret metadata."""
        mapping = self._mapping
        result = run_sync(
            subscribe_plan(
                mapping, url, events, name, batchable, new_token(mapping), self._settings
            ),
            self._send,
        )
        _store_secret(mapping, result, store, account_id)
        return result

    def list(self) -> list[dict[str, Any]]:
        """The account's webhooks as `{id, url, events, provider_events, secret?}`."""
        return run_sync(list_plan(self._mapping, self._settings), self._send)

    def unsubscribe(self, webhook_id: str) -> dict[str, Any]:
        """Delete a webhook by id."""
        return run_sync(
            unsubscribe_plan(self._mapping, webhook_id, self._settings),
            self._send,
        )


class AsyncSubscriptions:
    """`connection.webhooks` on an async connection (same surface, awaitable)."""

    def __init__(
        self,
        mapping: ProviderMapping,
        send: AsyncSend,
        settings: Mapping[str, Any] | None = None,
    ) -> None:
        self._mapping = mapping
        self._send = send
        self._settings = dict(settings or {})

    def __repr__(self) -> str:
        return f"AsyncSubscriptions(provider={self._mapping.name!r})"

    async def subscribe(
        self,
        url: str,
        events: list[str],
        name: str | None = None,
        *,
        batchable: bool | None = None,
        store: AccountStore | None = None,
        account_id: str | None = None,
    ) -> dict[str, Any]:
        """See `Subscriptions.subscribe` (the secret is stored from a worker thread: a
        blocking account store never stalls the event loop)."""
        mapping = self._mapping
        result = await run_async(
            subscribe_plan(
                mapping, url, events, name, batchable, new_token(mapping), self._settings
            ),
            self._send,
        )
        await asyncio.to_thread(_store_secret, mapping, result, store, account_id)
        return result

    async def list(self) -> list[dict[str, Any]]:
        """See `Subscriptions.list`."""
        return await run_async(list_plan(self._mapping, self._settings), self._send)

    async def unsubscribe(self, webhook_id: str) -> dict[str, Any]:
        """See `Subscriptions.unsubscribe`."""
        return await run_async(
            unsubscribe_plan(self._mapping, webhook_id, self._settings),
            self._send,
        )
