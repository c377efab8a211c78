"""`unimap accounts add | list | remove`, run in process against the simulator on loopback."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest

from engine.accounts import AccountStatus, default_store
from engine.cli import main
from simulators.mailerlite import Simulator, serve_in_thread

TOKEN = "cli-test-token-5e6f"


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    sim = Simulator(seed=4, token=TOKEN, rate_limit=None).seed_data(subscribers=3)
    with serve_in_thread(sim) as url:
        yield url
    sim.close()


def add(base_url: str, *extra: str, key: str = TOKEN) -> list[str]:
    return ["accounts", "add", "mailerlite", "--api-key", key, "--base-url", base_url, *extra]


def test_add_list_remove(base_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(add(base_url, "--label", "Main")) == 0
    added = json.loads(capsys.readouterr().out)
    assert added["provider"] == "mailerlite"
    assert added["label"] == "Main"
    assert added["status"] == "active"
    assert added["base_url"] == base_url
    assert added["credentials"] == ["api_key"]
    assert added["id"].startswith("acc_")

    assert main(["accounts", "list", "--format", "json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [added["id"]]

    assert main(["accounts", "list"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == [
        "ID",
        "PROVIDER",
        "TENANT_ID",
        "LABEL",
        "STATUS",
        "LAST_USED_AT",
        "BASE_URL",
    ]
    assert table[1].split()[:5] == [added["id"], "mailerlite", "-", "Main", "active"]

    assert main(["accounts", "list", "--status", "disabled", "--format", "json"]) == 0
    assert capsys.readouterr().out == ""

    assert main(["accounts", "remove", added["id"]]) == 0
    assert json.loads(capsys.readouterr().out) == {"removed": added["id"]}
    assert main(["accounts", "list"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "no linked accounts" in captured.err


def test_add_with_a_refused_key_prints_the_unified_error_and_saves_nothing(
    base_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(add(base_url, key="refused-key-1a2b")) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    error = json.loads(captured.err)
    assert error["error"] == "unauthorized"
    assert error["status_code"] == 401
    assert error["remote_status"] == 401
    assert "refused-key-1a2b" not in captured.err
    with default_store() as store:
        assert store.list() == []


def test_add_reads_the_key_from_stdin(
    base_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(TOKEN + "\n"))
    assert main(add(base_url, key="-")) == 0
    account_id = json.loads(capsys.readouterr().out)["id"]
    with default_store() as store:
        account = store.get(account_id)
    assert account.credentials["api_key"].reveal() == TOKEN
    assert account.status is AccountStatus.ACTIVE


def test_credential_options(base_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(add(base_url, "--credential", "token=abc")) == 1
    error = json.loads(capsys.readouterr().err)
    assert error["error"] == "configuration_error"
    assert "unknown credential 'token'" in error["message"]
    assert "abc" not in error["message"]

    assert main(add(base_url, "--credential", "novalue")) == 2
    assert "NAME=VALUE" in capsys.readouterr().err

    assert main(add(base_url, "--credential", f"api_key={TOKEN}")) == 2
    err = capsys.readouterr().err
    assert "given twice" in err
    assert TOKEN not in err

    argv = ["accounts", "add", "mailerlite", "--credential", f"api_key={TOKEN}"]
    assert main([*argv, "--base-url", base_url]) == 0
    assert TOKEN not in capsys.readouterr().out


def test_remove_unknown_account(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["accounts", "remove", "acc_nope"]) == 1
    error = json.loads(capsys.readouterr().err)
    assert error["error"] == "not_found"
    assert error["status_code"] == 404


def test_missing_action_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["accounts"])
    assert caught.value.code == 2
