"""A located problem in a mapping file, and how it is printed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DataPath = tuple[str | int, ...]


def format_path(path: DataPath) -> str:
    """Dotted path of a node: `operations.list.request.query.filter[status]`, `credentials[0]`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + part
    return text


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake in a mapping file, with the line and column (1-based) where it is."""

    file: str
    line: int
    column: int
    path: str
    message: str

    def to_text(self) -> str:
        """`FILE:LINE:COLUMN: DOTTED.PATH: message` (the path part is left out when empty)."""
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """The JSON form used by `unimap validate --format json`."""
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "message": self.message,
        }
