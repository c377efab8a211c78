"""Resolving a unified call (resource, method) to its mapping, and shared call state."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine.errors import ConfigurationError, NotSupportedError
from engine.loader import ProviderMapping
from engine.plan.records import RecordMapper
from engine.plan.scope import ParentRef, RecordIdentity
from engine.suggest import did_you_mean
from engine.unified import schemas as unified

if TYPE_CHECKING:
    from engine.format.resource import Operation, ResourceFile


@dataclass
class ConnectionCache:
    """Per-connection memory shared by calls: custom-field keys, record mappers."""

    custom_field_keys: dict[str, frozenset[str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class CallContext:
    """Everything a plan needs to know about one unified call."""

    mapping: ProviderMapping
    resource: ResourceFile
    method: str
    operation: Operation
    cursor_key: bytes
    cache: ConnectionCache
    remote_data: bool = True
    settings: Mapping[str, Any] = field(default_factory=dict)
    """The connection settings (declared defaults applied), read as `settings.<name>`."""

    @property
    def name(self) -> str:
        """`resource.method`, for messages."""
        return f"{self.resource.resource}.{self.method}"

    def mapper(
        self, fields: dict[str, str] | None = None, scope: ParentRef | None = None
    ) -> RecordMapper:
        """The record mapper of this call (the operation's fields, else the resource's);
        `scope` is the parent the records are read under, if any."""
        chosen = fields or self.operation.response.fields or self.resource.fields
        identity = (
            RecordIdentity(self.mapping, self.resource)
            if RecordIdentity.needed(self.resource)
            else None
        )
        return RecordMapper(self.mapping, self.resource.resource, chosen, identity, scope)

    def for_method(self, method: str) -> CallContext:
        """A context for another method of the same resource."""
        return resolve(
            self.mapping,
            self.resource.resource,
            method,
            self.cursor_key,
            self.cache,
            self.remote_data,
            self.settings,
        )

    def scope(self, data: Any, values: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """What a request's templates and expressions read: the input (`data`: filters or the
        unified body), the path values (`id`, step and item names) and `settings`."""
        scope = dict(data) if isinstance(data, Mapping) else {}
        scope.update({k: v for k, v in (values or {}).items() if v is not None})
        scope["settings"] = dict(self.settings)
        return scope


def resolve(
    mapping: ProviderMapping,
    resource: str,
    method: str,
    cursor_key: bytes,
    cache: ConnectionCache,
    remote_data: bool = True,
    settings: Mapping[str, Any] | None = None,
) -> CallContext:
    """Find the operation for `resource.method`, or raise a clear error."""
    known = unified.callable_resources()
    if resource not in known:
        raise ConfigurationError(f"unknown resource '{resource}'{did_you_mean(resource, known)}")
    methods = unified.methods(resource)
    if method not in methods:
        raise ConfigurationError(
            f"unknown method '{method}' for {resource}{did_you_mean(method, methods)}; "
            f"its methods: {', '.join(methods)}"
        )
    resource_file = mapping.resources.get(resource)
    if resource_file is None:
        raise NotSupportedError(operation=resource, provider=mapping.provider.label)
    operation = resource_file.operations.get(method)
    if operation is None:
        raise NotSupportedError(operation=f"{resource}.{method}", provider=mapping.provider.label)
    if operation.not_supported is not None:
        raise NotSupportedError(
            f"{resource}.{method} is not supported by {mapping.provider.label}: "
            f"{operation.not_supported}",
            operation=f"{resource}.{method}",
            provider=mapping.provider.label,
        )
    return CallContext(
        mapping, resource_file, method, operation, cursor_key, cache, remote_data, settings or {}
    )
