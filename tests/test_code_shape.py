"""The engine stays in small pieces: no module over 400 lines, no function over 60 lines."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parent.parent / "engine"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def _modules() -> list[Path]:
    return sorted(ENGINE.rglob("*.py"))


def _functions(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [
        node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def _span(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines from the first decorator (or `def`) to the last line of the body."""
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    last = node.end_lineno or node.lineno
    return last - first + 1


def test_the_engine_has_modules_to_measure() -> None:
    assert len(_modules()) > 50


def test_no_engine_module_is_over_400_lines() -> None:
    too_long = {
        str(path.relative_to(ENGINE.parent)): count
        for path in _modules()
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert too_long == {}


def test_no_engine_function_is_over_60_lines() -> None:
    too_long: dict[str, int] = {}
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _functions(tree):
            if (span := _span(node)) > MAX_FUNCTION_LINES:
                too_long[f"{path.relative_to(ENGINE.parent)}:{node.lineno} {node.name}"] = span
    assert too_long == {}
