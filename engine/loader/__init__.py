"""Loading and validating mapping files with located, collected problems."""

from engine.loader.load import LoadResult, ProviderMapping, load_mappings
from engine.loader.problems import Problem

__all__ = ["LoadResult", "Problem", "ProviderMapping", "load_mappings"]
