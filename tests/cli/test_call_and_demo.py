"""`unimap call` and `unimap demo`, run in process against the simulator on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from engine.cli import main
from simulators.mailerlite import Simulator, serve_in_thread

TOKEN = "cli-test-token"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[tuple[Simulator, str]]:
    simulator = Simulator(seed=3, token=TOKEN, rate_limit=None, import_limit=None)
    simulator.seed_data(subscribers=60, groups=2, segments=1)
    with serve_in_thread(simulator) as base_url:
        yield simulator, base_url


def _call(base_url: str, *args: str) -> list[str]:
    return ["call", "mailerlite", *args, "--api-key", TOKEN, "--base-url", base_url]


def test_call_prints_one_page_as_the_unified_envelope(sandbox, capsys) -> None:
    _, base_url = sandbox
    assert main(_call(base_url, "contacts", "list", "--limit", "5", "--no-remote-data")) == 0
    page = json.loads(capsys.readouterr().out)
    assert page["result_count"] == 5 and page["next_cursor"]
    assert all("remote_data" not in record for record in page["result"])


def test_call_continues_from_a_cursor_alone(sandbox, capsys) -> None:
    _, base_url = sandbox
    main(_call(base_url, "contacts", "list", "--limit", "5"))
    first = json.loads(capsys.readouterr().out)
    main(_call(base_url, "contacts", "list", "--cursor", first["next_cursor"]))
    second = json.loads(capsys.readouterr().out)
    first_ids = {r["id"] for r in first["result"]}
    assert second["result_count"] == 5 and first_ids.isdisjoint(r["id"] for r in second["result"])


def test_call_all_streams_every_record_as_ndjson(sandbox, capsys) -> None:
    simulator, base_url = sandbox
    assert main(_call(base_url, "contacts", "list", "--all", "--limit", "7")) == 0
    lines = capsys.readouterr().out.splitlines()
    ids = [json.loads(line)["id"] for line in lines]
    assert len(ids) == len(set(ids)) == len(simulator.state.subscribers)


class _Unbuffered:
    """A stdout whose binary layer counts its writes (as with `PYTHONUNBUFFERED`: each one a
    system call)."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.buffer = self

    def write(self, data: bytes) -> int:
        self.writes.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        return None


def test_call_all_writes_each_page_in_a_few_chunks_not_line_by_line(
    sandbox, monkeypatch
) -> None:
    simulator, base_url = sandbox
    out = _Unbuffered()
    monkeypatch.setattr("sys.stdout", out)
    assert main(_call(base_url, "contacts", "list", "--all", "--limit", "25")) == 0
    lines = b"".join(out.writes).splitlines()
    assert len(lines) == len(simulator.state.subscribers) == 60
    assert len(out.writes) == 3  # pages of 25, 25 and 10 records, each one write


def test_call_upserts_a_body_given_as_a_file(sandbox, capsys, tmp_path) -> None:
    _, base_url = sandbox
    body = tmp_path / "body.json"
    body.write_text(json.dumps({"email": "cli@example.com", "first_name": "Cli"}))
    assert main(_call(base_url, "contacts", "upsert", "--body", f"@{body}")) == 0
    assert json.loads(capsys.readouterr().out)["created"] is True


def test_call_failure_exits_1_with_the_unified_error_on_stderr(sandbox, capsys) -> None:
    _, base_url = sandbox
    assert main(_call(base_url, "contacts", "get", "--id", "404404404404404404")) == 1
    error = json.loads(capsys.readouterr().err)
    assert error["error"] == "not_found" and error["remote_status"] == 404


def test_call_explain_sends_nothing_and_redacts_the_key(sandbox, capsys) -> None:
    simulator, base_url = sandbox
    before = len(simulator.state.subscribers)
    assert (
        main(
            _call(
                base_url, "contacts", "upsert", "--body", '{"email": "x@example.com"}', "--explain"
            )
        )
        == 0
    )
    out = capsys.readouterr().out
    assert TOKEN not in out and "Bearer ***" in out
    assert json.loads(out)["requests"][0]["method"] == "POST"
    assert len(simulator.state.subscribers) == before


def test_call_without_credentials_is_a_clear_error(capsys) -> None:
    assert main(["call", "mailerlite", "contacts", "list"]) == 1
    assert "api-key" in json.loads(capsys.readouterr().err)["message"]


def test_demo_tours_reads_and_writes(capsys) -> None:
    assert main(["demo", "--subscribers", "150"]) == 0
    out = capsys.readouterr().out
    for section in (
        "lists.list",
        "contacts.list",
        "contacts.upsert",
        "bulk_upsert",
        "webhooks",
        "Done:",
    ):
        assert section in out
    assert "created=true" in out and "119 upserted" in out
    assert "received contact.unsubscribed for grace@example.com" in out


def test_call_with_a_linked_account(sandbox, capsys, tmp_path, monkeypatch) -> None:
    _, base_url = sandbox
    monkeypatch.setenv("UNIMAP_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("UNIMAP_SECRET_KEY", raising=False)
    assert main(["accounts", "add", "mailerlite", "--api-key", TOKEN, "--base-url", base_url]) == 0
    account = json.loads(capsys.readouterr().out)
    args = ["call", "mailerlite", "lists", "list", "--account", account["id"]]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert json.loads(out)["result_count"] == 2 and TOKEN not in out
