"""`unimap proxy PROVIDER METHOD PATH`: one call to the provider's own API.

    unimap proxy acme GET /subscribers --query limit=5 --paginate --api-key KEY
    unimap proxy acme POST /groups --body '{"name": "VIP"}' --account ID

Credentials, pacing and retries are those of unified calls. JSON on stdout: `{"status",
"headers", "body"}`, or with `--paginate` the unified envelope (continue with
`--query next_cursor=CURSOR`). A failure (including a refused path) exits 1 with the unified
error as JSON on stderr.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from engine.cli.call import add_connection_arguments, open_connection, print_error, read_body
from engine.errors import UnimapError, ValidationError


def register(subparsers: Any) -> None:
    """Add the `proxy` sub-command."""
    parser = subparsers.add_parser(
        "proxy",
        help="call the provider's own API with an account's credentials",
        description="Send one request to a path under the provider's base URL, with the "
        "credentials, pacing and retries of unified calls.",
    )
    parser.add_argument("provider")
    parser.add_argument("method", help="GET, POST, PUT, PATCH, DELETE, ...")
    parser.add_argument("path", help="relative path under the base URL, e.g. /subscribers")
    parser.add_argument(
        "--query", action="append", default=[], metavar="KEY=VALUE", help="query parameter"
    )
    parser.add_argument("--body", help="JSON body, or @FILE to read it from a file")
    parser.add_argument(
        "--paginate", action="store_true", help="wrap a list response in the unified envelope"
    )
    add_connection_arguments(parser)
    parser.set_defaults(handler=run)


def query_list(pairs: list[str]) -> list[tuple[str, str]]:
    """`KEY=VALUE` arguments as pairs (a repeated key is sent repeatedly)."""
    out: list[tuple[str, str]] = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValidationError(f"--query '{pair}' is not KEY=VALUE")
        out.append((key, value))
    return out


def run(args: argparse.Namespace) -> int:
    """Send the request and print the result."""
    try:
        query = query_list(args.query)
        body = read_body(args.body)
        with open_connection(args) as connection:
            result = connection.proxy(
                args.method, args.path, query or None, body, paginate=args.paginate
            )
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return 0
    except UnimapError as error:
        return print_error(error)
