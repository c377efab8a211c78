"""`unimap tokens create | list | revoke`: the API tokens host apps send to `unimap serve`.

    unimap tokens create NAME        # prints the token once, on stdout; keep it secret
    unimap tokens list [--format table|json]
    unimap tokens revoke ID_OR_NAME

Tokens live hashed (SHA-256) next to the accounts (`UNIMAP_DATABASE_URL`, else
`$UNIMAP_HOME/unimap.db`); a lost token
cannot be shown again, only revoked and replaced. Exit codes: 0 on success, 1 when the store
refused (the unified error as JSON on standard error), 2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from engine.accounts.model import utc_now
from engine.accounts.sql_tokens import default_token_store
from engine.accounts.tokens import create_token, find_token
from engine.errors import UnimapError

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the `tokens` sub-command and its `create`, `list` and `revoke` actions."""
    parser = subparsers.add_parser(
        "tokens",
        help="create, list and revoke API tokens for `unimap serve`",
        description="Manage the API tokens host apps authenticate to `unimap serve` with "
        "(stored hashed in the accounts database).",
    )
    actions = parser.add_subparsers(dest="tokens_action", required=True, metavar="ACTION")
    create = actions.add_parser(
        "create", help="create a token and print it (once)", description="Create an API token "
        "and print it on stdout; it is shown only this once."
    )
    create.add_argument("name", metavar="NAME", help="what the token is for, e.g. my-app")
    create.set_defaults(handler=run_create)
    listing = actions.add_parser("list", help="list tokens (never their secrets)")
    listing.add_argument("--format", choices=("table", "json"), default="table")
    listing.set_defaults(handler=run_list)
    revoke = actions.add_parser("revoke", help="revoke a token by id or name")
    revoke.add_argument("token", metavar="ID_OR_NAME", help="the token's id or name")
    revoke.set_defaults(handler=run_revoke)


def _fail(error: UnimapError) -> int:
    print(json.dumps(error.to_dict(), default=str), file=sys.stderr)
    return 1


def run_create(args: argparse.Namespace) -> int:
    """Create a token; print it on stdout and its id on stderr."""
    try:
        with default_token_store() as store:
            record, text = create_token(store, args.name)
    except UnimapError as error:
        return _fail(error)
    print(text)
    print(f"created API token {record.id} ({record.name}); it is shown only once", file=sys.stderr)
    return 0


def run_list(args: argparse.Namespace) -> int:
    """Print the tokens (a table or JSON lines)."""
    try:
        with default_token_store() as store:
            rows = [token.summary() for token in store.list()]
    except UnimapError as error:
        return _fail(error)
    if args.format == "json":
        for row in rows:
            print(json.dumps(row))
        return 0
    if not rows:
        print("no API tokens", file=sys.stderr)
        return 0
    for row in rows:
        state = "active" if row["active"] else f"revoked {row['revoked_at']}"
        print(f"{row['id']}  {row['name']}  created {row['created_at']}  {state}")
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    """Revoke one token (by id, or by the name of exactly one active token)."""
    try:
        with default_token_store() as store:
            record = store.revoke(find_token(store, args.token).id, utc_now())
    except UnimapError as error:
        return _fail(error)
    print(json.dumps({"revoked": record.id, "name": record.name}))
    return 0
