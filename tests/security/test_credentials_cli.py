"""Hostile keys given to the command line are refused before anything is sent or saved, and
neither stdout nor stderr shows them."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from canary_watch import CANARY_KEY

from engine.cli import main

NOWHERE = "http://127.0.0.1:9/api"
"""A base URL nothing listens on: a refused key never gets that far."""


COMMANDS = {
    "call": ["call", "mailerlite", "lists", "list", "--base-url", NOWHERE],
    "proxy": ["proxy", "mailerlite", "GET", "/groups", "--base-url", NOWHERE],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("suffix", ["\x0b", " ", "\t", "\x00", "\u00e9"])
def test_a_hostile_api_key_is_refused_on_the_command_line(
    command: str, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*COMMANDS[command], "--api-key", CANARY_KEY + suffix]) == 1
    out, err = capsys.readouterr()
    error = json.loads(err)
    assert error["error"] == "validation_error"
    assert error["fields"][0]["field"] == "api_key"
    assert CANARY_KEY not in out + err


def test_accounts_add_refuses_a_key_piped_with_a_trailing_space(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UNIMAP_HOME", str(tmp_path / "home"))
    monkeypatch.setattr("sys.stdin", io.StringIO(CANARY_KEY + " \n"))
    argv = ["accounts", "add", "mailerlite", "--base-url", NOWHERE, "--api-key", "-"]
    assert main(argv) == 1
    out, err = capsys.readouterr()
    assert "credential api_key ends with whitespace" in err
    assert CANARY_KEY not in out + err
    assert main(["accounts", "list", "--format", "json"]) == 0
    assert capsys.readouterr().out == ""  # JSON lines: no account was saved
