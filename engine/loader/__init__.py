"""Loading and validating mapping files with located, collected problems."""

from engine.loader.load import (
    LoadResult,
    ProviderMapping,
    Replacement,
    load_layers,
    load_mappings,
)
from engine.loader.problems import Problem
from engine.paths import env_mapping_folders

__all__ = [
    "LoadResult",
    "Problem",
    "ProviderMapping",
    "Replacement",
    "env_mapping_folders",
    "load_layers",
    "load_mappings",
]
