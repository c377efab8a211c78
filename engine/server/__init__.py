"""`unimap serve`: the unified API over HTTP (a surface, like `engine/cli`).

* `context`: `ServerContext` (engine, account store, token store, settings) and request
  authentication (`Caller`).
* `errors`: every unified error as a JSON response with its HTTP status.
* `app`: `create_app(context)`, assembling the route groups listed in `ROUTE_MODULES`; each
  module exports `routes(context) -> list[BaseRoute]`.

Starlette and uvicorn come with the `server` extra; nothing outside this package and
`unimap serve` imports them. See `docs/server.md`.
"""
