"""The engine's layers: no import runs from a lower layer up to a higher one, and no cycles.

Layers, bottom to top (a module may import its own layer and those below):

0. base: `errors`, `suggest`, `paths`, `secrets`, `http_headers`, `jsonio`, `lazy`
1. language: `expressions`, `format`, `unified`
2. `loader`, `settings`
3. `plan` (pure: no I/O, no files, no environment)
4. `run` (httpx drivers, pacing, retries)
5. `accounts` (the encrypted store)
6. services: `explain`, `proxy`, `webhooks`, `linking`, `api`, `conformance`, `forwarding`,
   `backends`
7. surfaces: the command line, all of it in `engine/cli/`; the HTTP server, `engine/server/`

Imports under `if TYPE_CHECKING:` count too: a type annotation is a dependency.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[1] / "engine"

LAYERS: list[set[str]] = [
    {"errors", "suggest", "paths", "secrets", "http_headers", "jsonio", "lazy", "__init__"},
    {"expressions", "format", "unified"},
    {"loader", "settings"},
    {"plan"},
    {"run"},
    {"accounts"},
    {"explain", "proxy", "webhooks", "linking", "api", "conformance", "forwarding", "backends"},
]
SURFACE = len(LAYERS)

KNOWN_UPWARD: set[tuple[str, str]] = set()
"""Upward imports still to be removed (empty: none is tolerated)."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ENGINE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1:
        return 0
    if parts[1] in ("cli", "server"):
        return SURFACE
    for index, names in enumerate(LAYERS):
        if parts[1] in names:
            return index
    raise AssertionError(f"{module} belongs to no layer; add it to LAYERS")


def imports() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for path in ENGINE.rglob("*.py"):
        source = module_name(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                targets = [node.module]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            graph[source].update(t for t in targets if t.startswith("engine."))
    return graph


def test_no_import_runs_up_the_layers() -> None:
    upward = {
        (source, target)
        for source, targets in imports().items()
        for target in targets
        if layer_of(target) > layer_of(source)
    }
    assert upward <= KNOWN_UPWARD, sorted(upward - KNOWN_UPWARD)


def test_the_layer_table_names_every_engine_package() -> None:
    for path in ENGINE.rglob("*.py"):
        layer_of(module_name(path))


def _package(module: str) -> str:
    """A command-line module stands alone; any other module counts as its engine package."""
    if layer_of(module) == SURFACE:
        return module
    return ".".join(module.split(".")[:2])


def test_no_import_cycle_between_engine_packages() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for source, targets in imports().items():
        for target in targets:
            if _package(source) != _package(target):
                graph[_package(source)].add(_package(target))

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == goal or (nxt not in seen and (seen.add(nxt) or reaches(nxt, goal, seen))):
                return True
        return False

    cycles = sorted(p for p in graph if reaches(p, p, set()))
    assert not cycles, f"packages on an import cycle: {cycles}"
