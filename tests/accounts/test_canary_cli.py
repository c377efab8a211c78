"""The canary key through `unimap accounts add | list | remove` (in process, loopback HTTP):
it must appear in no stdout, stderr, DEBUG log line or byte of the database files."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from engine.cli import main
from simulators.mailerlite import Simulator, serve_in_thread

CANARY = "canary-9f8e7d6c5b4a"
CORE = "9f8e7d6c5b4a"


def test_canary_through_the_accounts_cli(
    unimap_home: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    sim = Simulator(seed=3, token="not-the-canary", rate_limit=None).seed_data(subscribers=3)
    outputs: list[str] = []
    with serve_in_thread(sim) as base_url:
        add = ["accounts", "add", "mailerlite", "--base-url", base_url]
        # Refused: the canary is the wrong key here.
        assert main([*add, "--api-key", CANARY, "--label", "refused"]) == 1
        assert main([*add, "--credential", f"api_key={CANARY}"]) == 1
        monkeypatch.setattr("sys.stdin", io.StringIO(CANARY + "\n"))
        assert main([*add, "--api-key", "-"]) == 1
        # Accepted.
        sim.token = CANARY
        assert main([*add, "--api-key", CANARY, "--label", "Canary"]) == 0
        captured = capsys.readouterr()
        outputs += [captured.out, captured.err]
        account_id = next(
            line.split('"')[3] for line in captured.out.splitlines() if '"id"' in line
        )
        for argv in (["accounts", "list"], ["accounts", "list", "--format", "json"]):
            assert main(argv) == 0
        # Usage errors never echo the value either.
        assert main([*add, "--api-key", CANARY, "--credential", f"api_key={CANARY}"]) == 2
        captured = capsys.readouterr()
        outputs += [captured.out, captured.err]
        assert account_id in captured.out
        for path in unimap_home.rglob("*"):
            if path.is_file():
                assert CORE.encode() not in path.read_bytes(), path.name
        assert main(["accounts", "remove", account_id]) == 0
    sim.close()
    captured = capsys.readouterr()
    outputs += [captured.out, captured.err, caplog.text]
    assert any("unauthorized" in text for text in outputs)
    for text in outputs:
        assert CORE not in text
    files = [p for p in unimap_home.rglob("*") if p.is_file()]
    assert files
    for path in files:
        assert CORE.encode() not in path.read_bytes(), path.name
