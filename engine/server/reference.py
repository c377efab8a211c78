"""`GET /openapi.json` (the OpenAPI 3.1 document) and `GET /docs` (it, rendered as HTML).

The document is assembled from the route groups: every module of `ROUTE_MODULES` that
exports `openapi_paths(context) -> dict` contributes its paths (the unified ones come from the
contract and say which providers support each operation). Components are the unified JSON
Schemas (`engine.server.openapi_schemas`). Both routes are public: the document holds no
account data.
"""

from __future__ import annotations

import html
import importlib
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import BaseRoute, Route

from engine import __version__
from engine.server.context import ServerContext
from engine.server.openapi_schemas import SERVER_COMPONENTS, answer, components, operation

__all__ = ["document", "openapi_paths", "render", "routes"]

_DESCRIPTION = (
    "The unified marketing-automation API of Unimap, over HTTP. Authenticate with "
    "`Authorization: Bearer <API token>` (`unimap tokens create NAME`) or an account-scoped "
    "token (`POST /account-tokens`). Every error is the unified error object (`error`)."
)


def document(context: ServerContext) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the server's routes."""
    from engine.server.app import ROUTE_MODULES

    paths: dict[str, Any] = {}
    for name in ROUTE_MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "openapi_paths"):
            for path, operations in module.openapi_paths(context).items():
                paths.setdefault(path, {}).update(operations)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Unimap", "version": __version__, "description": _DESCRIPTION},
        "servers": [{"url": context.settings.public_url}],
        "security": [{"bearer": []}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": {**components(), **SERVER_COMPONENTS},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def openapi_paths(context: ServerContext) -> dict[str, Any]:
    """The paths of this module: the document and its rendering."""
    return {
        "/openapi.json": {
            "get": operation(
                "This OpenAPI document",
                public=True,
                tag="meta",
                operation_id="openapi",
                responses={"200": answer("The document", {"type": "object"})},
            )
        },
        "/docs": {
            "get": operation(
                "This document, rendered as HTML",
                public=True,
                tag="meta",
                operation_id="docs",
                responses={
                    "200": {
                        "description": "The reference page",
                        "content": {"text/html": {"schema": {"type": "string"}}},
                    }
                },
            )
        },
    }


def _parameters(op: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><td><code>{html.escape(p['name'])}</code></td><td>{html.escape(p['in'])}</td>"
        f"<td>{'yes' if p.get('required') else 'no'}</td>"
        f"<td>{html.escape(p.get('description', ''))}</td></tr>"
        for p in op.get("parameters", [])
    )
    if not rows:
        return ""
    head = "<tr><th>name</th><th>in</th><th>required</th><th>what</th></tr>"
    return f"<table>{head}{rows}</table>"


def _operation(path: str, verb: str, op: dict[str, Any]) -> str:
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
    schema = body.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
    statuses = ", ".join(code for code in op["responses"] if code != "default")
    parts = [
        f"<section><h3><code>{verb.upper()} {html.escape(path)}</code></h3>",
        f"<p>{html.escape(op['summary'])}</p>",
    ]
    if op.get("description"):
        parts.append(f"<pre>{html.escape(op['description'])}</pre>")
    parts.append(_parameters(op))
    if schema:
        parts.append(f'<p>Body: <a href="#schema-{schema}"><code>{schema}</code></a></p>')
    parts.append(f"<p>Answers: {html.escape(statuses)}; errors: the unified error object.</p>")
    return "".join(parts) + "</section>"


def render(doc: dict[str, Any]) -> str:
    """The document as one self-contained HTML page (no script, no external asset)."""
    sections = [
        _operation(path, verb, op)
        for path, operations in doc["paths"].items()
        for verb, op in operations.items()
    ]
    schemas = "".join(
        f'<details id="schema-{html.escape(name)}"><summary><code>{html.escape(name)}</code>'
        f"</summary><pre>{html.escape(_json(schema))}</pre></details>"
        for name, schema in doc["components"]["schemas"].items()
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Unimap API reference</title><style>{_STYLE}</style></head><body><main>"
        f"<h1>Unimap API {html.escape(doc['info']['version'])}</h1>"
        f"<p>{html.escape(doc['info']['description'])}</p>"
        '<p>Machine-readable: <a href="/openapi.json">/openapi.json</a>.</p>'
        f"<h2>Routes</h2>{''.join(sections)}<h2>Schemas</h2>{schemas}</main></body></html>"
    )


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


_STYLE = (
    "body{font-family:system-ui,sans-serif;line-height:1.5;margin:0;color:#1a1a1a}"
    "main{max-width:60rem;margin:auto;padding:1rem}section{border-top:1px solid #ccc}"
    "pre{background:#f4f4f4;padding:.5rem;overflow:auto}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}"
)


def routes(context: ServerContext) -> list[BaseRoute]:
    """`/openapi.json` and `/docs` (built once, on first request)."""
    built: dict[str, Any] = {}

    def cached() -> dict[str, Any]:
        if "doc" not in built:
            built["doc"] = document(context)
        return built["doc"]  # type: ignore[no-any-return]

    async def openapi(request: Request) -> JSONResponse:
        return JSONResponse(cached())

    async def docs(request: Request) -> HTMLResponse:
        if "html" not in built:
            built["html"] = render(cached())
        return HTMLResponse(built["html"])

    return [
        Route("/openapi.json", openapi, methods=["GET"]),
        Route("/docs", docs, methods=["GET"]),
    ]
