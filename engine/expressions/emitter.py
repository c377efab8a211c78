"""The source buffer of generated expression code: lines, temporaries and constants.

Generated code never holds text taken from a mapping: every constant (field names, literals,
map names, functions) is bound to a generated name (`_k3`) in the namespace the code runs in,
and the source is made only of those names, fixed keywords and operators.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

BUILTINS: dict[str, Any] = {
    "isinstance": isinstance,
    "len": len,
    "type": type,
    "dict": dict,
    "list": list,
    "str": str,
    "int": int,
    "float": float,
    "all": all,
    "IndexError": IndexError,
    "TypeError": TypeError,
    "AttributeError": AttributeError,
}
"""The only builtins generated code sees (its namespace has no `__builtins__` of its own)."""

_INDENT = "    "
_BY_VALUE = (str, int, bool)


class Emitter:
    """Collects the lines of one generated function and the constants it reads."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.depth = 1
        self.namespace: dict[str, Any] = {"__builtins__": {}, **BUILTINS}
        self._constants: dict[tuple[type, Any], str] = {}
        self._count = 0

    def line(self, text: str) -> None:
        """Add one statement at the current block depth."""
        self.lines.append(_INDENT * self.depth + text)

    @contextmanager
    def block(self, header: str) -> Iterator[None]:
        """`header:` then the statements emitted inside the `with`, one level deeper."""
        self.line(header + ":")
        self.depth += 1
        start = len(self.lines)
        try:
            yield
        finally:
            if len(self.lines) == start:
                self.line("pass")
            self.depth -= 1

    def temp(self) -> str:
        """A fresh local variable name."""
        self._count += 1
        return f"_t{self._count}"

    def const(self, value: Any) -> str:
        """The namespace name bound to `value` (one name per distinct object)."""
        key = (type(value), value if type(value) in _BY_VALUE else id(value))
        name = self._constants.get(key)
        if name is None:
            self._count += 1
            name = f"_k{self._count}"
            self._constants[key] = name
            self.namespace[name] = value
        return name

    def function(self, name: str, argument: str) -> Callable[[Any], Any]:
        """Compile the collected lines as `def name(argument):` and return the function."""
        source = "\n".join([f"def {name}({argument}):", *self.lines])
        code = compile(source, "<unimap generated mapping>", "exec")
        exec(code, self.namespace)
        function: Callable[[Any], Any] = self.namespace[name]
        function.__source__ = source  # type: ignore[attr-defined]
        return function
