"""`unimap conformance PROVIDER`: which unified operations work against an account.

Read-only by default; `--allow-writes` adds the checks that create, change and delete records
(each named `unimap-conformance-*`, removed again where the provider can delete). One line per
check on stdout (`--format json`: one JSON object per line); exit 0 when no check failed,
1 otherwise, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from engine.cli.call import add_connection_arguments, open_connection, print_error
from engine.errors import UnimapError


def register(subparsers: Any) -> None:
    """Add the `conformance` sub-command."""
    parser = subparsers.add_parser(
        "conformance",
        help="check which unified operations work against a sandbox or test account",
        description="Run the provider contract suite against an account. Read-only unless "
        "--allow-writes is given.",
    )
    parser.add_argument("provider")
    add_connection_arguments(parser)
    parser.add_argument(
        "--allow-writes", action="store_true", help="also run checks that create and delete data"
    )
    parser.add_argument(
        "--check",
        action="append",
        default=[],
        metavar="NAME",
        help="run only this check (repeatable; the names are in docs/conformance.md)",
    )
    parser.add_argument(
        "--max-records", type=int, default=200, help="records read per listing check (default 200)"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run the checks and print one line each, then a summary."""
    from engine.conformance import CHECKS, CheckResult, Probe, run_checks
    from engine.suggest import did_you_mean

    names = [check.name for check in CHECKS]
    for name in args.check:
        if name not in names:
            print(
                f"unknown check '{name}'{did_you_mean(name, names)}; checks: {', '.join(names)}",
                file=sys.stderr,
            )
            return 2
    if args.max_records < 1:
        print("--max-records must be at least 1", file=sys.stderr)
        return 2

    def show(result: CheckResult) -> None:
        if args.format == "json":
            print(json.dumps(result.to_dict()), flush=True)
        else:
            print(f"{result.outcome:<13} {result.name:<38} {result.detail}", flush=True)

    try:
        with open_connection(args) as connection:
            probe = Probe(connection, allow_writes=args.allow_writes, max_records=args.max_records)
            results = run_checks(probe, args.check, on_result=show)
    except UnimapError as error:
        return print_error(error)
    counts = {o: sum(r.outcome == o for r in results) for o in ("ok", "failed", "not_supported")}
    if args.format == "text":
        print(
            f"{counts['ok']} ok, {counts['failed']} failed, "
            f"{counts['not_supported']} not supported, "
            f"{len(results) - sum(counts.values())} skipped"
        )
    return 1 if counts["failed"] else 0
