"""Load the unified JSON Schemas once and answer questions about them.

The schemas live in ``schemas/unified/marketing_automation/`` (found with
:func:`engine.paths.schemas_dir`, so this works in a checkout and in a wheel). Every file has
an ``$id`` under :data:`BASE_URI` and refers to the others by it; all files are loaded into
one :class:`referencing.Registry`, so cross-file ``$ref`` s resolve without any network
access.

Resources, their methods and filters are listed once, in the index ``resources.json``
(``x-resources``): ``contacts``, ``lists``, ``segments``, ``custom_fields``, plus ``events``
(webhook events, record schema only, no methods).
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urljoin

from engine.errors import ConfigurationError
from engine.paths import schemas_dir
from engine.suggest import unknown_name_message

if TYPE_CHECKING:  # jsonschema loads when a validator is first built, not at import
    from referencing import Registry

__all__ = [
    "BASE_URI",
    "RECORD_SCHEMAS",
    "WRITE_SCHEMAS",
    "all_methods",
    "array_item_fields",
    "callable_resources",
    "envelope_validator",
    "event_types",
    "filters",
    "list_envelope_schema",
    "methods",
    "record_schema",
    "record_validator",
    "registry",
    "required_fields",
    "resource_fields",
    "resources",
    "schema_by_name",
    "schema_folder",
    "takes_id",
    "validator_for",
    "writable_fields",
    "write_schema",
    "write_validator",
]

BASE_URI = "https://unimap.dev/schemas/unified/marketing_automation/"
"""The ``$id`` prefix of every unified schema file."""

INDEX_FILE = "resources.json"
"""The contract's index: resources, their record and body schema files, methods and filters."""


def schema_folder() -> Path:
    """The folder holding the unified marketing-automation schema files."""
    return schemas_dir() / "unified" / "marketing_automation"


@cache
def _index() -> dict[str, dict[str, Any]]:
    path = schema_folder() / INDEX_FILE
    try:
        resources = json.loads(path.read_text(encoding="utf-8"))["x-resources"]
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigurationError(f"cannot read the unified index {path}: {exc}") from None
    assert isinstance(resources, dict)
    return resources


RECORD_SCHEMAS: dict[str, str] = {name: r["record"] for name, r in _index().items()}
"""Resource name → the file holding its record schema (from `resources.json`)."""

WRITE_SCHEMAS: dict[str, dict[str, str | None]] = {
    name: {method: spec["body"] for method, spec in r["methods"].items()}
    for name, r in _index().items()
}
"""Resource → method → the file holding its body schema (``None``: the method takes no body).

Each item of a ``contacts.bulk_upsert`` body is validated on its own with the
``contacts.upsert`` schema, so one bad item fails only its own result.
"""

_WRITE_SHAPE: dict[str, str] = {name: r["write"] for name, r in _index().items() if r["write"]}


