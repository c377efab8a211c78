"""Recorded examples: provider responses kept beside a mapping, mapped by `unimap validate`.

`<provider>/examples/<resource>.<method>[.<label>].json` holds one response body of that
method. Its records (found with the operation's `records_path` or `record_path`) are mapped
with the resource's field expressions; a field expression that reads nothing in any example
and a mapped record that fails the unified schema are problems located at the expression.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jmespath.exceptions import JMESPathError

from engine.expressions.reads import dotted, unread_paths
from engine.format.resource import ResourceFile
from engine.loader.bounded_read import FileRefused, read_text_bounded
from engine.loader.problems import DataPath, Problem, format_path
from engine.loader.yaml_source import YamlDocument
from engine.suggest import did_you_mean
from engine.unified.blanks import blank_to_null
from engine.unified.validate import validate_record

EXAMPLES_FOLDER = "examples"
NAMING = "<resource>.<method>[.<label>].json"


@dataclass
class ResourceSource:
    """A loaded resource file with what locating its problems needs."""

    resource: ResourceFile
    document: YamlDocument
    file: str


@dataclass
class _Group:
    """The example records mapped by one `fields` mapping of one resource."""

    source: ResourceSource
    fields_path: DataPath
    fields: dict[str, str]
    records: list[tuple[str, int, Any]] = field(default_factory=list)


Display = Callable[[Path], str]
Compile = Callable[[str], Callable[[Any], Any]]


def example_files(folder: Path) -> list[Path]:
    """The example files of a provider folder, sorted."""
    examples = folder / EXAMPLES_FOLDER
    return sorted(examples.glob("*.json")) if examples.is_dir() else []


def check_examples(
    files: list[Path], sources: dict[str, ResourceSource], evaluate: Compile, display: Display
) -> list[Problem]:
    """Map every example's records; report unread field expressions and invalid records."""
    problems: list[Problem] = []
    groups: dict[tuple[str, DataPath], _Group] = {}
    for path in files:
        _collect(path, sources, evaluate, display, groups, problems)
    for group in groups.values():
        problems.extend(_unread_fields(group))
        problems.extend(_invalid_records(group, evaluate))
    return problems


_UNREADABLE = object()


def _read_example(path: Path, name: str, problems: list[Problem]) -> Any:
    """The JSON of an example file, or `_UNREADABLE` with a problem added."""
    try:
        return json.loads(read_text_bounded(path))
    except FileRefused as exc:
        problems.append(Problem(name, 1, 1, "", f"cannot read example: {exc}"))
    except RecursionError:
        problems.append(Problem(name, 1, 1, "", "cannot read example: JSON nested too deeply"))
    except json.JSONDecodeError as exc:
        problems.append(Problem(name, exc.lineno, exc.colno, "", f"invalid JSON: {exc.msg}"))
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        problems.append(Problem(name, 1, 1, "", f"cannot read example: {exc}"))
    return _UNREADABLE


def _collect(
    path: Path,
    sources: dict[str, ResourceSource],
    evaluate: Compile,
    display: Display,
    groups: dict[tuple[str, DataPath], _Group],
    problems: list[Problem],
) -> None:
    """Read one example file and add its records to the group of its fields mapping."""
    name = display(path)
    resource_name, _, rest = path.stem.partition(".")
    method = rest.partition(".")[0]
    source = sources.get(resource_name)
    if source is None:
        hint = did_you_mean(resource_name, sources)
        message = f"example of unmapped resource '{resource_name}'{hint} (name it {NAMING})"
        problems.append(Problem(name, 1, 1, "", message))
        return
    operation = source.resource.operations.get(method)
    if operation is None or operation.request is None:
        mapped = [m for m, o in source.resource.operations.items() if o.request is not None]
        message = (
            f"example of '{resource_name}.{method}', which is not a method this mapping "
            f"sends a request for{did_you_mean(method, mapped)}"
        )
        problems.append(Problem(name, 1, 1, "", message))
        return
    body = _read_example(path, name, problems)
    if body is _UNREADABLE:
        return
    response = operation.response
    selector_key = "records_path" if method == "list" else "record_path"
    selector = response.records_path if method == "list" else response.record_path
    try:
        found = evaluate(selector)(body) if selector else body
    except JMESPathError:
        found = None
    records = found if method == "list" else [found]
    selector_path: DataPath = ("operations", method, "response", selector_key)
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        where = selector_path if selector else ("operations", method)
        problems.append(_at(source, where, f"finds no records in example {path.name}"))
        return
    fields_path: DataPath = ("fields",)
    fields = source.resource.fields
    if response.fields is not None:
        fields_path, fields = ("operations", method, "response", "fields"), response.fields
    group = groups.setdefault(
        (resource_name, fields_path), _Group(source, fields_path, dict(fields))
    )
    group.records.extend((path.name, index, record) for index, record in enumerate(records))


def _at(source: ResourceSource, path: DataPath, message: str, *, key: bool = False) -> Problem:
    line, column = source.document.position(path, key=key)
    return Problem(source.file, line, column, format_path(path), message)


def _unread_fields(group: _Group) -> list[Problem]:
    """Each field expression with a read that finds nothing in any example record."""
    if not group.records:
        return []
    examples = sorted({name for name, _, _ in group.records})
    records = [record for _, _, record in group.records]
    problems: list[Problem] = []
    for name, source in group.fields.items():
        missing = unread_paths(source, records)
        if not missing:
            continue
        shown = ", ".join(dotted(path) for path in missing)
        message = (
            f"reads nothing in any example: no example record has {shown} "
            f"(examples: {', '.join(examples)})"
        )
        problems.append(_at(group.source, (*group.fields_path, name), message))
    return problems


def _invalid_records(group: _Group, evaluate: Compile) -> list[Problem]:
    """Each field whose mapped value fails the unified schema, once per example file."""
    resource = group.source.resource.resource
    compiled = {name: evaluate(source) for name, source in group.fields.items()}
    reported: set[tuple[str, str]] = set()
    problems: list[Problem] = []
    for example, index, record in group.records:
        source_record = blank_to_null(record)
        mapped: dict[str, Any] = {"remote_data": record}
        for name, run in compiled.items():
            try:
                mapped[name] = run(source_record)
            except JMESPathError as exc:
                message = f"example {example} record {index + 1}: cannot map it: {exc}"
                problems.append(_at(group.source, (*group.fields_path, name), message))
                reported.add((example, name))
        for problem in validate_record(resource, mapped):
            top = problem.field.split(".", 1)[0]
            if (example, top) in reported:
                continue
            reported.add((example, top))
            message = f"example {example} record {index + 1}: {problem}"
            if top in group.fields:
                problems.append(_at(group.source, (*group.fields_path, top), message))
            else:
                problems.append(_at(group.source, group.fields_path, message, key=True))
    return problems
