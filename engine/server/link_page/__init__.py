"""The hosted link page and the link tokens that open it (`docs/server.md`, "The link page").

* `tokens_route`: `POST /link-tokens` (host app) issues a short-lived, single-use token.
* `page`: `GET /link/{token}` shows the form; its `POST` checks, links and redirects.
* `linker`: link or re-authorise with the token's permission, consuming it atomically.
* `form` (pure): the fields a provider declares, and parsing a submission.
* `html` (pure): the pages, escaped, and their security headers.
* `csrf`: the signed double-submit cookie guarding the form.
* `redirects` (pure): checking `redirect_uri` and adding the new account's id.
* `logs`: masks link tokens in uvicorn's access log.

The tokens themselves (model, hashing, stores) are in `engine.accounts.link_tokens`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

    from engine.server.context import ServerContext

__all__ = ["openapi_paths", "routes"]


def routes(context: ServerContext) -> list[BaseRoute]:
    """`POST /link-tokens`, `GET /link/{token}` and `POST /link/{token}`."""
    from engine.server.link_page import logs, page, tokens_route

    logs.install()
    return [*tokens_route.routes(context), *page.routes(context)]


def openapi_paths(context: ServerContext) -> dict[str, Any]:
    """`POST /link-tokens` (the page itself is HTML for people, left out of the document)."""
    from engine.server.link_page import tokens_route

    return tokens_route.openapi_paths(context)