@cache
def _documents() -> dict[str, dict[str, Any]]:
    documents: dict[str, dict[str, Any]] = {}
    for path in sorted(schema_folder().glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        expected = BASE_URI + path.name
        if document.get("$id") != expected:
            raise ConfigurationError(
                f"schema {path.name} has $id {document.get('$id')!r}, expected {expected!r}"
            )
        documents[path.name] = document
    if not documents:
        raise ConfigurationError(f"no unified schemas found in {schema_folder()}")
    return documents


@cache
def registry() -> Registry[Any]:
    """A registry holding every unified schema file, keyed by its ``$id``."""
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    resources: list[tuple[str, Resource[Any]]] = [
        (document["$id"], DRAFT202012.create_resource(document))
        for document in _documents().values()
    ]
    return Registry().with_resources(resources)


def schema_by_name(filename: str) -> dict[str, Any]:
    """A copy of one schema file's contents, by file name (``"contact.json"``)."""
    documents = _documents()
    if filename not in documents:
        raise ConfigurationError(unknown_name_message("schema file", filename, documents))
    return copy.deepcopy(documents[filename])


def validator_for(schema: dict[str, Any]) -> Any:
    """A ``Draft202012Validator`` for ``schema`` that resolves ``$ref`` s to every unified file.

    Formats (``email``) are checked. Pass a schema from :func:`record_schema`,
    :func:`write_schema`, :func:`list_envelope_schema` or any schema that refers to the
    unified files by their ``$id``.
    """
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

    return Draft202012Validator(
        schema,
        registry=registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


@cache
def _validator_for_file(filename: str) -> Any:
    return validator_for(_documents()[filename])


def record_validator(resource: str) -> Any:
    """The cached validator of ``resource`` records (see :func:`validator_for`)."""
    _check_resource(resource)
    return _validator_for_file(RECORD_SCHEMAS[resource])


def write_validator(resource: str, method: str) -> Any | None:
    """The cached validator of ``resource.method`` bodies, or ``None`` when it takes no body."""
    filename = _write_file(resource, method)
    return None if filename is None else _validator_for_file(filename)


@cache
def envelope_validator(resource: str) -> Any:
    """The cached validator of list-call envelopes of ``resource`` records."""
    return validator_for(list_envelope_schema(resource))


def resources() -> list[str]:
    """The resource names that have a record schema, in contract order."""
    return list(RECORD_SCHEMAS)


def _check_resource(resource: str) -> None:
    if resource not in RECORD_SCHEMAS:
        raise ConfigurationError(unknown_name_message("unified resource", resource, RECORD_SCHEMAS))


def methods(resource: str) -> list[str]:
    """The contract's methods for ``resource`` (``events`` has none: it is webhook-only)."""
    _check_resource(resource)
    return list(WRITE_SCHEMAS[resource])


def callable_resources() -> list[str]:
    """The resources that have methods (all but webhook-only ones such as ``events``)."""
    return [name for name, by_method in WRITE_SCHEMAS.items() if by_method]


def all_methods() -> list[str]:
    """Every method name of the contract, in contract order, each once."""
    return list(dict.fromkeys(m for by_method in WRITE_SCHEMAS.values() for m in by_method))


RECORD_WRITES: frozenset[str] = frozenset({"create", "update", "upsert"})
"""Methods whose body is one record's writable fields and whose answer is that record."""


def takes_id(resource: str, method: str) -> bool:
    """Whether ``resource.method`` acts on one record named by its id (``get``, ``update``…)."""
    _write_file(resource, method)
    return bool(_index()[resource]["methods"][method]["id"])


def filters(resource: str) -> list[str]:
    """The filters ``resource.list`` accepts besides ``limit`` and ``next_cursor``."""
    _check_resource(resource)
    return list(_index()[resource]["filters"])


def event_types() -> tuple[str, ...]:
    """The unified webhook event types (the enum of ``event.json``'s ``type``)."""
    type_schema = _documents()["event.json"]["properties"]["type"]
    for option in type_schema.get("anyOf", [type_schema]):
        if "enum" in option:
            return tuple(option["enum"])
    raise ConfigurationError("event.json declares no enum of event types")


def record_schema(resource: str) -> dict[str, Any]:
    """A copy of the record schema of ``resource`` (e.g. ``contacts`` → ``contact.json``).

    Raises :class:`~engine.errors.ConfigurationError` for an unknown resource.
    """
    _check_resource(resource)
    return schema_by_name(RECORD_SCHEMAS[resource])


def _write_file(resource: str, method: str) -> str | None:
    _check_resource(resource)
    by_method = WRITE_SCHEMAS[resource]
    if method not in by_method:
        raise ConfigurationError(unknown_name_message(f"method for {resource}", method, by_method))
    return by_method[method]


def write_schema(resource: str, method: str) -> dict[str, Any] | None:
    """A copy of the body schema of ``resource.method``, or ``None`` when it takes no body.

    ``get``, ``list`` and ``delete`` take no body. Raises
    :class:`~engine.errors.ConfigurationError` for an unknown resource or method.
    """
    filename = _write_file(resource, method)
    return None if filename is None else schema_by_name(filename)


def list_envelope_schema(resource: str) -> dict[str, Any]:
    """The list-call envelope schema with ``result`` items bound to the record of ``resource``.

    It extends ``list_envelope.json`` through its ``$dynamicAnchor: item``; validate with
    :func:`validator_for`.
    """
    _check_resource(resource)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{BASE_URI}list_envelope/{resource}.json",
        "title": f"List envelope of {resource}",
        "description": f"A page of {resource} as returned by {resource}.list.",
        "$ref": BASE_URI + "list_envelope.json",
        "$defs": {
            "item": {"$dynamicAnchor": "item", "$ref": BASE_URI + RECORD_SCHEMAS[resource]},
        },
    }


def _resolve(schema: dict[str, Any], base: str) -> tuple[dict[str, Any], str]:
    """Follow a chain of bare ``$ref`` s to the schema that holds the content, and its base URI."""
    while "$ref" in schema and "properties" not in schema and "items" not in schema:
        target = urljoin(base, schema["$ref"])
        resolved = registry().resolver(base_uri=base).lookup(target)
        schema = resolved.contents
        base = urldefrag(target).url
    return schema, base


def _properties(filename: str) -> dict[str, Any]:
    schema = _documents()[filename]
    schema, _ = _resolve(schema, schema["$id"])
    properties = schema.get("properties", {})
    assert isinstance(properties, dict)
    return properties


def resource_fields(resource: str) -> set[str]:
    """The unified field names of a ``resource`` record (top level), e.g. ``{"id", "email", ...}``.

    Used by the mapping validator to catch misspelt unified fields.
    """
    _check_resource(resource)
    return set(_properties(RECORD_SCHEMAS[resource]))


@cache
def field_enum(resource: str, field: str) -> tuple[str, ...]:
    """The closed set of values of a record field (e.g. contact `status`), or `[]` if open."""
    _check_resource(resource)
    filename = RECORD_SCHEMAS[resource]
    schema = _properties(filename).get(field)
    if not isinstance(schema, dict):
        return ()
    resolved, _ = _resolve(schema, BASE_URI + filename)
    if "enum" not in resolved and "$ref" in resolved:
        resolved, _ = _resolve({"$ref": resolved["$ref"]}, BASE_URI + filename)
    return tuple(value for value in resolved.get("enum", []) if isinstance(value, str))


def required_fields(resource: str) -> set[str]:
    """The fields every ``resource`` record must carry (all but ``remote_data``)."""
    _check_resource(resource)
    required = _documents()[RECORD_SCHEMAS[resource]].get("required", [])
    return set(required)


def writable_fields(resource: str) -> set[str]:
    """The fields a caller may write on ``resource`` (empty for read-only resources)."""
    _check_resource(resource)
    filename = _WRITE_SHAPE.get(resource)
    return set(_properties(filename)) if filename else set()


def array_item_fields(resource: str, field: str) -> set[str]:
    """The keys of the objects inside an array field of a record, e.g. contact ``addresses``.

    ``array_item_fields("contacts", "addresses")`` →
    ``{"street_1", "street_2", "city", "state", "postal_code", "country", "type"}``. Raises
    :class:`~engine.errors.ConfigurationError` when ``field`` is not an array of objects.
    """
    _check_resource(resource)
    filename = RECORD_SCHEMAS[resource]
    properties = _properties(filename)
    if field not in properties:
        raise ConfigurationError(unknown_name_message(f"{resource} field", field, properties))
    array, base = _resolve(properties[field], BASE_URI + filename)
    items = array.get("items")
    if array.get("type") != "array" or not isinstance(items, dict):
        raise ConfigurationError(f"{resource} field '{field}' is not an array of objects")
    item, _ = _resolve(items, base)
    return set(item.get("properties", {}))
