"""`POST /batch`: up to 50 sub-requests run in order through the same handlers.

The outer answer is always 200 `{"total", "successful", "failed", "responses": [{code, body}]}`
(invalid batch input is a 422 keyed like `requests.0.method`). Webhook endpoints and nested
batches are not available inside a batch and answer the unknown-route 404.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from simulators.core.messages import SimRequest, SimResponse, dumps, json_response
from simulators.mailerlite import validation as v
from simulators.mailerlite.messages import ApiError, route_not_found, validation_error
from simulators.mailerlite.router import Context, Router

MAX_REQUESTS = 50
"""Most sub-requests one batch may carry."""

METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")


def validate(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The list of sub-requests, or a 422 in Laravel's words."""
    errors: v.Errors = {}
    requests = body.get("requests")
    if requests is None or requests == []:
        raise validation_error({"requests": ["The requests field is required."]})
    if not isinstance(requests, list):
        raise validation_error({"requests": ["The requests must be an array."]})
    if len(requests) > MAX_REQUESTS:
        raise validation_error(
            {"requests": [f"The requests may not have more than {MAX_REQUESTS} items."]}
        )
    for index, item in enumerate(requests):
        prefix = f"requests.{index}"
        if not isinstance(item, dict):
            v.add(errors, prefix, f"The {prefix} must be an array.")
            continue
        method = item.get("method")
        if not method:
            v.add(errors, f"{prefix}.method", f"The {prefix}.method field is required.")
        elif not isinstance(method, str) or method.upper() not in METHODS:
            v.add(errors, f"{prefix}.method", f"The selected {prefix}.method is invalid.")
        path = item.get("path")
        if not path:
            v.add(errors, f"{prefix}.path", f"The {prefix}.path field is required.")
        elif not isinstance(path, str) or not path.lstrip("/").startswith("api/"):
            v.add(errors, f"{prefix}.path", f"The {prefix}.path format is invalid.")
        if item.get("body") is not None and not isinstance(item["body"], dict):
            v.add(errors, f"{prefix}.body", f"The {prefix}.body must be an array.")
    if errors:
        raise validation_error(errors)
    return requests


def is_import_batch(raw_body: bytes) -> bool:
    """Whether a batch body consists only of `POST api/subscribers` upserts (import limit)."""
    try:
        body = json.loads(raw_body) if raw_body else {}
    except ValueError:
        return False
    requests = body.get("requests") if isinstance(body, dict) else None
    if not isinstance(requests, list) or not requests:
        return False
    for item in requests:
        if not isinstance(item, dict):
            return False
        method = str(item.get("method", "")).upper()
        path = str(item.get("path", "")).strip("/").split("?")[0]
        if method != "POST" or path != "api/subscribers":
            return False
    return True


def _flatten(prefix: str, value: Any, out: dict[str, str]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(f"{prefix}[{key}]" if prefix else str(key), inner, out)
    elif value is not None:
        out[prefix] = str(value).lower() if isinstance(value, bool) else str(value)


def sub_request(parent: SimRequest, item: dict[str, Any]) -> SimRequest:
    """The standalone request a batch item stands for (GET bodies become query parameters)."""
    method = str(item["method"]).upper()
    parts = urlsplit("/" + str(item["path"]).lstrip("/"))
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    body = item.get("body") or {}
    raw = b""
    if method == "GET":
        _flatten("", body, query)
    elif body:
        raw = dumps(body)
    return SimRequest(method, parts.path, query, dict(parent.headers), raw, parent.base_url)


def make_handler(router: Router) -> Any:
    """The `POST /batch` handler bound to the router its sub-requests go through."""

    def run_batch(ctx: Context) -> SimResponse:
        requests = validate(ctx.body())
        responses: list[dict[str, Any]] = []
        for item in requests:
            request = sub_request(ctx.request, item)
            try:
                top = request.path.strip("/").split("/")
                if len(top) > 1 and top[1] in ("webhooks", "batch"):
                    raise route_not_found(request.path.strip("/"))
                handler, params = router.resolve(request.method, request.path)
                response = handler(Context(ctx.state, request, params))
            except ApiError as error:
                response = error.response()
            responses.append({"code": response.status, "body": response.json()})
        successful = sum(1 for r in responses if 200 <= r["code"] < 300)
        return json_response(
            200,
            {
                "total": len(responses),
                "successful": successful,
                "failed": len(responses) - successful,
                "responses": responses,
            },
        )

    return run_batch


def register(router: Router) -> None:
    """Add `POST /batch`, dispatching through `router` itself."""
    router.add("POST", "batch", make_handler(router))
