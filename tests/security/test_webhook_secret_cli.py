"""`unimap webhook parse` takes the signing secret from a file or the environment, so it need
not appear on a command line."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from engine.api import Engine
from engine.cli import main
from engine.webhooks import sign

SECRET = "whsec-from-a-file-or-the-environment"


def _parse(monkeypatch: pytest.MonkeyPatch, engine: Engine, *args: str) -> int:
    body = json.dumps({"event": "subscriber.created", "id": "7", "email": "a@b.co"}).encode()
    spec = engine.mapping("mailerlite").provider.webhooks
    assert spec is not None
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(body)))
    signature = sign(spec.signature, body, SECRET)
    return main(["webhook", "parse", "mailerlite", "--signature", signature, *args])


def test_the_secret_is_read_from_a_file_without_its_newline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: Engine,
    capsys: pytest.CaptureFixture[str],
) -> None:
    secret_file = tmp_path / "webhook.secret"
    secret_file.write_text(SECRET + "\n")
    assert _parse(monkeypatch, engine, "--secret-file", str(secret_file)) == 0
    assert json.loads(capsys.readouterr().out)[0]["contact"]["email"] == "a@b.co"


def test_the_secret_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("UNIMAP_WEBHOOK_SECRET", SECRET)
    assert _parse(monkeypatch, engine) == 0
    assert json.loads(capsys.readouterr().out)[0]["type"] == "contact.created"


def test_a_missing_secret_file_is_named_and_its_reason_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: Engine,
    capsys: pytest.CaptureFixture[str],
) -> None:
    missing = tmp_path / "nowhere.secret"
    assert _parse(monkeypatch, engine, "--secret-file", str(missing)) == 1
    error = json.loads(capsys.readouterr().err)
    assert error["message"] == f"cannot read --secret-file {missing}: No such file or directory"


def test_secret_and_secret_file_exclude_each_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: Engine
) -> None:
    with pytest.raises(SystemExit) as exited:
        _parse(monkeypatch, engine, "--secret", "x", "--secret-file", str(tmp_path / "f"))
    assert exited.value.code == 2
