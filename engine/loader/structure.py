"""Structural validation: the pydantic models' errors turned into located problems."""

from __future__ import annotations

import types
import typing
from typing import Any, Literal, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import ErrorDetails

from engine.loader.problems import DataPath, Problem, format_path
from engine.loader.yaml_source import YamlDocument
from engine.suggest import did_you_mean

ModelT = TypeVar("ModelT", bound=BaseModel)


def validate_structure(
    model: type[ModelT], document: YamlDocument, file: str
) -> tuple[ModelT | None, list[Problem]]:
    """Validate `document.data` against `model`; every error becomes a located problem."""
    if not isinstance(document.data, dict):
        line, column = document.position(())
        return None, [Problem(file, line, column, "", "expected a mapping at the top level")]
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
        elif isinstance(current, dict) and isinstance(step, str) and step.isdigit() and int(step) in current:
            current = current[int(step)]
            path.append(int(step))
        elif isinstance(current, list) and isinstance(step, int) and 0 <= step < len(current):
            current = current[step]
            path.append(step)
        else:
            skipped.append(str(step))
    return tuple(path), skipped


def _problem(model: type[BaseModel], document: YamlDocument, file: str, error: ErrorDetails) -> Problem:
    loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        parent, _ = _data_path(document.data, loc[:-1])
        key = loc[-1]
        path = (*parent, key if isinstance(key, int) else str(key))
        line, column = document.position(path, key=True)
        allowed = _allowed_keys(model, document.data, parent)
        return Problem(file, line, column, format_path(path), f"unknown key '{key}'{did_you_mean(str(key), allowed)}")
    if kind == "missing":
        parent, _ = _data_path(document.data, loc[:-1])
        line, column = document.position(parent, key=bool(parent))
        return Problem(file, line, column, format_path(parent), f"missing required key '{loc[-1]}'")
    if "[key]" in [str(step) for step in loc]:
        cut = [str(step) for step in loc].index("[key]")
        path, _ = _data_path(document.data, loc[:cut])
        line, column = document.position(path, key=True)
        return Problem(file, line, column, format_path(path), _key_message(error, path))
    path, skipped = _data_path(document.data, loc)
    line, column = document.position(path)
    if kind == "union_tag_invalid":
        ctx = error.get("ctx", {})
        tag = ctx.get("tag", "")
        expected = ctx.get("expected_tags", "")
        message = f"unknown {ctx.get('discriminator', 'type')} {tag}; expected one of {expected}"
        return Problem(file, line, column, format_path(path), message.replace("'type'", "type"))
    if kind == "union_tag_not_found":
        return Problem(file, line, column, format_path(path), "missing required key 'type'")
    message = str(error["msg"]).removeprefix("Value error, ")
    return Problem(file, line, column, format_path(path), message[:1].lower() + message[1:])


def _key_message(error: ErrorDetails, path: DataPath) -> str:
    key = path[-1] if path else ""
    expected = (error.get("ctx") or {}).get("expected", "")
    names = [name.strip(" '") for name in str(expected).replace(" or ", ",").split(",") if name.strip()]
    if names:
        return f"unknown name '{key}'{did_you_mean(str(key), names)}; expected one of {', '.join(names)}"
    return str(error["msg"])


def _allowed_keys(model: type[BaseModel], data: Any, path: DataPath) -> list[str]:
    target: Any = model
    current = data
    for step in path:
        target = _step_type(target, current, step)
        current = current[step] if isinstance(current, dict | list) else None
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
