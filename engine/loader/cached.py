"""Loading mapping layers through the on-disk cache (`engine.loader.cache`).

`load_layers_cached` gives the `LoadResult` the engine runs on; `validation_summary` gives
what `unimap validate` prints, from the cache without importing the mapping models when it
can. Both load from the files (and store the outcome) on a miss.
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.loader.cache import MappingCache, layers_key

if TYPE_CHECKING:
    from engine.loader.mapping import LoadResult


def summarize(result: LoadResult) -> dict[str, Any]:
    """The JSON summary of a load: problems, notes, replacements, files and providers."""
    return {
        "problems": [problem.to_dict() for problem in result.problems],
        "replaced": [replacement.to_text() for replacement in result.replaced],
        "notes": list(result.notes),
        "files": len(result.files),
        "providers": sorted(result.providers),
    }


def _load_and_store(
    layers: Sequence[Sequence[Path]], cache: MappingCache | None, key: str | None
) -> LoadResult:
    from engine.loader.load import load_layers

    result = load_layers(layers)
    # Stored only when the files did not change while they were read.
    if cache is not None and key is not None and layers_key(layers) == key:
        cache.write("result", key, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        cache.write("summary", key, json.dumps(summarize(result)).encode())
    return result


def load_layers_cached(layers: Sequence[Sequence[Path]]) -> LoadResult:
    """`load_layers(layers)`, read from the cache when these files were loaded before."""
    cache = MappingCache.open()
    key = layers_key(layers) if cache is not None else None
    if cache is not None and key is not None:
        payload = cache.read("result", key)
        if payload is not None:
            from engine.loader.mapping import LoadResult

            try:
                result = pickle.loads(payload)
            except Exception:  # an entry this engine cannot read: load again
                result = None
            if isinstance(result, LoadResult):
                return result
    return _load_and_store(layers, cache, key)


def validation_summary(layers: Sequence[Sequence[Path]]) -> dict[str, Any]:
    """`summarize(load_layers(layers))`, read from the cache when it can be."""
    cache = MappingCache.open()
    key = layers_key(layers) if cache is not None else None
    if cache is not None and key is not None:
        payload = cache.read("summary", key)
        if payload is not None:
            try:
                summary: dict[str, Any] = json.loads(payload)
                return summary
            except ValueError:
                pass
    return summarize(_load_and_store(layers, cache, key))
