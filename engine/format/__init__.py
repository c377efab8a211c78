"""The mapping language v1, defined once as pydantic models.

Everything else about the format (the JSON Schema in `schemas/mapping.schema.json`, the
reference tables in `docs/`) is generated from these models. The two root models are
imported on first use (PEP 562), so `engine.format.frozen` (what loaded mappings run on)
can be imported without pydantic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.lazy import lazy_exports

if TYPE_CHECKING:
    from engine.format.provider import ProviderFile
    from engine.format.resource import ResourceFile

_WHERE = {"ProviderFile": "engine.format.provider", "ResourceFile": "engine.format.resource"}

__all__ = ["ProviderFile", "ResourceFile"]


__getattr__ = lazy_exports(__name__, _WHERE)
