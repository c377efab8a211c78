"""`unimap validate [PATH ...]` checks mapping files offline; `unimap schema` prints the
editor JSON Schema of mapping files (or writes it with `--write PATH`).

Validate's exit codes: 0 when every mapping is valid, 1 when any is invalid, 2 on a usage or
I/O error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from engine.cli.mappings import add_mappings_argument
from engine.paths import env_mapping_folders, mappings_dir


def register(subparsers: Any) -> None:
    """Add the `validate` and `schema` sub-commands."""
    parser = subparsers.add_parser(
        "validate",
        help="validate mapping files offline",
        description="Validate mapping files or folders (default: the bundled mappings/ plus "
        "the folders of $UNIMAP_MAPPINGS). Prints one line per problem as "
        "FILE:LINE:COLUMN: PATH: message.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="mapping file or folder")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    add_mappings_argument(parser)
    parser.set_defaults(handler=run)
    schema = subparsers.add_parser(
        "schema",
        help="print or write the JSON Schema of mapping files",
        description="Print the JSON Schema that editors use to check mapping files, or write "
        "it to a file with --write (point a file's `$schema` line at it).",
    )
    schema.add_argument("--write", metavar="PATH", help="write the schema to PATH")
    schema.set_defaults(handler=run_schema)


def _layers(args: argparse.Namespace) -> list[list[Path]]:
    """PATHs as given (else the bundled mappings and $UNIMAP_MAPPINGS), then each --mappings."""
    if args.paths:
        layers = [[Path(p) for p in args.paths]]
    else:
        layers = [[mappings_dir()], *([folder] for folder in env_mapping_folders())]
    return layers + [[Path(folder)] for folder in args.mappings]


def run(args: argparse.Namespace) -> int:
    """Validate and print; return the exit code."""
    layers = _layers(args)
    missing = [str(p) for layer in layers for p in layer if not p.exists()]
    if missing:
        print(f"unimap validate: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    from engine.loader.cached import validation_summary
    from engine.loader.problems import Problem

    try:
        result = validation_summary(layers)  # from the cache when these files were checked
    except OSError as exc:
        print(f"unimap validate: {exc}", file=sys.stderr)
        return 2
    problems = [Problem(**problem) for problem in result["problems"]]
    if args.format == "json":
        print(json.dumps([p.to_dict() for p in problems], indent=2))
    else:
        for problem in problems:
            print(problem.to_text())
    for note in [*result["replaced"], *result["notes"]]:
        print(note if note.startswith("note: ") else f"note: {note}", file=sys.stderr)
    if args.format != "json":
        if not problems:
            providers = ", ".join(result["providers"]) or "none"
            summary = f"ok: {result['files']} file(s) valid (providers: {providers})"
        else:
            summary = f"{len(problems)} problem(s) in {result['files']} file(s)"
        print(summary, file=sys.stderr)
    return 1 if problems else 0


def run_schema(args: argparse.Namespace) -> int:
    """Print the mapping JSON Schema, or write it to `--write PATH`."""
    from engine.format.jsonschema import render

    text = render()
    if args.write is None:
        sys.stdout.write(text)
        return 0
    target = Path(args.write)
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"unimap schema: cannot write {target}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"wrote {target}", file=sys.stderr)
    return 0
