"""`unimap validate [PATH ...] [--format text|json]`: check mapping files offline.

Exit codes: 0 when every mapping is valid, 1 when any is invalid, 2 on a usage or I/O error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from engine.loader.load import load_mappings
from engine.paths import mappings_dir


def register(subparsers: Any) -> None:
    """Add the `validate` sub-command."""
    parser = subparsers.add_parser(
        "validate",
        help="validate mapping files offline",
        description="Validate mapping files or folders (default: the bundled mappings/). "
        "Prints one line per problem as FILE:LINE:COLUMN: PATH: message.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="mapping file or folder")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Validate and print; return the exit code."""
    paths = [Path(p) for p in args.paths] or [mappings_dir()]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"unimap validate: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        result = load_mappings(paths)
    except OSError as exc:
        print(f"unimap validate: {exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps([p.to_dict() for p in result.problems], indent=2))
    else:
        for problem in result.problems:
            print(problem.to_text())
        if result.ok:
            providers = ", ".join(sorted(result.providers)) or "none"
            summary = f"ok: {len(result.files)} file(s) valid (providers: {providers})"
        else:
            summary = f"{len(result.problems)} problem(s) in {len(result.files)} file(s)"
        print(summary, file=sys.stderr)
    return 0 if result.ok else 1
