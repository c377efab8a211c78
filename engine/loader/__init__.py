"""Loading and validating mapping files with located, collected problems.

The names below are imported on first use (PEP 562), so `engine.loader.cache` and the
command line can be imported without the mapping models (pydantic, the checks).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.lazy import lazy_exports

if TYPE_CHECKING:
    from engine.loader.load import load_layers, load_mappings
    from engine.loader.mapping import LoadResult, ProviderMapping, Replacement
    from engine.loader.problems import Problem
    from engine.paths import env_mapping_folders

_WHERE = {
    "LoadResult": "engine.loader.mapping",
    "ProviderMapping": "engine.loader.mapping",
    "Replacement": "engine.loader.mapping",
    "load_layers": "engine.loader.load",
    "load_mappings": "engine.loader.load",
    "Problem": "engine.loader.problems",
    "env_mapping_folders": "engine.paths",
}

__all__ = [
    "LoadResult",
    "Problem",
    "ProviderMapping",
    "Replacement",
    "env_mapping_folders",
    "load_layers",
    "load_mappings",
]


__getattr__ = lazy_exports(__name__, _WHERE)
