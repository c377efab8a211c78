"""Structural validation: the pydantic models' errors turned into located problems."""

from __future__ import annotations

import types
import typing
from typing import Any, Literal, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import ErrorDetails

from engine.format.resource import RETIRED_KEYS
from engine.loader.problems import DataPath, Problem, format_path
from engine.loader.yaml_source import YamlDocument
from engine.suggest import did_you_mean

ModelT = TypeVar("ModelT", bound=BaseModel)


def validate_structure(
    model: type[ModelT], document: YamlDocument, file: str
) -> tuple[ModelT | None, list[Problem]]:
    """Validate `document.data` against `model`; every error becomes a located problem."""
    if document.data is None:
        return None, [Problem(file, 1, 1, "", "the file is empty: expected a mapping")]
    if not isinstance(document.data, dict):
        line, column = document.position(())
        message = f"expected a mapping at the top level, got {_describe(document.data)}"
        return None, [Problem(file, line, column, "", message)]
    try:
        return model.model_validate(document.data), []
    except PydanticValidationError as exc:
        problems = [_problem(model, document, file, error) for error in exc.errors()]
        return None, sorted(set(problems))


def _data_path(data: Any, loc: tuple[int | str, ...]) -> tuple[DataPath, list[str]]:
    """Follow a pydantic `loc` through the data, dropping union tags that are not data."""
    path: list[str | int] = []
    skipped: list[str] = []
    current = data
    for step in loc:
        if isinstance(current, dict) and step in current:
            current = current[step]
            path.append(step)
        elif (
            isinstance(current, dict)
            and isinstance(step, str)
            and step.isdigit()
            and int(step) in current
        ):
            current = current[int(step)]
            path.append(int(step))
        elif isinstance(current, list) and isinstance(step, int) and 0 <= step < len(current):
            current = current[step]
            path.append(step)
        else:
            skipped.append(str(step))
    return tuple(path), skipped


_EXPECTED: dict[str, str] = {
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
    "string_type": "a string",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
}
"""Pydantic type errors → what was expected, said in YAML terms (not Python class names)."""


def _describe(value: Any) -> str:
    """A YAML value as people call it: `null`, `a list`, `the string 'x'`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string '{value[:40]}{'…' if len(value) > 40 else ''}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _child(data: Any, step: str | int) -> Any:
    """The part of `data` at one path step, or None."""
    if isinstance(data, dict):
        return data.get(step)
    if isinstance(data, list) and isinstance(step, int) and 0 <= step < len(data):
        return data[step]
    return None


def _where(document: YamlDocument, path: DataPath) -> str:
    """The dotted path; integer keys of mappings (status codes) are shown as names, not indexes."""
    parts: list[str | int] = []
    current = document.data
    for step in path:
        parts.append(str(step) if isinstance(current, dict) else step)
        current = _child(current, step)
    return format_path(tuple(parts))


def _problem(
    model: type[BaseModel], document: YamlDocument, file: str, error: ErrorDetails
) -> Problem:
    loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        parent, _ = _data_path(document.data, loc[:-1])
        key = loc[-1]
        path = (*parent, key if isinstance(key, int) else str(key))
        line, column = document.position(path, key=True)
        allowed = _allowed_keys(model, document.data, parent)
        retired = RETIRED_KEYS.get(str(key))
        hint = f": {retired}" if retired else did_you_mean(str(key), allowed)
        message = f"unknown key '{key}'{hint}"
        return Problem(file, line, column, _where(document, path), message)
    if kind == "missing":
        parent, _ = _data_path(document.data, loc[:-1])
        line, column = document.position(parent, key=bool(parent))
        message = f"missing required key '{loc[-1]}'"
        return Problem(file, line, column, _where(document, parent), message)
    if "[key]" in [str(step) for step in loc]:
        cut = [str(step) for step in loc].index("[key]")
        path, _ = _data_path(document.data, loc[:cut])
        line, column = document.position(path, key=True)
        return Problem(file, line, column, _where(document, path), _key_message(error, path))
    path, _ = _data_path(document.data, loc)
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return _tag_problem(document, file, error, path)
    line, column = document.position(path, key=kind == "invalid_key")
    if kind in _EXPECTED:
        message = f"expected {_EXPECTED[kind]}, got {_describe(error.get('input'))}"
    elif kind == "invalid_key":
        message = f"a key must be a name, not {_describe(path[-1] if path else None)}"
    else:
        message = str(error["msg"]).removeprefix("Value error, ")
        message = message[:1].lower() + message[1:]
    return Problem(file, line, column, _where(document, path), message)


def _tag_problem(document: YamlDocument, file: str, error: ErrorDetails, path: DataPath) -> Problem:
    """A wrong or missing `type` of a union (auth scheme, pagination family), at the `type`."""
    ctx = error.get("ctx") or {}
    if error["type"] == "union_tag_not_found":
        line, column = document.position(path, key=bool(path))
        return Problem(file, line, column, _where(document, path), "missing required key 'type'")
    names = [name.strip(" '") for name in str(ctx.get("expected_tags", "")).split(",")]
    tag = str(ctx.get("tag", ""))
    path = (*path, "type")
    line, column = document.position(path)
    message = f"unknown type '{tag}'{did_you_mean(tag, names)}; expected one of {', '.join(names)}"
    return Problem(file, line, column, _where(document, path), message)


def _key_message(error: ErrorDetails, path: DataPath) -> str:
    key = path[-1] if path else ""
    if error["type"] in _EXPECTED:
        return f"a key here must be {_EXPECTED[error['type']]}, not {_describe(key)}"
    expected = (error.get("ctx") or {}).get("expected", "")
    names = [n.strip(" '") for n in str(expected).replace(" or ", ",").split(",") if n.strip()]
    if names:
        hint = did_you_mean(str(key), names)
        return f"unknown name '{key}'{hint}; expected one of {', '.join(names)}"
    message = str(error["msg"])
    return message[:1].lower() + message[1:]


def _allowed_keys(model: type[BaseModel], data: Any, path: DataPath) -> list[str]:
    target: Any = model
    current = data
    for step in path:
        target = _step_type(target, current, step)
        current = _child(current, step)
        if target is None:
            return []
    target = _resolve_union(target, current)
    if isinstance(target, type) and issubclass(target, BaseModel):
        return [info.alias or name for name, info in target.model_fields.items()]
    return []


def _unwrap(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _resolve_union(annotation: Any, data: Any) -> Any:
    annotation = _unwrap(annotation)
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [_unwrap(a) for a in typing.get_args(annotation) if a is not type(None)]
        models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
        if len(models) == 1:
            return models[0]
        tag = data.get("type") if isinstance(data, dict) else None
        for candidate in models:
            type_field = candidate.model_fields.get("type")
            if type_field is not None and typing.get_args(type_field.annotation) == (tag,):
                return candidate
        return members[0] if len(members) == 1 else None
    return annotation


def _step_type(annotation: Any, data: Any, step: str | int) -> Any:
    annotation = _resolve_union(annotation, data)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, info in annotation.model_fields.items():
            if step in (name, info.alias):
                return info.annotation
        return None
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is dict and len(args) == 2:
        return args[1]
    if origin is list and args:
        return args[0]
    if origin is Literal:
        return None
    return None
