"""The unified API's HTTP endpoints, derived from the contract (`schemas/unified/`).

One `Endpoint` per route and verb, shared by the routes (`engine.server.unified`) and the
OpenAPI document (`engine.server.openapi`), so the two cannot disagree:

| unified method | route |
|---|---|
| `list` | `GET /unified/marketing-automation/{resource}` |
| `get` | `GET …/{resource}/{id}` |
| `create` (`upsert` with `?upsert=true`) | `POST …/{resource}` |
| `update` | `PATCH …/{resource}/{id}` |
| `delete` | `DELETE …/{resource}/{id}` |
| `bulk_upsert` | `POST …/{resource}/bulk` |
| any other method taking an id (`lists.add_contacts`, …) | `POST …/{resource}/{id}/{method}` |
| any other method | `POST …/{resource}/{method}` |
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.unified import schemas as unified

__all__ = ["PREFIX", "Endpoint", "endpoints"]

#: Where the unified routes live.
PREFIX = "/unified/marketing-automation"

_STANDARD = {
    "list": ("GET", ""),
    "get": ("GET", "/{id}"),
    "create": ("POST", ""),
    "update": ("PATCH", "/{id}"),
    "delete": ("DELETE", "/{id}"),
    "bulk_upsert": ("POST", "/bulk"),
}


@dataclass(frozen=True)
class Endpoint:
    """One route of the unified API: HTTP `verb` on `path` runs `resource.method`."""

    resource: str
    method: str
    verb: str
    path: str

    @property
    def takes_id(self) -> bool:
        """Whether the path carries the record id."""
        return "{id}" in self.path

    @property
    def has_body(self) -> bool:
        """Whether the call takes a JSON body."""
        return unified.write_schema(self.resource, self.method) is not None

    @property
    def upsert(self) -> bool:
        """Whether `?upsert=true` turns this create into an upsert."""
        return self.method == "create" and "upsert" in unified.methods(self.resource)


def _endpoint(resource: str, method: str) -> Endpoint | None:
    if method == "upsert":
        return None  # `POST …/{resource}?upsert=true`
    base = f"{PREFIX}/{resource}"
    if method in _STANDARD:
        verb, tail = _STANDARD[method]
        return Endpoint(resource, method, verb, base + tail)
    tail = f"/{{id}}/{method}" if unified.takes_id(resource, method) else f"/{method}"
    return Endpoint(resource, method, "POST", base + tail)


def endpoints() -> list[Endpoint]:
    """Every endpoint of the contract, in contract order."""
    found = []
    for resource in unified.callable_resources():
        for method in unified.methods(resource):
            endpoint = _endpoint(resource, method)
            if endpoint is not None:
                found.append(endpoint)
    return found
