"""`unimap accounts add | list | remove`: manage linked accounts in `$UNIMAP_HOME/unimap.db`.

    unimap accounts add acme --api-key KEY [--credential NAME=VALUE ...]
                        [--label L] [--base-url URL] [--tenant TENANT_ID]
    unimap accounts list [--provider P] [--status S] [--tenant T] [--format table|json]
    unimap accounts remove ID
    unimap accounts doctor [--format text|json]

`list` shows an account it cannot read (a secret that does not decrypt with the current key)
with status `unreadable` and the reason, and lists the others; `doctor` checks the key, the
database and every account.

`add` checks the credentials with the provider's `check` request before saving and prints the
new account as JSON (credential *names* only). `--api-key -` reads the key from standard input,
which keeps it out of the shell history and the process list. Exit codes: 0 on success, 1 when
the provider or the store refused (the unified error as JSON on standard error), 2 on a usage
error. No credential value is ever printed.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from engine.accounts.database import default_store
from engine.accounts.model import AccountStatus, UnreadableAccount, account_summary
from engine.cli.accounts_doctor import register_doctor
from engine.cli.mappings import add_mappings_argument, load_engine
from engine.errors import UnimapError
from engine.secrets import Secret, redact

__all__ = ["account_summary", "register"]


def register(subparsers: Any) -> None:
    """Add the `accounts` sub-command and its `add`, `list` and `remove` actions."""
    parser = subparsers.add_parser(
        "accounts",
        help="link, list and remove provider accounts",
        description="Manage the linked accounts stored (encrypted) in $UNIMAP_HOME/unimap.db.",
    )
    actions = parser.add_subparsers(dest="accounts_action", required=True, metavar="ACTION")

    add = actions.add_parser(
        "add",
        help="check credentials with the provider, then save a new account",
        description="Check the credentials with the provider's check request; save the account "
        "only when the provider accepts them. Prints the new account as JSON (no secrets).",
    )
    add.add_argument("provider", metavar="PROVIDER", help="mapping name, e.g. acme")
    add.add_argument(
        "--api-key",
        metavar="KEY",
        help="the API key (credential 'api_key'); '-' reads it from standard input",
    )
    add.add_argument(
        "--credential",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="another credential (repeatable); VALUE '-' reads it from standard input",
    )
    add.add_argument(
        "--setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a connection setting declared by the provider, stored with the account "
        "(repeatable; not secret)",
    )
    add.add_argument("--label", default="", help="a name for people (default: the provider)")
    add.add_argument(
        "--tenant", default=None, metavar="TENANT_ID", help="the host app's id for the customer"
    )
    add.add_argument("--base-url", default=None, metavar="URL", help="override the API base URL")
    add_mappings_argument(add)
    add.set_defaults(handler=run_add)

    _register_list(actions)

    remove = actions.add_parser("remove", help="remove a linked account and its credentials")
    remove.add_argument("account_id", metavar="ID", help="the account id (acc_...)")
    remove.set_defaults(handler=run_remove)
    register_doctor(actions)


def _register_list(actions: Any) -> None:
    listing = actions.add_parser("list", help="list linked accounts (never their secrets)")
    listing.add_argument("--provider", default=None, help="only this provider's accounts")
    listing.add_argument("--tenant", default=None, metavar="TENANT_ID", help="only this tenant's")
    listing.add_argument(
        "--status", default=None, choices=[s.value for s in AccountStatus], help="only this status"
    )
    listing.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="a table, or one JSON object per line",
    )
    listing.set_defaults(handler=run_list)


def _fail(error: UnimapError, secrets: list[Secret] | None = None) -> int:
    text = json.dumps(error.to_dict(), default=str)
    print(redact(text, secrets or []), file=sys.stderr)
    return 1


def _credentials(args: argparse.Namespace) -> dict[str, Secret] | None:
    """The credentials given on the command line, or None after printing a usage error.

    The values are wrapped in `Secret` and masked in `args`, so that no frame keeps a clear
    credential (error reporters capture frame locals).
    """
    credentials: dict[str, Secret] = {}
    stdin_used = False

    def value_of(raw: str) -> Secret:
        nonlocal stdin_used
        if raw != "-":
            return Secret(raw)
        if stdin_used:
            raise ValueError("only one credential can be read from standard input")
        stdin_used = True
        return Secret(sys.stdin.readline().rstrip("\r\n"))

    try:
        if args.api_key is not None:
            credentials["api_key"] = value_of(args.api_key)
        for item in args.credential:
            name, sep, raw = item.partition("=")
            name = name.strip()
            if not sep or not name:
                # Never echo the item: its value is a secret.
                raise ValueError("--credential expects NAME=VALUE")
            if name in credentials:
                raise ValueError(f"credential '{name}' is given twice")
            credentials[name] = value_of(raw)
    except ValueError as exc:
        print(f"unimap accounts add: {exc}", file=sys.stderr)
        return None
    finally:
        if args.api_key is not None:
            args.api_key = "********"
        args.credential = [item.partition("=")[0] + "=********" for item in args.credential]
    return credentials


def run_add(args: argparse.Namespace) -> int:
    """Check and save a new account; print it as JSON."""
    from engine.cli.call import parse_pairs
    from engine.linking import link_account

    credentials = _credentials(args)
    if credentials is None:
        return 2
    secrets = list(credentials.values())
    try:
        settings = parse_pairs(args.setting, "--setting")
        engine = load_engine(args)
        with default_store() as store:
            account = link_account(
                engine,
                store,
                args.provider,
                credentials,
                label=args.label,
                base_url=args.base_url,
                settings=settings,
                tenant_id=args.tenant,
            )
    except UnimapError as error:
        return _fail(error, secrets)
    print(json.dumps(account_summary(account), indent=2))
    return 0


_COLUMNS = ("id", "provider", "tenant_id", "label", "status", "last_used_at", "base_url")


def _unreadable_row(account: UnreadableAccount) -> dict[str, Any]:
    return {
        "id": account.id,
        "provider": account.provider,
        "tenant_id": None,
        "label": None,
        "status": "unreadable",
        "last_used_at": None,
        "base_url": None,
        "reason": account.reason,
    }


def run_list(args: argparse.Namespace) -> int:
    """Print the linked accounts (a table or JSON lines); unreadable ones with a reason."""
    try:
        with default_store() as store:
            accounts, unreadable = store.scan(
                provider=args.provider, status=args.status, tenant_id=args.tenant
            )
    except UnimapError as error:
        return _fail(error)
    rows = [account_summary(account) for account in accounts]
    rows += [_unreadable_row(account) for account in unreadable]
    if unreadable:
        print(
            f"{len(unreadable)} account(s) cannot be read; run `unimap accounts doctor`",
            file=sys.stderr,
        )
    if args.format == "json":
        for row in rows:
            print(json.dumps(row))
        return 0
    if not rows:
        print("no linked accounts", file=sys.stderr)
        return 0
    cells = [[str(row[c] if row[c] is not None else "-") for c in _COLUMNS] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(_COLUMNS)]
    print("  ".join(c.upper().ljust(w) for c, w in zip(_COLUMNS, widths, strict=True)).rstrip())
    for row_cells in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row_cells, widths, strict=True)).rstrip())
    return 0


def run_remove(args: argparse.Namespace) -> int:
    """Remove an account and its stored credentials."""
    try:
        with default_store() as store:
            store.remove(args.account_id)
    except UnimapError as error:
        return _fail(error)
    print(json.dumps({"removed": args.account_id}))
    return 0
