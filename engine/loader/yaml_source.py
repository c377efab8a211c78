"""Safe YAML loading that remembers the line and column of every key and value."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from engine.loader.problems import DataPath

MAX_DEPTH = 64
"""The deepest nesting of mappings and sequences in a mapping file."""
MAX_ALIAS_VALUES = 10_000
"""The most values YAML aliases (`*name`) may expand to in one file ("billion laughs")."""
MAX_NUMBER_CHARS = 100
"""The longest number (characters) in a mapping file."""

_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


class YamlSourceError(ValueError):
    """A YAML file that cannot be read as data; carries a 1-based line and column."""

    def __init__(self, message: str, line: int, column: int, path: DataPath = ()) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.path = path


@dataclass
class YamlDocument:
    """Plain data loaded from YAML plus where each part of it stands in the file."""

    data: Any
    value_positions: dict[DataPath, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[DataPath, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: DataPath, *, key: bool = False) -> tuple[int, int]:
        """Line and column of the node at `path` (its key with `key=True`), or of the nearest
        enclosing node that exists."""
        table = self.key_positions if key else self.value_positions
        probe = path
        while probe:
            if probe in table:
                return table[probe]
            if probe in self.value_positions:
                return self.value_positions[probe]
            probe = probe[:-1]
        return self.value_positions.get((), (1, 1))


def _mark(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _BoundedLoader(yaml.SafeLoader):
    """The safe loader with a nesting cap: PyYAML composes recursively, so 1,000 nested
    brackets would otherwise end in `RecursionError`."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        """Compose one node, refusing it when it opens more than `MAX_DEPTH` levels."""
        if self.depth >= MAX_DEPTH:
            event = self.peek_event()  # type: ignore[no-untyped-call]
            if isinstance(event, yaml.events.CollectionStartEvent):
                mark = event.start_mark
                line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
                raise YamlSourceError(f"nested more than {MAX_DEPTH} levels deep", line, column)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _Builder:
    def __init__(self) -> None:
        self.constructor = SafeConstructor()
        self.document = YamlDocument(data=None)
        self.built: set[int] = set()
        self.open: set[int] = set()
        self.alias_values = 0
        self.alias_from: DataPath | None = None

    def build(self, node: Node, path: DataPath) -> Any:
        key = id(node)
        if key in self.open:
            message = "recursive YAML alias: a value contains itself"
            raise YamlSourceError(message, *_mark(node), path)
        outermost = key in self.built and self.alias_from is None
        if outermost:
            self.alias_from = path
        try:
            return self._build(node, path)
        finally:
            if outermost:
                self.alias_from = None

    def _count_alias_value(self, path: DataPath) -> None:
        """Count one value produced by expanding an alias; refuse past `MAX_ALIAS_VALUES`,
        located at the value that holds the outermost alias."""
        self.alias_values += 1
        if self.alias_values > MAX_ALIAS_VALUES:
            where = self.alias_from if self.alias_from is not None else path
            line, column = self.document.position(where[:-1])
            message = f"YAML aliases expand to more than {MAX_ALIAS_VALUES} values"
            raise YamlSourceError(message, line, column, where)

    def _build(self, node: Node, path: DataPath) -> Any:
        key = id(node)
        if self.alias_from is not None:
            self._count_alias_value(path)
        self.built.add(key)
        self.document.value_positions[path] = _mark(node)
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        self.open.add(key)
        try:
            if isinstance(node, MappingNode):
                return self._mapping(node, path)
            if isinstance(node, SequenceNode):
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        finally:
            self.open.discard(key)
        raise YamlSourceError("unsupported YAML node", *_mark(node), path)

    def _scalar(self, node: ScalarNode, path: DataPath) -> Any:
        if node.tag in _NUMBER_TAGS and len(node.value) > MAX_NUMBER_CHARS:
            size = len(node.value)
            message = f"number too long ({size} characters; the limit is {MAX_NUMBER_CHARS})"
            raise YamlSourceError(message, *_mark(node), path)
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, OverflowError) as exc:
            message = f"cannot read {node.tag.rpartition(':')[2]} value {node.value[:40]!r}: {exc}"
            raise YamlSourceError(message, *_mark(node), path) from None

    def _mapping(self, node: MappingNode, path: DataPath) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                message = "YAML merge keys ('<<') are not supported"
                raise YamlSourceError(message, *_mark(key_node), path)
            if not isinstance(key_node, ScalarNode):
                message = "mapping keys must be plain scalars"
                raise YamlSourceError(message, *_mark(key_node), path)
            key = self._scalar(key_node, path)
            if isinstance(key, bool) or key is None:
                # YAML 1.1 reads `on:`, `yes:`, `no:`, `~:` as booleans or null; editors (YAML
                # 1.2) and people read them as names, so a key keeps its source text.
                key = key_node.value
            child: DataPath = (*path, key if isinstance(key, str | int) else str(key))
            if key in result:
                line, column = _mark(key_node)
                first, _ = self.document.key_positions.get(child, (line, column))
                message = f"duplicate key '{key}' (first given at line {first})"
                raise YamlSourceError(message, line, column, child)
            self.document.key_positions[child] = _mark(key_node)
            result[key] = self.build(value_node, child)
        return result


def _syntax_message(exc: yaml.MarkedYAMLError) -> str:
    """PyYAML's problem with its context: where the unclosed bracket or quote started."""
    problem = exc.problem or exc.context or "invalid YAML"
    context, start = exc.context, exc.context_mark
    if not context or problem == context:
        return problem
    if problem.startswith("but "):
        return f"{context}, {problem}"
    if start is not None:
        return f"{problem} ({context} started at line {start.line + 1}, column {start.column + 1})"
    return f"{problem} ({context})"


def load_yaml(text: str) -> YamlDocument:
    """Load one YAML document safely, keeping positions; raise `YamlSourceError` on bad YAML."""
    try:
        loader = _BoundedLoader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlSourceError(f"YAML syntax error: {_syntax_message(exc)}", line, column) from None
    except yaml.YAMLError as exc:
        raise YamlSourceError(f"YAML error: {exc}", 1, 1) from None
    builder = _Builder()
    if root is None:
        builder.document.data = None
        return builder.document
    try:
        builder.document.data = builder.build(root, ())
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlSourceError(f"YAML error: {exc.problem}", line, column) from None
    return builder.document
