"""A page of a listing whose records are mapped when they are read, a few at a time.

`Connection.iterate` hands records out one by one: mapping a whole page first would keep a
page of unified records alive while they are made, and every one of them would survive the
garbage collector's young generations and be promoted, to be swept again by the costly full
collections (about a sixth of the listing's time on small records). Mapped `MAPPED_AT_ONCE` at a
time, the unified records are made, handed out and dropped before they are swept.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.plan.records import RecordMapper

MAPPED_AT_ONCE = 32
"""Records mapped together when a page is read in chunks: few enough that their unified
records stay under the collector's young-generation threshold (700 objects) and in the
processor's nearest caches while they are handed out, many enough that the per-chunk cost
(one warnings collector, one enrichment step) is spread thin. Listing 20,000 small records
against the replay server (benchmarks/README.md), chunks of 16 or 32 ran ~6% faster than
chunks of 8 or 64, and 32 took the fewest instructions (1,176 M a pass; 1,184 M with 16,
1,232 M with whole pages)."""


class PendingPage:
    """One page's records: provider records with the mapper that maps them, or records
    already unified (a page that had to be mapped to be read, e.g. for its composite ids)."""

    def __init__(
        self, records: list[Any], mapper: RecordMapper | None = None, *, remote_data: bool = True
    ) -> None:
        self._records = records
        self._mapper = mapper
        self._remote_data = remote_data

    @classmethod
    def of_unified(cls, records: list[dict[str, Any]]) -> PendingPage:
        """A page whose records are already unified."""
        return cls(records)

    def all(self) -> list[dict[str, Any]]:
        """Every record of the page, unified."""
        if self._mapper is None:
            return self._records
        return self._mapper.map_many(self._records, remote_data=self._remote_data)

    def chunks(self, size: int | None = MAPPED_AT_ONCE) -> Iterator[list[dict[str, Any]]]:
        """The unified records in chunks of `size` (None: the whole page at once), each
        mapped when it is reached."""
        records, mapper = self._records, self._mapper
        if mapper is None or size is None or len(records) <= size:
            if records:
                yield self.all()
            return
        for start in range(0, len(records), size):
            yield mapper.map_many(records[start : start + size], remote_data=self._remote_data)
