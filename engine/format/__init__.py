"""The mapping language v1, defined once as pydantic models.

Everything else about the format (the JSON Schema in `schemas/mapping.schema.json`, the
reference tables in `docs/`) is generated from these models.
"""

from engine.format.provider import ProviderFile
from engine.format.resource import ResourceFile

__all__ = ["ProviderFile", "ResourceFile"]
