"""The `unimap` command line.

Each feature module owns its sub-commands in a `register(subparsers)` function that adds its
parser and sets `handler` (a callable taking the parsed namespace and returning an exit code).
This module only wires them together, and imports only the module of the command being run:
`COMMANDS` names each command's module and help line, so `unimap --help` lists every command
without importing any of them (`tests/cli/test_lazy_imports.py` keeps the table true).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Any

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

COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("engine.cli.validate", "validate mapping files offline"),
    "schema": ("engine.cli.validate", "print or write the JSON Schema of mapping files"),
    "accounts": ("engine.cli.accounts", "link, list and remove provider accounts"),
    "db": (
        "engine.cli.db",
        "the accounts database: schema version, upgrade, move to another database",
    ),
    "call": ("engine.cli.call", "make one unified call"),
    "conformance": (
        "engine.cli.conformance",
        "check which unified operations work against a sandbox or test account",
    ),
    "demo": ("simulators.demo", "tour the engine against a built-in provider simulator"),
    "sandbox": ("simulators.sandbox_cli", "run a provider simulator on 127.0.0.1"),
    "proxy": ("engine.cli.proxy", "call the provider's own API with an account's credentials"),
    "webhook": ("engine.cli.webhooks", "webhook tools"),
    "tokens": ("engine.cli.tokens", "create, list and revoke API tokens for `unimap serve`"),
    "serve": ("engine.cli.serve", "serve the unified API over HTTP"),
}
"""Command → (the module registering it, its help line): what `unimap --help` shows."""


def _top_parser() -> tuple[argparse.ArgumentParser, Any]:
    parser = argparse.ArgumentParser(
        prog="unimap", description="Unimap: a declarative unified-API engine."
    )
    parser.add_argument("--version", action="version", version=f"unimap {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    return parser, subparsers


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The top-level parser: every command fully registered (`command=None`), or only
    `command`'s module registered and the other commands listed by name and help line."""
    parser, subparsers = _top_parser()
    if command is None:
        for module_name in COMMAND_MODULES:
            importlib.import_module(module_name).register(subparsers)
        return parser
    module_name = COMMANDS[command][0]
    importlib.import_module(module_name).register(subparsers)
    registered = set(subparsers.choices)
    for name, (_, help_line) in COMMANDS.items():
        if name not in registered:
            subparsers.add_parser(name, help=help_line)
    subparsers._choices_actions.sort(key=lambda action: list(COMMANDS).index(action.dest))
    return parser


def _listing_parser() -> argparse.ArgumentParser:
    """Every command by name and help line only (for `--help`, `--version` and mistakes)."""
    parser, subparsers = _top_parser()
    for name, (_, help_line) in COMMANDS.items():
        subparsers.add_parser(name, help=help_line, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `unimap` console script; returns the process exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    command = arguments[0] if arguments else None
    parser = build_parser(command) if command in COMMANDS else _listing_parser()
    args = parser.parse_args(arguments)
    return int(args.handler(args))
