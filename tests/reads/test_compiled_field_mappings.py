"""Every bundled field mapping, as one generated function, maps records exactly as the
per-field closures do: on every provider's simulator records, on the recorded examples kept
beside the mappings, and on those records with their values knocked out one by one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache, partial
from typing import Any

import pytest

from engine.api import Engine
from engine.loader import ProviderMapping
from engine.plan.records import RecordMapper
from engine.unified.blanks import blank_to_null
from simulators.testing import Sandbox

KNOCKOUTS: tuple[Any, ...] = ("", None, 0, "x", [], {}, True)
"""What each value of a record is replaced by in turn (blank, missing, wrong types)."""


@cache
def _engine() -> Engine:
    return Engine.load()


def _cases() -> list[tuple[str, str]]:
    return [
        (provider, resource)
        for provider, mapping in sorted(_engine().providers.items())
        for resource in sorted(mapping.resources)
    ]


@cache
def _simulator_records(provider: str) -> dict[str, list[Any]]:
    """The raw records of every listable resource of `provider`'s seeded simulator."""
    sandbox = Sandbox(provider, contacts=25, lists=3, segments=2, rate_limits=False)
    connection = sandbox.connect()
    found: dict[str, list[Any]] = {}
    for resource, resource_file in _engine().mapping(provider).resources.items():
        if "list" in resource_file.operations:
            items = connection.iterate(resource, {})
            found[resource] = [item["remote_data"] for item in items]
    return found


def _example_records(mapping: ProviderMapping, resource: str) -> list[Any]:
    """The records of the recorded example responses kept beside the mapping."""
    records: list[Any] = []
    for path in sorted((mapping.folder / "examples").glob(f"{resource}.*.json")):
        body = json.loads(path.read_text())
        data = body.get("data") if isinstance(body, dict) else body
        records.extend(data if isinstance(data, list) else [data])
    return records


def _knocked_out(record: Any) -> Iterator[Any]:
    """`record` with one value (at any depth) replaced by each of `KNOCKOUTS`."""
    if isinstance(record, dict):
        for key, value in record.items():
            for replacement in (*KNOCKOUTS, *_knocked_out(value)):
                yield {**record, key: replacement}
    elif isinstance(record, list):
        for index, value in enumerate(record):
            for replacement in (*KNOCKOUTS, *_knocked_out(value)):
                yield [*record[:index], replacement, *record[index + 1 :]]


def _outcome(run: Any) -> tuple[str, Any]:
    try:
        return "value", repr(run())
    except Exception:  # the generated code may fail only where the closures fail
        return "error", None


def _field_mappings(mapping: ProviderMapping, resource: str) -> list[dict[str, str]]:
    """The resource's fields, and the parts of its composite id (both run as generated
    functions over the provider's record)."""
    resource_file = mapping.resources[resource]
    found = [dict(resource_file.fields)]
    if resource_file.composite_id is not None:
        found.append(dict(resource_file.composite_id.from_record))
    return found


@pytest.mark.parametrize(("provider", "resource"), _cases())
def test_generated_field_mapping_maps_records_as_the_closures_do(
    provider: str, resource: str
) -> None:
    """Same unified record (values and types) from the generated function over the raw record
    as from the closures over the record with its blanks read as null, for every record and
    every knocked-out variant of it."""
    mapping = _engine().mapping(provider)
    records = _simulator_records(provider).get(resource, []) + _example_records(mapping, resource)
    assert records, f"{provider}.{resource}: no records to compare on"
    checked = 0
    for fields in _field_mappings(mapping, resource):
        mapper = RecordMapper(mapping, resource, fields, generated=False)
        program = mapping.record_program(fields)
        assert program is not None, f"{provider}.{resource}: no generated code"
        for record in records:
            for variant in (record, *_knocked_out(record)):
                assert _outcome(partial(program, variant)) == _outcome(
                    partial(mapper.interpret, blank_to_null(variant))
                ), (provider, resource, variant)
                checked += 1
    assert checked > len(records)
