"""Cross-reference checks of a provider's `webhooks` section.

Unified event types exist; every event has a way to be named (`type_path` or `type_param`);
an event name in the URL needs one webhook per event; the create body reads only its inputs;
management paths are filled; settings the runtime would ignore are refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.format.provider import ProviderFile, WebhookSpec
from engine.loader.problems import DataPath
from engine.suggest import did_you_mean
from engine.unified import schemas as unified

if TYPE_CHECKING:
    from engine.loader.checks import _Checker

CREATE_INPUTS = frozenset({"url", "events", "name", "batchable"})
"""What a create body's expressions may read (plus `event` with `per_event`)."""


def check_webhooks(checker: _Checker, provider: ProviderFile) -> None:
    """Report every problem of `provider.webhooks` (which must be set)."""
    hooks = provider.webhooks
    assert hooks is not None
    event_types = unified.event_types()
    for name, unified_type in hooks.events.types.items():
        if unified_type not in event_types:
            checker.report(
                ("webhooks", "events", "types", name),
                f"unknown unified event type '{unified_type}'"
                f"{did_you_mean(unified_type, sorted(event_types))}",
            )
    _check_event_names(checker, hooks)
    subs = hooks.subscriptions
    if subs is None:
        return
    base: DataPath = ("webhooks", "subscriptions")
    # Webhook management requests carry the connection's settings (an audience, say).
    for name, request, fillers in (
        ("create", subs.create, set()),
        ("list", subs.list, set()),
        ("delete", subs.delete, {"id"}),
    ):
        checker.template((*base, name, "path"), request.path, fillers, "webhook id", is_path=True)
        if request.buckets:
            buckets = {b.name for b in provider.rate_limits.buckets}
            checker.names_exist(
                (*base, name, "buckets"), request.buckets, buckets, "rate-limit bucket"
            )
    for name in subs.subscription_names:
        if name not in hooks.events.types:
            checker.report(
                (*base, "subscription_names", name),
                f"'{name}' is not an event of 'events.types'"
                f"{did_you_mean(name, sorted(hooks.events.types))}",
            )
    if subs.secret_path is not None and hooks.signature.type == "url_token":
        checker.report(
            (*base, "secret_path"),
            "'secret_path' is unused with a url_token signature (the engine makes the token)",
        )
    inputs = CREATE_INPUTS | ({"event"} if subs.per_event else set())
    for key, source in subs.create_body.items():
        path: DataPath = (*base, "create_body", key)
        compiled = checker.expression(path, source)
        if compiled is None:
            continue
        checker.settings_exist(path, source)
        for read in sorted(compiled.root_fields - inputs - {"settings"}):
            hint = (
                " (only given with 'per_event: true')"
                if read == "event"
                else did_you_mean(read, sorted(inputs))
            )
            checker.report(path, f"reads '{read}', which is not a create input{hint}")


def _check_event_names(checker: _Checker, hooks: WebhookSpec) -> None:
    events = hooks.events
    base: DataPath = ("webhooks", "events")
    if events.type_path is None and events.type_param is None:
        checker.report(base, "give 'type_path' or 'type_param': nothing names an event's type")
    param = events.type_param
    if param is None:
        return
    if hooks.subscriptions is not None and not hooks.subscriptions.per_event:
        checker.report(
            (*base, "type_param"),
            "'type_param' needs 'subscriptions.per_event: true' (a webhook's URL can name "
            "only the one event it carries)",
        )
    if hooks.signature.type == "url_token" and hooks.signature.param == param:
        checker.report(
            (*base, "type_param"), f"'{param}' is already the url_token parameter of the signature"
        )
