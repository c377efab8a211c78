"""A page read in chunks (`PendingPage`): each chunk is mapped when it is reached, and the
chunks together are exactly the page mapped at once."""

from __future__ import annotations

from typing import Any

from engine.loader import ProviderMapping
from engine.plan.pending import PendingPage
from engine.plan.records import RecordMapper


def _subscribers(count: int) -> list[dict[str, Any]]:
    return [
        {"id": 1000 + n, "email_address": f"s{n}@example.com", "first_name": f"S{n}",
         "state": "active", "created_at": "2025-11-30T21:57:42Z", "fields": {"last_name": ""},
         "tags": [{"id": 7, "name": "vip"}]}
        for n in range(count)
    ]  # fmt: skip


class _Counting(RecordMapper):
    """A mapper that remembers how many records each `map_many` call mapped."""

    calls: list[int]

    def map_many(self, records: list[Any], *, remote_data: bool = True) -> list[dict[str, Any]]:
        self.calls.append(len(records))
        return super().map_many(records, remote_data=remote_data)


def _mapper(bundled_providers: dict[str, ProviderMapping]) -> _Counting:
    kit = bundled_providers["kit"]
    mapper = _Counting(kit, "contacts", kit.resources["contacts"].fields)
    mapper.calls = []
    return mapper


def test_each_chunk_is_mapped_when_it_is_reached(bundled_providers) -> None:
    mapper = _mapper(bundled_providers)
    chunks = PendingPage(_subscribers(70), mapper).chunks(32)

    first = next(chunks)

    assert [len(first), mapper.calls] == [32, [32]]
    assert [len(chunk) for chunk in chunks] == [32, 6]
    assert mapper.calls == [32, 32, 6]


def test_the_chunks_are_the_page_mapped_at_once(bundled_providers) -> None:
    raw = _subscribers(70)
    mapper = _mapper(bundled_providers)

    chunked = [record for chunk in PendingPage(raw, mapper).chunks(32) for record in chunk]

    assert chunked == mapper.map_many(raw)
    assert chunked[0]["last_name"] is None and chunked[0]["remote_data"] is raw[0]


def test_a_page_of_unified_records_is_handed_out_whole() -> None:
    records = [{"id": "1"}, {"id": "2"}]

    assert list(PendingPage.of_unified(records).chunks(1)) == [records]
    assert list(PendingPage.of_unified([]).chunks(1)) == []
