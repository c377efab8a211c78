"""`unimap conformance` against the MailerLite simulator served on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from engine.cli import main
from simulators.core.server import serve_in_thread
from tests.conformance.conftest import seeded_simulator


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    """A MailerLite simulator over loopback HTTP."""
    simulator = seeded_simulator("mailerlite", contacts=12)
    with serve_in_thread(simulator) as base_url:
        yield base_url


def test_read_only_run_reports_each_check_and_exits_zero(
    sandbox_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "conformance",
            "mailerlite",
            "--base-url",
            sandbox_url,
            "--api-key",
            "sim-token",
            "--check",
            "contacts.get.by_id",
            "--check",
            "contacts.delete",
        ]
    )
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0].split()[:2] == ["ok", "contacts.get.by_id"]
    assert out[1].split()[:2] == ["skipped", "contacts.delete"]
    assert out[-1] == "1 ok, 0 failed, 0 not supported, 1 skipped"


def test_json_lines_and_exit_one_when_a_check_fails(
    sandbox_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "conformance",
            "mailerlite",
            "--base-url",
            sandbox_url,
            "--api-key",
            "wrong-token",
            "--check",
            "lists.get",
            "--format",
            "json",
        ]
    )
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1
    assert lines[0]["check"] == "lists.get" and lines[0]["outcome"] == "failed"
    assert lines[0]["detail"].startswith("unauthorized:")


def test_an_unknown_check_name_is_a_usage_error_naming_the_closest(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["conformance", "mailerlite", "--api-key", "k", "--check", "lists.gett"])
    assert code == 2
    assert "unknown check 'lists.gett' (did you mean 'lists.get'?)" in capsys.readouterr().err
