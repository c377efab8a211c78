"""What data an expression reads, and which of those reads find nothing in sample data.

An expression's reads form a formula over the paths of its deepest field accesses:
`groups[*].{id: id, name: name}` needs both `groups[*].id` and `groups[*].name`;
`fields.z_i_p || fields.zip` needs either (the alternatives of `||`; a constant alternative
such as `` `[]` `` counts for nothing). `*` stands for every item of an array or value of an
object. Accesses whose base cannot be followed statically (the fields of a function's result,
an `&expr` argument) are left out, so the answer errs on the side of reading less.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import jmespath

ReadPath = tuple[str, ...]
ANY_ITEM = "*"
Formula = tuple[Any, ...]
"""`("path", ReadPath)`, `("all", (Formula, ...))` or `("any", (Formula, ...))`."""

_EMPTY: Formula = ("all", ())
_CHAINS = frozenset({"subexpression", "pipe"})
_PROJECTIONS = frozenset({"projection", "value_projection", "filter_projection"})
_SAME_INPUT = frozenset(
    {
        "function_expression",
        "and_expression",
        "not_expression",
        "comparator",
        "multi_select_list",
        "multi_select_dict",
        "key_val_pair",
        "arithmetic",
        "arithmetic_unary",
    }
)


@lru_cache(maxsize=4096)
def read_formula(source: str) -> Formula:
    """The paths `source` reads from its input, as a formula (prefixes of deeper reads pruned)."""
    tree: dict[str, Any] = jmespath.compile(source).parsed  # type: ignore[assignment]
    formula = _walk(tree, ())[1]
    atoms = set(_atoms(formula))
    prefixes = {p for p in atoms for other in atoms if other != p and other[: len(p)] == p}
    return _prune(formula, prefixes)


def unread_paths(source: str, samples: Sequence[Any]) -> list[ReadPath]:
    """The reads of `source` that find a present key in none of `samples` (sorted)."""
    missing: set[ReadPath] = set()
    _unsatisfied(read_formula(source), samples, missing)
    return sorted(missing)


def dotted(path: ReadPath) -> str:
    """A read path as people write it: `groups[*].id`."""
    return ".".join(path).replace(".*", "[*]")


def _walk(node: dict[str, Any], base: ReadPath | None) -> tuple[ReadPath | None, Formula]:
    """The path of `node`'s value (when followable) and what it reads, relative to `base`."""
    kind = node["type"]
    children = [c for c in node.get("children", []) if isinstance(c, dict)]
    if kind == "field":
        if base is None:
            return None, _EMPTY
        path = (*base, node["value"])
        return path, ("path", path)
    if kind in ("current", "identity"):
        return base, _EMPTY
    if kind in _CHAINS:
        parts = []
        for child in children:
            base, part = _walk(child, base)
            parts.append(part)
        return base, ("all", tuple(parts))
    if kind in ("index_expression", "flatten"):
        left, part = _walk(children[0], base)
        step = (ANY_ITEM,) if kind == "index_expression" else ()
        return (None if left is None else (*left, *step)), part
    if kind in _PROJECTIONS:
        left, first = _walk(children[0], base)
        item = None if left is None else (*left, ANY_ITEM)
        return None, ("all", (first, *(_walk(child, item)[1] for child in children[1:])))
    if kind == "or_expression":
        return None, ("any", tuple(_walk(child, base)[1] for child in children))
    inner = base if kind in _SAME_INPUT else None
    return None, ("all", tuple(_walk(child, inner)[1] for child in children))


def _atoms(formula: Formula) -> list[ReadPath]:
    if formula[0] == "path":
        return [formula[1]]
    return [atom for part in formula[1] for atom in _atoms(part)]


def _prune(formula: Formula, drop: set[ReadPath]) -> Formula:
    if formula[0] == "path":
        return _EMPTY if formula[1] in drop else formula
    parts = tuple(_prune(part, drop) for part in formula[1])
    return (formula[0], tuple(part for part in parts if _atoms(part)))


def _unsatisfied(formula: Formula, samples: Sequence[Any], missing: set[ReadPath]) -> bool:
    """Whether `formula` holds in `samples`; add the reads that make it fail to `missing`."""
    if formula[0] == "path":
        found = any(path_exists(sample, formula[1]) for sample in samples)
        if not found:
            missing.add(formula[1])
        return found
    parts: tuple[Formula, ...] = formula[1]
    if formula[0] == "any":
        failed: set[ReadPath] = set()
        if not parts or any(_unsatisfied(part, samples, failed) for part in parts):
            return True
        missing.update(failed)
        return False
    results = [_unsatisfied(part, samples, missing) for part in parts]
    return all(results)


def path_exists(data: Any, path: ReadPath) -> bool:
    """Whether `path` leads to a present key somewhere in `data` (`*`: any item or value)."""
    if not path:
        return True
    head, rest = path[0], path[1:]
    if head == ANY_ITEM:
        if isinstance(data, dict):
            data = list(data.values())
        return isinstance(data, list) and any(path_exists(item, rest) for item in data)
    return isinstance(data, dict) and head in data and path_exists(data[head], rest)
