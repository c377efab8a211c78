"""`unimap webhook secret | endpoint | endpoints | outbox | dead | requeue | disabled | enable`,
in process, on a throw-away `$UNIMAP_HOME`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine.accounts.sqlite_store import DB_FILE_NAME
from engine.cli import main
from engine.forwarding import FORWARD_SECRET_ENV, NewMessage, SqliteOutbox, forwarding_secret


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("UNIMAP_HOME", str(tmp_path))
    monkeypatch.delenv(FORWARD_SECRET_ENV, raising=False)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any]:
    code = main(["webhook", *argv])
    captured = capsys.readouterr()
    text = captured.out if code == 0 else captured.err
    return code, json.loads(text) if text.strip().startswith(("{", "[")) else text.strip()


def test_secret_prints_the_installation_forwarding_secret(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(capsys, "secret") == (0, forwarding_secret())


def test_endpoint_sets_shows_lists_and_removes(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "endpoint", "t1", "https://one.example/hooks") == (
        0,
        {"tenant_id": "t1", "url": "https://one.example/hooks"},
    )
    assert run(capsys, "endpoint", "t1")[1]["url"] == "https://one.example/hooks"
    assert run(capsys, "endpoints") == (0, {"t1": "https://one.example/hooks"})
    assert run(capsys, "endpoint", "t1", "--remove") == (0, {"tenant_id": "t1", "url": None})
    assert run(capsys, "endpoints") == (0, {})


def test_endpoint_refuses_a_url_that_is_not_http(capsys: pytest.CaptureFixture[str]) -> None:
    code, error = run(capsys, "endpoint", "t1", "ftp://one.example")
    assert code == 1 and error["error"] == "validation_error"
    assert error["fields"] == [
        {"field": "url", "message": "must be an absolute http:// or https:// URL"}
    ]


@pytest.mark.usefixtures("embedded_backends")
def test_dead_lists_and_requeue_revives(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with SqliteOutbox(home / DB_FILE_NAME) as outbox:
        outbox.enqueue([NewMessage("msg_1", "acc_1", "t1", "contact.bounced", b'{"a": 1}')])
        (claimed,) = outbox.claim(1, 60)
        outbox.mark_dead("msg_1", claimed.lease_id or "", "HTTP 500")
    code, dead = run(capsys, "dead", "--tenant", "t1")
    assert code == 0 and [(m["id"], m["last_error"], m["body"]) for m in dead] == [
        ("msg_1", "HTTP 500", {"a": 1})
    ]
    assert run(capsys, "outbox") == (0, {"pending": 0, "delivered": 0, "dead": 1})
    assert run(capsys, "requeue", "msg_1") == (0, {"id": "msg_1", "state": "pending"})
    assert run(capsys, "outbox")[1]["pending"] == 1
    code, error = run(capsys, "requeue", "msg_1")
    assert code == 1 and error["error"] == "not_found"


@pytest.mark.usefixtures("embedded_backends")
def test_disabled_lists_gone_urls_and_enable_sends_to_one_again(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with SqliteOutbox(home / DB_FILE_NAME) as outbox:
        outbox.disable_endpoint("https://gone.example/hooks", "HTTP 410 Gone")
    code, disabled = run(capsys, "disabled")
    assert code == 0 and disabled["https://gone.example/hooks"]["reason"] == "HTTP 410 Gone"
    assert run(capsys, "enable", "https://gone.example/hooks") == (
        0,
        {"url": "https://gone.example/hooks", "disabled": False},
    )
    assert run(capsys, "disabled") == (0, {})
    code, error = run(capsys, "enable", "https://gone.example/hooks")
    assert code == 1 and error["error"] == "not_found"
