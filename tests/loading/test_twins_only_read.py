"""Code that runs loaded mappings holds the read-only twins of the format models
(`engine.format.frozen`), never the models: outside `engine/format` and `engine/loader` a
format model's name may only appear in type annotations. A class test (`isinstance`, a dict
keyed by class) or a model built at run time would silently miss every twin."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXEMPT = ("engine/format/", "engine/loader/", "engine/cli/validate.py")
"""The models' own package, the loader (which validates with them before freezing), and the
`schema` command (which renders the models' JSON Schema)."""


def _format_names(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        module = node.module or ""
        if module.startswith("engine.format") and module != "engine.format.frozen":
            names |= {alias.asname or alias.name for alias in node.names}
    return names


def _annotation_nodes(tree: ast.AST) -> set[int]:
    inside: set[int] = set()
    for node in ast.walk(tree):
        for part in ("annotation", "returns"):
            sub = getattr(node, part, None)
            if sub is not None:
                inside |= {id(n) for n in ast.walk(sub)}
    return inside


def _runtime_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = _format_names(tree)
    annotations = _annotation_nodes(tree)
    return [
        f"{path.relative_to(ROOT)}:{node.lineno}: {node.id}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and node.id in names and id(node) not in annotations
    ]


def test_format_models_are_named_only_in_annotations_where_mappings_run() -> None:
    modules = [*(ROOT / "engine").rglob("*.py"), *(ROOT / "simulators").rglob("*.py")]
    checked = [p for p in modules if not str(p.relative_to(ROOT)).startswith(EXEMPT)]
    assert len(checked) > 100
    found = [use for path in sorted(checked) for use in _runtime_uses(path)]
    assert found == []
