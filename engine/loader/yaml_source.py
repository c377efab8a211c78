"""Safe YAML loading that remembers the line and column of every key and value."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from engine.loader.problems import DataPath


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


class _Builder:
    def __init__(self) -> None:
        self.constructor = SafeConstructor()
        self.document = YamlDocument(data=None)

    def build(self, node: Node, path: DataPath) -> Any:
        self.document.value_positions[path] = _mark(node)
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        if isinstance(node, ScalarNode):
            return self.constructor.construct_object(node, deep=True)
        raise YamlSourceError("unsupported YAML node", *_mark(node), path)

    def _mapping(self, node: MappingNode, path: DataPath) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                message = "YAML merge keys ('<<') are not supported"
                raise YamlSourceError(message, *_mark(key_node), path)
            if not isinstance(key_node, ScalarNode):
                message = "mapping keys must be plain scalars"
                raise YamlSourceError(message, *_mark(key_node), path)
            key = self.constructor.construct_object(key_node, deep=True)
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
        root = yaml.compose(text, Loader=yaml.SafeLoader)
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
