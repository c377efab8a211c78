"""Which list operation of a mapping declares the pagination of a provider path (pure).

The paginated proxy uses it to page a path the caller gives (`/groups/42/subscribers`) the
way the mapping pages the matching list operation or route (`/groups/{list_id}/subscribers`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.loader import ProviderMapping


@dataclass(frozen=True)
class DeclaredPaging:
    """The pagination a mapping declares for a path: where it was found and how to page."""

    source: str
    template: str
    style: str
    records_path: str


def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template.rstrip("/") or "/")
    body = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(f"^{body}/?$")


def declared_paging(mapping: ProviderMapping, method: str, path: str) -> DeclaredPaging | None:
    """The list operation (or route) whose path template matches `path`, preferring the most
    literal template; None when no paginated list path matches."""
    candidates: list[tuple[int, DeclaredPaging]] = []
    for resource_name, resource in sorted(mapping.resources.items()):
        for op_name, operation in operations_of(resource.operations):
            request = operation.request
            if request is None or request.method != method:
                continue
            entries = [
                (request.path, operation.pagination, operation.response.records_path, op_name)
            ]
            for index, route in enumerate(operation.routes):
                entries.append(
                    (
                        route.path,
                        route.pagination or operation.pagination,
                        route.records_path or operation.response.records_path,
                        f"{op_name}.routes[{index}]",
                    )
                )
            for template, style, records_path, where in entries:
                if not style or style == "none" or not records_path:
                    continue
                if _template_regex(template).match(path.rstrip("/") or "/"):
                    literal = len(re.sub(r"\{[^}]+\}", "", template))
                    found = DeclaredPaging(
                        f"{resource_name}.{where}", template, style, records_path
                    )
                    candidates.append((literal, found))
    if not candidates:
        return None
    candidates.sort(key=lambda item: -item[0])
    return candidates[0][1]


def operations_of(operations: Mapping[Any, Any]) -> list[tuple[str, Any]]:
    """`(name, operation)` pairs of a resource's operations, in a stable order."""
    return sorted(((str(k), v) for k, v in operations.items()), key=lambda kv: kv[0])
