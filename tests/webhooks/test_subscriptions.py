"""`connection.webhooks`: subscribe (with secret storage), list, unsubscribe; and the CLI."""

from __future__ import annotations

import asyncio
import io
import json
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from engine.accounts import Account, MemoryAccountStore
from engine.api import Connection, Engine
from engine.errors import ConfigurationError, NotFoundError, ValidationError
from engine.webhooks import sign
from simulators.mailerlite import DEFAULT_TOKEN, IN_PROCESS_BASE_URL, Simulator
from tests.webhooks.conftest import SECRET, body_of

HOOK = "https://receiver.example/hook"


@pytest.fixture
def sim() -> Iterator[Simulator]:
    import httpx

    simulator = Simulator(
        seed=4,
        rate_limit=None,
        import_limit=None,
        webhook_transport=httpx.MockTransport(lambda r: httpx.Response(200)),
    )
    simulator.seed_data(subscribers=10, groups=2, segments=0)
    yield simulator
    simulator.close()


@pytest.fixture
def ml(engine: Engine, sim: Simulator) -> Iterator[Connection]:
    with engine.connect(
        "mailerlite",
        {"api_key": DEFAULT_TOKEN},
        base_url=IN_PROCESS_BASE_URL,
        transport=sim.transport(),
    ) as connection:
        yield connection


def test_subscribe_maps_unified_types_to_provider_events(ml: Connection, sim: Simulator) -> None:
    hook = ml.webhooks.subscribe(HOOK, ["contact.unsubscribed", "list.contact_added"], name="CRM")
    assert hook["url"] == HOOK and hook["id"].isdigit()
    assert hook["events"] == ["contact.unsubscribed", "list.contact_added"]
    assert hook["provider_events"] == ["subscriber.unsubscribed", "subscriber.added_to_group"]
    assert len(hook["secret"]) == 10
    stored = sim.state.webhooks[int(hook["id"])]
    assert (stored.name, stored.batchable) == ("CRM", False)


def test_deleted_needs_batchable(ml: Connection, sim: Simulator) -> None:
    hook = ml.webhooks.subscribe(HOOK, ["contact.deleted", "contact.bounced"])
    assert sim.state.webhooks[int(hook["id"])].batchable is True
    with pytest.raises(ValidationError, match="batch"):
        ml.webhooks.subscribe(HOOK, ["contact.deleted"], batchable=False)
    chosen = ml.webhooks.subscribe(HOOK, ["contact.bounced"], batchable=True)
    assert sim.state.webhooks[int(chosen["id"])].batchable is True


def test_provider_passthrough_types(ml: Connection) -> None:
    hook = ml.webhooks.subscribe(HOOK, ["provider.campaign.sent"])
    assert hook["provider_events"] == ["campaign.sent"]
    assert hook["events"] == ["provider.campaign.sent"]


@pytest.mark.parametrize("events", [[], ["contact.nope"], ["provider."]])
def test_unknown_types_are_refused(ml: Connection, events: list[str]) -> None:
    with pytest.raises(ValidationError):
        ml.webhooks.subscribe(HOOK, events)


def test_bad_urls_are_refused_locally(ml: Connection) -> None:
    with pytest.raises(ValidationError):
        ml.webhooks.subscribe("ftp://x", ["contact.created"])


def test_the_secret_is_stored_encrypted_on_the_account(ml: Connection) -> None:
    store = MemoryAccountStore()
    account = store.add(Account.new("mailerlite", {"api_key": DEFAULT_TOKEN}))
    hook = ml.webhooks.subscribe(HOOK, ["contact.bounced"], store=store, account_id=account.id)
    kept = store.get(account.id).secret_metadata["webhook_secret"]
    assert kept.reveal() == hook["secret"] and hook["secret"] not in repr(kept)
    with pytest.raises(ConfigurationError):
        ml.webhooks.subscribe(HOOK, ["contact.bounced"], store=store)


def test_list_and_unsubscribe(ml: Connection) -> None:
    first = ml.webhooks.subscribe(HOOK, ["contact.created"])
    second = ml.webhooks.subscribe(HOOK + "2", ["contact.bounced", "provider.campaign.open"])
    listed = {hook["id"]: hook for hook in ml.webhooks.list()}
    assert set(listed) == {first["id"], second["id"]}
    assert listed[second["id"]]["events"] == ["contact.bounced", "provider.campaign.open"]
    assert ml.webhooks.unsubscribe(first["id"]) == {"id": first["id"]}
    assert [hook["id"] for hook in ml.webhooks.list()] == [second["id"]]
    with pytest.raises(NotFoundError):
        ml.webhooks.unsubscribe(first["id"])


def test_webhooks_is_not_a_resource_client(ml: Connection) -> None:
    assert type(ml.webhooks).__name__ == "Subscriptions"


def test_async_subscriptions(engine: Engine, sim: Simulator) -> None:
    async def run() -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
        async with engine.aconnect(
            "mailerlite",
            {"api_key": DEFAULT_TOKEN},
            base_url=IN_PROCESS_BASE_URL,
            transport=sim.transport(),
        ) as connection:
            hook = await connection.webhooks.subscribe(HOOK, ["contact.unsubscribed"])
            listed = await connection.webhooks.list()
            gone = await connection.webhooks.unsubscribe(hook["id"])
            return hook, listed, gone

    hook, listed, gone = asyncio.run(run())
    assert [h["id"] for h in listed] == [hook["id"]] and gone == {"id": hook["id"]}


# ------------------------------------------------------------------ CLI


def _parse(monkeypatch: pytest.MonkeyPatch, body: bytes, *args: str) -> int:
    from engine.cli import main

    stdin = io.TextIOWrapper(io.BytesIO(body))
    monkeypatch.setattr(sys, "stdin", stdin)
    return main(["webhook", "parse", "mailerlite", *args])


def test_cli_parse_prints_unified_events(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], engine: Engine
) -> None:
    spec = engine.mapping("mailerlite").provider.webhooks
    assert spec is not None
    body = body_of(
        {
            "type": "subscriber.added_to_group",
            "account_id": 1,
            "subscriber": {"id": "1", "email": "x@example.com", "status": "active"},
            "group": {"id": "2", "name": "G"},
        }
    )
    signature = sign(spec.signature, body, SECRET)
    assert _parse(monkeypatch, body, "--secret", SECRET, "--signature", signature) == 0
    (event,) = json.loads(capsys.readouterr().out)
    assert event["type"] == "list.contact_added" and event["list"]["id"] == "2"


@pytest.mark.parametrize(
    "args", [["--secret", SECRET, "--signature", "0" * 64], ["--secret", SECRET], []]
)
def test_cli_parse_exits_1_on_a_bad_signature(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    assert _parse(monkeypatch, b'{"events":[{"type":"subscriber.created"}]}', *args) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert json.loads(captured.err)["error"] == "invalid_signature"


def test_cli_parse_vector_and_no_verify(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    body = b'{"events":[{"type":"subscriber.created"}]}'
    vector = "12339eeb74101f7166729ab5480539b73820a99c5569bf4c87353816bd34cc15"
    assert _parse(monkeypatch, body, "--secret", SECRET, "--signature", vector) == 0
    assert [e["type"] for e in json.loads(capsys.readouterr().out)] == ["contact.created"]
    assert _parse(monkeypatch, body, "--no-verify") == 0
    assert len(json.loads(capsys.readouterr().out)) == 1
