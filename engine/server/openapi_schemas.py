"""The unified JSON Schemas as OpenAPI components (`#/components/schemas/…`).

Each file of `schemas/unified/marketing_automation/` becomes one component named after it
(`contact.json` → `contact`); the shared definitions of `common.json` become `common_<name>`
(`common_id`, …); every `$ref` by `$id` is rewritten to the component. The generic list
envelope becomes one concrete component per resource (`contacts_envelope`: `result` items are
`contact` records), since OpenAPI tools do not follow `$dynamicRef`. Nothing is copied by
hand: the document always says what the contract says.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.accounts.model import AccountStatus
from engine.unified import schemas as unified

__all__ = [
    "HOST_ERRORS",
    "PROVIDER_ERRORS",
    "REF",
    "SERVER_COMPONENTS",
    "STATUSES",
    "account_parameters",
    "answer",
    "components",
    "error_answers",
    "json_content",
    "operation",
    "parameter",
    "ref",
]

#: Where components live in the document.
REF = "#/components/schemas/"
_SKIPPED = {"resources.json", "list_envelope.json"}


def ref(name: str) -> dict[str, str]:
    """A `$ref` to the component `name`."""
    return {"$ref": REF + name}


def _component_of(target: str) -> str:
    """`…/common.json#/$defs/id` → `common_id`; `…/contact.json` → `contact`."""
    path, _, fragment = target.removeprefix(unified.BASE_URI).partition("#")
    stem = path.removesuffix(".json")
    if fragment:
        return f"{stem}_{fragment.rsplit('/', 1)[-1]}"
    return stem


def _rewrite(node: Any) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(unified.BASE_URI):
                out[key] = REF + _component_of(value)
            elif key not in ("$schema", "$id"):
                out[key] = _rewrite(value)
        return out
    if isinstance(node, list):
        return [_rewrite(item) for item in node]
    return node


def _envelope(resource: str) -> dict[str, Any]:
    generic = unified.schema_by_name("list_envelope.json")
    properties = _rewrite(generic["properties"])
    record = _component_of(unified.BASE_URI + unified.RECORD_SCHEMAS[resource])
    properties["result"] = {**properties["result"], "items": ref(record)}
    return {
        "title": f"A page of {resource}",
        "description": f"What `GET …/{resource}` answers (`list_envelope.json`).",
        "type": "object",
        "properties": properties,
        "required": generic["required"],
        "additionalProperties": False,
    }


def components() -> dict[str, Any]:
    """Every unified schema as a component, plus one list envelope per resource."""
    found: dict[str, Any] = {}
    for path in sorted(unified.schema_folder().glob("*.json")):
        if path.name in _SKIPPED:
            continue
        document = unified.schema_by_name(path.name)
        stem = path.name.removesuffix(".json")
        for name, definition in document.pop("$defs", {}).items():
            found[f"{stem}_{name}"] = _rewrite(definition)
        if stem != "common":
            found[stem] = _rewrite(document)
    for resource in unified.resources():
        found[f"{resource}_envelope"] = _envelope(resource)
        if resource in unified.callable_resources() and "upsert" in unified.methods(resource):
            record = _component_of(unified.BASE_URI + unified.RECORD_SCHEMAS[resource])
            found[f"{record}_upserted"] = _upserted(found[record])
    return found


def _upserted(record: dict[str, Any]) -> dict[str, Any]:
    """The record as `upsert` answers it: with `created` (true: it did not exist)."""
    created = {"type": "boolean", "description": "True when the record was created."}
    return {
        **record,
        "title": f"{record.get('title', 'Record')}, upserted",
        "properties": {**record["properties"], "created": created},
        "required": [*record.get("required", []), "created"],
    }


# --------------------------------------------------------------------------- operations

#: The values of an account's `status`.
STATUSES = [status.value for status in AccountStatus]

#: The refusals of a route that needs a host app's API token (`operation(errors=...)`).
HOST_ERRORS: dict[int, str] = {
    401: "no valid API token (`unauthorized`)",
    403: "an account-scoped token: this route needs the host app's API token (`forbidden`)",
}

#: The refusals of a route calling a linked account's provider, its own included.
PROVIDER_ERRORS: dict[int, str] = {
    400: "the provider refused the request (`remote_error`), or the account's provider "
    "cannot do this (`configuration_error`)",
    401: "no valid token, or the provider rejected the account's credentials (`unauthorized`)",
    403: "a token scoped to another account, a disabled account, or the provider does not "
    "allow it (`forbidden`)",
    404: "no such linked account, or the provider has no such record (`not_found`)",
    409: "the provider reported a conflict (`validation_error`)",
    422: "an invalid field, or the provider refused the data (`validation_error`)",
    429: "the provider's rate limit was exceeded (`rate_limited`)",
    502: "the provider failed or could not be reached (`remote_error`, `connection_error`)",
    504: "the provider did not answer in time (`timeout`)",
}

_INTEGRATED_ACCOUNT: dict[str, Any] = {
    "title": "Integrated account",
    "description": "A linked account, without any secret (credential names only).",
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "provider": {"type": "string"},
        "label": {"type": "string"},
        "status": {"type": "string", "enum": STATUSES},
        "created_at": {"type": "string"},
        "last_used_at": {"type": ["string", "null"]},
        "base_url": {"type": ["string", "null"]},
        "credentials": {"type": "array", "items": {"type": "string"}},
        "metadata": {"type": "object"},
        "secret_metadata": {"type": "array", "items": {"type": "string"}},
        "settings": {"type": "object"},
        "tenant_id": {"type": ["string", "null"]},
    },
    "required": ["id", "provider", "status", "credentials", "tenant_id"],
}


#: Components the server itself answers with (besides the unified ones).
SERVER_COMPONENTS: dict[str, Any] = {
    "item_results": {
        "title": "Per-item results",
        "description": "One result per input item, in order: `{success: true, ...}` or "
        "`{success: false, error: <unified error>}`.",
        "type": "object",
        "properties": {"result": {"type": "array", "items": {"type": "object"}}},
        "required": ["result"],
    },
    "integrated_account": _INTEGRATED_ACCOUNT,
    "deleted": {
        "type": "object",
        "properties": {"id": ref("common_id")},
        "required": ["id"],
    },
}


def parameter(
    name: str,
    where: str,
    schema: dict[str, Any] | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    """One OpenAPI parameter `where` ("path", "query" or "header"): a path parameter is
    required, the others optional; the schema is a string unless given."""
    found: dict[str, Any] = {
        "name": name,
        "in": where,
        "required": where == "path",
        "schema": schema or {"type": "string"},
    }
    if description is not None:
        found["description"] = description
    return found


def account_parameters() -> list[dict[str, Any]]:
    """`integrated_account_id` (query) and `X-Integrated-Account-Id` (header): give one."""
    described = "The linked account to call (this or the `X-Integrated-Account-Id` header)."
    return [
        parameter("integrated_account_id", "query", {"type": "string", "minLength": 1}, described),
        parameter(
            "X-Integrated-Account-Id",
            "header",
            {"type": "string", "minLength": 1},
            "The linked account, when not given as a query parameter.",
        ),
    ]


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    """`{"application/json": {"schema": schema}}`."""
    return {"application/json": {"schema": schema}}


def operation(
    summary: str,
    *,
    responses: dict[str, Any],
    description: str = "",
    parameters: list[dict[str, Any]] | None = None,
    body: dict[str, Any] | None = None,
    public: bool = False,
    tag: str = "",
    operation_id: str = "",
    errors: Mapping[int, str] | None = None,
) -> dict[str, Any]:
    """One OpenAPI operation; every one answers errors with the unified error object.

    `errors` lists every status the operation can refuse with (status → when): each is
    documented with the unified error object, and `default` stays for what no route
    chooses (500 on an unexpected failure, 503 when a backend is down).
    """
    found: dict[str, Any] = {"summary": summary}
    if operation_id:
        found["operationId"] = operation_id
    if tag:
        found["tags"] = [tag]
    if description:
        found["description"] = description
    if parameters:
        found["parameters"] = parameters
    if body is not None:
        found["requestBody"] = {"required": True, "content": json_content(body)}
    found["responses"] = {
        **responses,
        **error_answers(errors or {}),
        "default": {"description": "A unified error", "content": json_content(ref("error"))},
    }
    if public:
        found["security"] = []
    return found


def error_answers(errors: Mapping[int, str]) -> dict[str, Any]:
    """The responses of `errors` (status → when), each a unified error object."""
    return {
        str(status): answer(f"A unified error: {when}", ref("error"))
        for status, when in sorted(errors.items())
    }


def answer(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """A response: `description`, and a JSON body of `schema` when given."""
    if schema is None:
        return {"description": description}
    return {"description": description, "content": json_content(schema)}
