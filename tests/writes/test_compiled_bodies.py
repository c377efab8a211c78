"""Every request body of every bundled mapping, built by its generated function, equals the
body the key-by-key loop builds: for whole unified records, for every single field alone
(the PATCH rule), and for records with one value knocked out."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache, partial
from typing import Any

import pytest

from engine.api import Engine
from engine.format.common import RequestSpec
from engine.format.frozen import Frozen
from engine.loader import ProviderMapping
from engine.plan.bodies import _program, interpret_body
from engine.plan.records import RecordMapper
from engine.unified import schemas
from simulators.testing import Sandbox

KNOCKOUTS: tuple[Any, ...] = (None, "", 0, "x", [], {}, [{}], True)


@cache
def _engine() -> Engine:
    return Engine.load()


REQUEST_SPEC = f"{RequestSpec.__module__}.{RequestSpec.__qualname__}"


def _specs(model: Any) -> Iterator[RequestSpec]:
    """Every request spec with a body inside a loaded mapping (the models' read-only twins),
    at any depth."""
    if isinstance(model, Frozen):
        if model._origin == REQUEST_SPEC and (model.body is not None or model.body_always):
            yield model
        for name in model._fields:
            yield from _specs(getattr(model, name))
    elif isinstance(model, dict):
        for value in model.values():
            yield from _specs(value)
    elif isinstance(model, list | tuple):
        for value in model:
            yield from _specs(value)


def _cases() -> list[tuple[str, str]]:
    return [
        (provider, resource)
        for provider, mapping in sorted(_engine().providers.items())
        for resource, resource_file in sorted(mapping.resources.items())
        if any(True for _ in _specs(resource_file))
    ]


@cache
def _unified_records(provider: str, resource: str) -> list[dict[str, Any]]:
    """Unified records of `resource` mapped from the provider's seeded simulator."""
    mapping = _engine().mapping(provider)
    resource_file = mapping.resources[resource]
    if "list" not in resource_file.operations:
        return []
    sandbox = Sandbox(provider, contacts=6, lists=2, segments=1, rate_limits=False)
    items = sandbox.connect().iterate(resource, {}, remote_data=False)
    return [dict(item) for item in items]


def _inputs(
    mapping: ProviderMapping, resource: str, records: list[dict[str, Any]]
) -> Iterator[Any]:
    settings = {setting.name: setting.default for setting in mapping.provider.settings}
    context = {"id": "123", "list_id": "L1", "settings": settings}
    fields = schemas.resource_fields(resource)
    for record in records:
        writable = {k: v for k, v in record.items() if k in fields}
        yield {**writable, **context}
        for key, value in writable.items():
            yield {key: value, **context}
            for knocked in KNOCKOUTS:
                yield {**writable, key: knocked, **context}
    yield dict(context)


def _outcome(run: Any) -> tuple[str, Any]:
    try:
        return "value", repr(run())
    except Exception as exc:  # the generated function fails only where the loop fails
        return "error", type(exc).__name__


def test_every_provider_has_request_bodies_to_compare() -> None:
    assert {provider for provider, _ in _cases()} == set(_engine().providers)


@pytest.mark.parametrize(("provider", "resource"), _cases())
def test_generated_body_builds_what_the_key_by_key_loop_builds(
    provider: str, resource: str
) -> None:
    """Same body (values and types), or the same class of error, for every input."""
    mapping = _engine().mapping(provider)
    specs = list(_specs(mapping.resources[resource]))
    records = _unified_records(provider, resource)
    checked = 0
    for spec in specs:
        program = _program(mapping, spec.body, spec.body_always)
        assert program is not None, f"{provider}.{resource}: no generated body"
        reference = partial(interpret_body, mapping, spec.body, spec.body_always)
        for data in _inputs(mapping, resource, records):
            expected = _outcome(partial(reference, data))
            assert _outcome(partial(program, data)) == expected, (provider, resource, data)
            checked += 1
    assert checked >= len(specs)


def test_the_body_never_shares_a_container_with_the_input() -> None:
    """A list or object from the input is copied into the body, not referenced."""
    mapping = _engine().mapping("mailerlite")
    spec = mapping.resources["contacts"].operations["upsert"].request
    custom = {"company": "ACME"}
    body = _program(mapping, spec.body, spec.body_always)(
        {"email": "a@b.co", "custom_fields": custom}
    )
    assert body["fields"] == {"company": "ACME"}
    assert body["fields"] is not custom


def test_a_field_mapping_is_generated_once_per_mapping() -> None:
    """Every mapper of the same fields runs the one function generated for them."""
    mapping = _engine().mapping("mailerlite")
    fields = mapping.resources["contacts"].fields
    assert RecordMapper(mapping, "contacts", fields)._program is mapping.record_program(fields)


@pytest.mark.parametrize("generated", [True, False], ids=["generated", "key_by_key"])
def test_changing_one_bodys_literal_leaves_the_next_body_untouched(generated: bool) -> None:
    """A list or object written as a literal in a body key is copied into each body."""
    mapping = _engine().mapping("mailerlite")
    always = {"groups": '`["newsletter"]`', "fields": 'custom_fields || `{"source": "api"}`'}
    build = (
        _program(mapping, None, always)
        if generated
        else partial(interpret_body, mapping, None, always)
    )
    assert build is not None
    first = build({"email": "a@b.co"})
    first["groups"].append("vip")
    first["fields"]["source"] = "changed"
    assert build({"email": "c@d.co"}) == {"groups": ["newsletter"], "fields": {"source": "api"}}
