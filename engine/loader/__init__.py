"""Loading and validating mapping files with located, collected problems."""

from engine.loader.load import (
    LoadResult,
    ProviderMapping,
    Replacement,
    env_mapping_folders,
    load_layers,
    load_mappings,
)
from engine.loader.problems import Problem

__all__ = [
    "LoadResult",
    "Problem",
    "ProviderMapping",
    "Replacement",
    "env_mapping_folders",
    "load_layers",
    "load_mappings",
]
