"""Find every expression and template in a loaded mapping, guided by the models' types.

Fields typed `Expression` or `Template` (see `engine.format.common`) carry a marker in their
annotation; `marked_values` walks a model instance along its type annotations and yields each
marked string with its data path, so a check written once covers every field, including
fields added later.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from engine.format.common import EXPRESSION, TEMPLATE, FieldKind

DataPath = tuple[str | int, ...]
MARKERS = (EXPRESSION, TEMPLATE)


def marked_values(model: BaseModel) -> Iterator[tuple[DataPath, FieldKind, str]]:
    """`(path, kind, text)` for every expression and template held by `model`, in order."""
    yield from _walk_model(model, ())


def _walk_model(model: BaseModel, path: DataPath) -> Iterator[tuple[DataPath, FieldKind, str]]:
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        key = info.alias or name
        yield from _walk(value, info.annotation, tuple(info.metadata), (*path, key))


def _walk(
    value: Any, annotation: Any, metadata: tuple[Any, ...], path: DataPath
) -> Iterator[tuple[DataPath, FieldKind, str]]:
    if value is None:
        return
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, *extra = get_args(annotation)
        yield from _walk(value, inner, (*metadata, *extra), path)
        return
    kinds = [m for m in metadata if isinstance(m, FieldKind)]
    if kinds and isinstance(value, str):
        yield path, kinds[0], value
        return
    if origin in (Union, types.UnionType):
        for option in get_args(annotation):
            if _fits(value, option):
                yield from _walk(value, option, metadata, path)
                return
        return
    if isinstance(value, BaseModel):
        yield from _walk_model(value, path)
    elif isinstance(value, dict) and origin is dict:
        item_type = get_args(annotation)[1]
        for key, item in value.items():
            yield from _walk(item, item_type, (), (*path, key))
    elif isinstance(value, list | tuple) and origin in (list, tuple):
        args = get_args(annotation)
        item_type = args[0] if args else Any
        for index, item in enumerate(value):
            yield from _walk(item, item_type, (), (*path, index))


def _fits(value: Any, option: Any) -> bool:
    """Whether `value` can be an instance of the union member `option`."""
    base = get_args(option)[0] if get_origin(option) is Annotated else option
    origin = get_origin(base) or base
    if origin is type(None):
        return False
    if isinstance(origin, type):
        return isinstance(value, origin)
    return True
