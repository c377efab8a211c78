"""`unimap db status | upgrade | move`: the accounts database's schema, and moving accounts.

    unimap db status  [--url URL]       # the database's schema version and the one needed
    unimap db upgrade [--url URL]       # apply the missing migrations (safe to run again)
    unimap db move --to URL [--from URL]   # copy the accounts, still encrypted, idempotently

`--url` and `--from` default to `UNIMAP_DATABASE_URL` (the embedded `$UNIMAP_HOME/unimap.db`
when unset). Each prints one JSON object; passwords in URLs are shown as `***`. Exit codes: 0
on success, 1 when the database refused or could not be reached (the unified error as JSON on
standard error); `status` exits 1 too when the database is behind or ahead of this version.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import Any

from engine.accounts.database import (
    database_url,
    move_accounts,
    schema_status,
    upgrade_database,
)
from engine.accounts.postgres_store import safe_url
from engine.cli.call import print_error
from engine.errors import UnimapError

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the `db` command with its `status`, `upgrade` and `move` actions."""
    parser = subparsers.add_parser(
        "db",
        help="the accounts database: schema version, upgrade, move to another database",
        description="Manage the accounts database named by UNIMAP_DATABASE_URL "
        "(default: the embedded $UNIMAP_HOME/unimap.db).",
    )
    actions = parser.add_subparsers(dest="db_action", required=True, metavar="ACTION")
    url_help = "the database URL (default: UNIMAP_DATABASE_URL, else the embedded file)"
    status = actions.add_parser("status", help="show the schema version and the one needed")
    status.add_argument("--url", default=None, help=url_help)
    status.set_defaults(handler=run_status)
    upgrade = actions.add_parser("upgrade", help="apply the missing schema migrations")
    upgrade.add_argument("--url", default=None, help=url_help)
    upgrade.set_defaults(handler=run_upgrade)
    move = actions.add_parser(
        "move",
        help="copy every account (still encrypted) to another database",
        description="Copy the accounts and their encrypted credentials to another database "
        "(migrating it first). Rows already identical there are left alone, so running it "
        "again changes nothing. The same UNIMAP_SECRET_KEY decrypts them afterwards.",
    )
    move.add_argument("--to", required=True, metavar="URL", help="the target database URL")
    move.add_argument("--from", dest="source", default=None, metavar="URL", help=url_help)
    move.set_defaults(handler=run_move)


def run_status(args: argparse.Namespace) -> int:
    """Print the schema version of the database and the one this version needs."""
    url = args.url or database_url()
    try:
        version, needed = schema_status(url)
    except UnimapError as error:
        return print_error(error)
    state = "current" if version == needed else ("behind" if version < needed else "ahead")
    print(json.dumps({"url": safe_url(url), "version": version, "needed": needed, "state": state}))
    return 0 if state == "current" else 1


def run_upgrade(args: argparse.Namespace) -> int:
    """Apply the missing migrations and print what was done."""
    url = args.url or database_url()
    try:
        before, applied = upgrade_database(url)
    except UnimapError as error:
        return print_error(error)
    after = applied[-1] if applied else before
    print(json.dumps({"url": safe_url(url), "from": before, "to": after, "applied": applied}))
    return 0


def run_move(args: argparse.Namespace) -> int:
    """Copy the accounts to `--to` and print the counts per table."""
    source = args.source or database_url()
    try:
        report = move_accounts(source, args.to)
    except UnimapError as error:
        return print_error(error)
    print(json.dumps({"from": safe_url(source), "to": safe_url(args.to), **asdict(report)}))
    return 0
