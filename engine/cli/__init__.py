"""The `unimap` command line.

Each feature module owns its sub-commands in a `register(subparsers)` function that adds its
parser and sets `handler` (a callable taking the parsed namespace and returning an exit code).
This module only wires them together.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence

from engine import __version__

# Modules that contribute sub-commands, each exposing `register(subparsers) -> None`.
COMMAND_MODULES: tuple[str, ...] = (
    "engine.cli.validate",
    "engine.cli.accounts",
    "engine.cli.db",
    "engine.cli.call",
    "engine.cli.conformance",
    "simulators.demo",
    "simulators.sandbox_cli",
    "engine.cli.proxy",
    "engine.cli.webhooks",
    "engine.cli.tokens",
    "engine.cli.serve",
)


def build_parser() -> argparse.ArgumentParser:
    """Build the top-level parser with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="unimap", description="Unimap: a declarative unified-API engine."
    )
    parser.add_argument("--version", action="version", version=f"unimap {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `unimap` console script; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.handler(args))
