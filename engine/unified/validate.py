"""Check unified records and write bodies, reporting problems written for people.

Every problem is a :class:`~engine.errors.FieldProblem` ``(field, message)``: ``field`` is
the dotted path to the bad value (``addresses.0.country``), the unknown key's own name for
keys the schema does not allow (``emial``), or ``""`` for the body as a whole.

Write bodies are checked before anything is sent; :func:`raise_for_write` turns the
problems into one :class:`~engine.errors.ValidationError` listing all of them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from engine.errors import FieldProblem, ValidationError
from engine.suggest import closest, unknown_name_message
from engine.unified import schemas

__all__ = [
    "FieldProblem",
    "raise_for_write",
    "validate_envelope",
    "validate_record",
    "validate_write",
]

"""Methods whose body is a record's writable fields (so read-only fields get their own message)."""

_JSON_TYPES = {
    type(None): "null",
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
}


def validate_record(resource: str, record: Any) -> list[FieldProblem]:
    """Every problem of a unified ``resource`` record (as produced by a mapping); ``[]`` if valid.

    Stray keys, missing keys, wrong types, timestamps without ``Z``, numeric ids and values
    outside the closed enums are all reported.
    """
    return _problems(schemas.record_validator(resource), record, read_only=frozenset())


def validate_write(resource: str, method: str, body: Any) -> list[FieldProblem]:
    """Every problem of the body of ``resource.method``; ``[]`` when it is valid.

    Methods that take no body (``get``, ``list``, ``delete``) always give ``[]``. For
    ``contacts.bulk_upsert`` only the envelope is checked; check each item with
    ``validate_write("contacts", "upsert", item)`` so one bad item fails alone.
    Raises :class:`~engine.errors.ConfigurationError` for an unknown resource or method.
    """
    validator = schemas.write_validator(resource, method)
    if validator is None:
        return []
    read_only: frozenset[str] = frozenset()
    if method in schemas.RECORD_WRITES:
        read_only = frozenset(schemas.resource_fields(resource) - schemas.writable_fields(resource))
    return _problems(validator, body, read_only=read_only)


def validate_envelope(resource: str, page: Any) -> list[FieldProblem]:
    """Every problem of a list-call envelope of ``resource`` records, items included."""
    return _problems(schemas.envelope_validator(resource), page, read_only=frozenset())


def raise_for_write(resource: str, method: str, body: Any) -> None:
    """Raise :class:`~engine.errors.ValidationError` listing every problem of a write body.

    Does nothing when the body is valid. The error's ``details`` hold one
    :class:`~engine.errors.FieldProblem` per bad field and its message names them all.
    """
    problems = validate_write(resource, method, body)
    if problems:
        raise ValidationError(_summary(f"{resource}.{method}", problems), details=problems)


def _summary(what: str, problems: Sequence[FieldProblem]) -> str:
    count = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
    return f"Invalid {what} body ({count}): " + "; ".join(str(p) for p in problems)


def _problems(validator: Any, instance: Any, *, read_only: frozenset[str]) -> list[FieldProblem]:
    found: list[FieldProblem] = []
    for error in validator.iter_errors(instance):
        found.extend(_explain(error, read_only))
    missing_at = {p.field.rpartition(".")[0] for p in found if p.message.startswith("required ")}
    unique: dict[FieldProblem, None] = {}
    for problem in found:
        # "required field 'email' is missing" already says the body is short of fields.
        if problem.message.startswith("must give at least one") and problem.field in missing_at:
            continue
        unique.setdefault(problem, None)
    return sorted(unique, key=lambda p: (_sort_key(p.field), p.message))


def _sort_key(field: str) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in field.split("."))


def _path(parts: Iterable[Any]) -> str:
    return ".".join(str(part) for part in parts)


def _explain(error: Any, read_only: frozenset[str]) -> list[FieldProblem]:
    path = list(error.absolute_path)
    field = _path(path)
    keyword = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    instance = error.instance
    value = error.validator_value
    custom = schema.get("x-error")

    if keyword == "additionalProperties":
        return _unknown_keys(path, instance, schema, read_only if not path else frozenset())
    if keyword == "required":
        present = instance if isinstance(instance, dict) else {}
        return [
            FieldProblem(_path([*path, name]), f"required field '{name}' is missing")
            for name in value
            if name not in present
        ]
    if keyword == "type":
        return [FieldProblem(field, f"must be {_type_phrase(value)} (got {_show(instance)})")]
    if keyword in ("anyOf", "oneOf") and not isinstance(custom, str):
        return _explain_branches(error, read_only, field)
    if isinstance(custom, str):
        suffix = f" (got {_show(instance)})" if not isinstance(instance, dict | list) else ""
        return [FieldProblem(field, custom + suffix)]
    return [FieldProblem(field, _generic_message(keyword, value, instance, error.message))]


