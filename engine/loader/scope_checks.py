"""Checks of parent-scoped resources (`parent`) and composite ids (`composite_id`).

Within one resource file: every part has an expression, `fields.id` is not also mapped, the
parent filter is a filter of `list` and a part of the composite id, the membership field is a
unified list field not mapped otherwise. Across files: the parent resource is mapped with a
`list` of its own and is not itself parent-scoped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from engine.format.resource import ResourceFile
from engine.loader.examples import ResourceSource
from engine.loader.problems import Problem, format_path
from engine.unified import schemas as unified

if TYPE_CHECKING:
    from engine.loader.checks import _Checker


def id_parts(resource: ResourceFile) -> set[str]:
    """Placeholders a composite id gives to the paths of methods taking an id."""
    return set(resource.composite_id.parts) if resource.composite_id else set()


def mapped_fields(resource: ResourceFile) -> set[str]:
    """Unified fields the file fills: `fields`, plus `id` (composite) and the membership field."""
    mapped = set(resource.fields)
    if resource.composite_id is not None:
        mapped.add("id")
    if resource.parent is not None and resource.parent.membership_field:
        mapped.add(resource.parent.membership_field)
    return mapped


def check_scope(checker: _Checker, resource: ResourceFile, record_fields: set[str]) -> None:
    """Per-file problems of `parent` and `composite_id`."""
    composite = resource.composite_id
    if composite is not None:
        base = ("composite_id", "from_record")
        for part in composite.parts:
            if part not in composite.from_record:
                checker.report(base, f"part '{part}' has no expression", key=True)
        for name in composite.from_record:
            if name not in composite.parts:
                checker.report((*base, name), f"'{name}' is not one of parts", key=True)
        if "id" in resource.fields:
            message = "the id is built from composite_id; remove fields.id"
            checker.report(("fields", "id"), message, key=True)
    if resource.parent is not None:
        _check_parent(checker, resource, record_fields)


def _check_parent(checker: _Checker, resource: ResourceFile, record_fields: set[str]) -> None:
    parent = resource.parent
    assert parent is not None
    known = [r for r in unified.resources() if r != "events"]
    if parent.resource == resource.resource:
        checker.report(("parent", "resource"), "a resource cannot be its own parent")
    elif parent.resource not in known:
        checker.report(("parent", "resource"), f"unknown unified resource '{parent.resource}'")
    listing = resource.operations.get("list")
    supported = listing is not None and listing.not_supported is None
    if supported and listing is not None and parent.filter not in listing.filters:
        message = f"'{parent.filter}' must be one of operations.list.filters"
        checker.report(("parent", "filter"), message)
    if resource.composite_id is not None and parent.filter not in resource.composite_id.parts:
        message = f"'{parent.filter}' must be one of composite_id.parts"
        checker.report(("parent", "filter"), message)
    field = parent.membership_field
    if field is not None:
        path = ("parent", "membership_field")
        if field not in record_fields:
            checker.report(path, f"unknown unified field '{field}'")
        elif field in resource.fields:
            checker.report(path, f"'{field}' is filled from the parent; remove fields.{field}")


def check_parent_links(sources: Mapping[str, ResourceSource]) -> list[Problem]:
    """Each parent is mapped in the same provider with a `list`, and has no parent itself."""
    problems: list[Problem] = []
    for source in sources.values():
        resource = source.resource
        if resource.parent is None:
            continue
        target = sources.get(resource.parent.resource)
        listing = target.resource.operations.get("list") if target is not None else None
        message = None
        if listing is None or listing.not_supported is not None:
            message = f"parent '{resource.parent.resource}' has no list operation in this provider"
        elif target is not None and target.resource.parent is not None:
            message = f"parent '{resource.parent.resource}' is itself parent-scoped (not supported)"
        if message is not None:
            path = ("parent", "resource")
            line, column = source.document.position(path)
            problems.append(Problem(source.file, line, column, format_path(path), message))
    return problems
