"""A loaded provider mapping and the outcome of a load (no YAML, no checks: light to import,
and what the on-disk cache pickles)."""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from engine.expressions import CompiledExpression, compile_expression
from engine.expressions.programs import (
    Program,
    RecordProgram,
    Selector,
    is_true,
    record_program,
    search_program,
    select_program,
)
from engine.loader.problems import Problem

if TYPE_CHECKING:  # at run time: their read-only twins (`engine.format.frozen`)
    from engine.format import ProviderFile, ResourceFile

T = TypeVar("T")


@dataclass
class ProviderMapping:
    """One provider's validated mapping: its provider file and its resources by name."""

    folder: Path
    provider: ProviderFile
    resources: dict[str, ResourceFile] = field(default_factory=dict)
    _expressions: dict[str, CompiledExpression] = field(default_factory=dict, repr=False)
    _memo: dict[Hashable, Any] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        """The provider's name, e.g. `acme`."""
        return self.provider.provider

    def expression(self, source: str) -> CompiledExpression:
        """The compiled form of an expression of this mapping (compiled once, then cached)."""
        compiled = self._expressions.get(source)
        if compiled is None:
            compiled = compile_expression(source, self.provider.value_maps)
            self._expressions[source] = compiled
        return compiled

    def record_program(
        self, fields: Mapping[str, str], keep_input: str | None = None
    ) -> RecordProgram | None:
        """The generated function mapping a record by `fields` (unified field → expression),
        the record itself kept under `keep_input` when given; built once per field mapping;
        None when it cannot be generated."""
        items = tuple(fields.items())

        def build() -> RecordProgram | None:
            compiled = [(name, self.expression(source)) for name, source in items]
            return record_program(compiled, self.provider.value_maps, keep_input)

        return self.memo(("record", items, keep_input), build)

    def evaluator(self, source: str) -> Program:
        """`expression(source).search` as one generated function (built once), or the
        closures when its code cannot be generated."""

        def build() -> Program:
            compiled = self.expression(source)
            return search_program(compiled, self.provider.value_maps) or compiled.search

        return self.memo(("search", source), build)

    def selector(self, source: str) -> Selector:
        """A function keeping the items of a list for which expression `source` is true, as
        one generated function (built once), or over the closures when its code cannot be
        generated."""

        def build() -> Selector:
            compiled = self.expression(source)
            generated = select_program(compiled, self.provider.value_maps)
            if generated is not None:
                return generated
            return lambda items: [item for item in items if is_true(compiled.search(item))]

        return self.memo(("select", source), build)

    def memo(self, key: Hashable, build: Callable[[], T]) -> T:
        """`build()`'s result, built once per `key` for this mapping (generated code)."""
        if key not in self._memo:
            self._memo[key] = build()
        result: T = self._memo[key]
        return result

    def __getstate__(self) -> dict[str, Any]:
        """What pickling keeps (the on-disk cache): the files, not the compiled forms."""
        kept = ("folder", "provider", "resources")
        return {name: value for name, value in self.__dict__.items() if name in kept}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, _expressions={}, _memo={})

    @cached_property
    def bucket_names(self) -> frozenset[str]:
        """Names of the declared rate-limit buckets."""
        return frozenset(b.name for b in self.provider.rate_limits.buckets)


@dataclass
class LoadResult:
    """Everything loaded from a path: valid providers and every problem found."""

    providers: dict[str, ProviderMapping] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    replaced: list[Replacement] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems


@dataclass(frozen=True)
class Replacement:
    """A provider of a later mapping folder that replaced one of the same name."""

    provider: str
    folder: Path
    replaced: Path

    def to_text(self) -> str:
        """`note: provider 'x' from FOLDER replaces the one from FOLDER`."""
        return (
            f"note: provider '{self.provider}' from {display_name(self.folder)} replaces the "
            f"one from {display_name(self.replaced)}"
        )


def display_name(path: Path) -> str:
    """A path as shown in problems: relative to the working directory when below it."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)
