"""The command line imports only what the command being run uses: `unimap --help` lists every
command without importing one, `unimap validate` with a warm cache needs no models, and
`unimap call --explain` with a warm cache runs the mappings without pydantic."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from engine.cli import COMMANDS, build_parser

ROOT = Path(__file__).resolve().parents[2]
HEAVY = (
    "asyncio", "anyio", "httpx", "pydantic", "jsonschema", "yaml", "jmespath", "uvicorn",
    "starlette", "simulators", "engine.api", "engine.format", "engine.accounts", "cryptography",
)


def _imported_after(args: list[str], home: Path) -> list[str]:
    code = (
        "import sys, io\n"
        "from contextlib import redirect_stderr as err, redirect_stdout as out\n"
        "from engine.cli import main\n"
        "with out(io.StringIO()), err(io.StringIO()):\n"
        "    try:\n"
        f"        main({args!r})\n"
        "    except SystemExit:\n"
        "        pass\n"
        f"print(__import__('json').dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"UNIMAP_HOME": str(home), "PATH": "/usr/bin:/bin"}, check=True,
    )
    imported: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return imported


def test_help_imports_no_command_module_nor_heavy_library(tmp_path: Path) -> None:
    assert _imported_after(["--help"], tmp_path) == []


def test_validate_with_a_warm_cache_imports_no_model_nor_yaml(tmp_path: Path) -> None:
    _imported_after(["validate", "mappings"], tmp_path)  # fills the cache
    assert _imported_after(["validate", "mappings"], tmp_path) == []


def test_explain_with_a_warm_cache_imports_no_model_nor_sending_library(tmp_path: Path) -> None:
    explain = ["call", "mailerlite", "contacts", "list", "--api-key", "k", "--explain"]
    _imported_after(explain, tmp_path)  # fills the cache
    imported = set(_imported_after(explain, tmp_path))
    assert imported.isdisjoint(
        {"pydantic", "httpx", "jsonschema", "yaml", "cryptography", "asyncio", "anyio"}
    )
    assert "engine.api" in imported  # the call did run


def _registered(parser: argparse.ArgumentParser) -> dict[str, str | None]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {choice.dest: choice.help for choice in action._choices_actions}


def test_the_command_table_names_what_each_module_registers() -> None:
    table = {name: help_line for name, (_, help_line) in COMMANDS.items()}
    assert _registered(build_parser()) == table


def test_running_one_command_registers_its_module_and_lists_the_others() -> None:
    for name, (module, _) in COMMANDS.items():
        parser = build_parser(name)
        assert module in sys.modules
        assert list(_registered(parser)) == list(COMMANDS)