def _unknown_keys(
    path: list[Any], instance: Any, schema: dict[str, Any], read_only: frozenset[str]
) -> list[FieldProblem]:
    allowed = set(schema.get("properties", {}))
    problems = []
    for key in instance if isinstance(instance, dict) else ():
        if key in allowed:
            continue
        if key in read_only:
            message = f"field '{key}' is read-only and cannot be written"
        else:
            message = unknown_name_message("field", str(key), allowed)
        problems.append(FieldProblem(_path([*path, key]), message))
    return problems


def _explain_branches(error: Any, read_only: frozenset[str], field: str) -> list[FieldProblem]:
    """Explain an ``anyOf``/``oneOf`` failure through the branch the value was meant for."""
    branches: dict[int, list[Any]] = {}
    for sub in error.context or ():
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    candidates = [
        subs
        for subs in branches.values()
        # A branch whose top-level type already differs was not the one intended.
        if not any(sub.validator == "type" and not sub.relative_path for sub in subs)
    ]
    if candidates:
        best = min(candidates, key=len)
        problems: list[FieldProblem] = []
        for sub in best:
            problems.extend(_explain(sub, read_only))
        return problems
    allowed = [_branch_type(schema) for schema in error.validator_value]
    shapes = " or ".join(dict.fromkeys(a for a in allowed if a))
    detail = f"must be {shapes}" if shapes else "does not match any allowed form"
    return [FieldProblem(field, f"{detail} (got {_show(error.instance)})")]


def _branch_type(schema: Any) -> str:
    if not isinstance(schema, dict):
        return ""
    if "type" in schema:
        return _type_phrase(schema["type"])
    if "$ref" in schema:
        name = str(schema["$ref"]).rsplit("/", 1)[-1].removesuffix(".json")
        return f"a {name.replace('_', ' ')}"
    return ""


def _generic_message(keyword: str, value: Any, instance: Any, fallback: str) -> str:
    if keyword == "enum":
        options = ", ".join(str(option) for option in value)
        message = f"must be one of: {options} (got {_show(instance)})"
        if isinstance(instance, str):
            suggestion = closest(instance, [str(option) for option in value])
            if suggestion:
                message += f"; did you mean '{suggestion}'?"
        return message
    if keyword == "const":
        return f"must be {_show(value)} (got {_show(instance)})"
    if keyword == "minLength":
        return "must not be empty" if value == 1 else f"must be at least {value} characters long"
    if keyword == "maxLength":
        return f"must be at most {value} characters long"
    if keyword == "minItems":
        return "must contain at least one item" if value == 1 else f"needs at least {value} items"
    if keyword == "maxItems":
        return f"must contain at most {value} items"
    if keyword == "minProperties":
        return "must not be empty" if value == 1 else f"needs at least {value} fields"
    if keyword == "minimum":
        return f"must be at least {value} (got {_show(instance)})"
    if keyword == "maximum":
        return f"must be at most {value} (got {_show(instance)})"
    if keyword == "format":
        return f"must be a valid {value} (got {_show(instance)})"
    if keyword == "pattern":
        return f"must match the pattern {value} (got {_show(instance)})"
    if keyword == "propertyNames":
        return f"has an invalid key {_show(instance)}"
    if keyword == "not":
        return f"is not allowed (got {_show(instance)})"
    return str(fallback)


def _type_phrase(expected: Any) -> str:
    names = [expected] if isinstance(expected, str) else list(expected)
    words = {
        "null": "null",
        "boolean": "a boolean",
        "integer": "an integer",
        "number": "a number",
        "string": "a string",
        "array": "an array",
        "object": "an object",
    }
    phrases = [words.get(name, name) for name in names]
    return phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " or " + phrases[-1]


def _show(value: Any) -> str:
    kind = _JSON_TYPES.get(type(value), type(value).__name__)
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return text if kind in ("null", "boolean", "string", "object", "array") else f"{kind} {text}"
