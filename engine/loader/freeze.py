"""Turn validated format models into their read-only twins (`engine.format.frozen`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from engine.format.frozen import rebuild
from engine.loader.mapping import ProviderMapping


def freeze(value: Any) -> Any:
    """`value` with every model in it, at any depth, replaced by its twin (lists, tuples and
    dicts are copied; everything else is kept as it is)."""
    if isinstance(value, BaseModel):
        model = type(value)
        fields = tuple(model.model_fields)
        values = tuple(freeze(getattr(value, name)) for name in fields)
        return rebuild(f"{model.__module__}.{model.__qualname__}", fields, values)
    if isinstance(value, list):
        return [freeze(item) for item in value]
    if isinstance(value, dict):
        return {key: freeze(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return tuple(freeze(item) for item in value)
    return value


def freeze_mapping(mapping: ProviderMapping) -> ProviderMapping:
    """A new `ProviderMapping` of the same folder holding the twins of its files."""
    resources = {name: freeze(resource) for name, resource in mapping.resources.items()}
    return ProviderMapping(mapping.folder, freeze(mapping.provider), resources)
