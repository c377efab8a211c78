"""Unsigned providers: a secret token in the delivery URL (`signature.type: url_token`) and
form-encoded bodies (`body_format: form`), on the synthetic `formhook` provider."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from engine.accounts import Account, MemoryAccountStore
from engine.api import Engine
from engine.errors import SignatureError, ValidationError
from engine.webhooks.form import parse_form
from engine.webhooks.signature import QueryInput
from tests.webhooks.conftest import assert_valid_events

PROVIDERS = Path(__file__).parent / "providers"
TOKEN = "s3cret-token"
HOOK = "https://receiver.example/hooks/formhook"
BODY = (
    b"type=unsubscribe&fired_at=2009-03-26+21%3A40%3A57&data%5Bemail%5D=a%40b.co"
    b"&data[merges][FNAME]=Ada&data[list_id]=a6b5da1054"
)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load(PROVIDERS)


def test_a_delivery_with_the_right_url_token_becomes_a_unified_event(engine: Engine) -> None:
    events = engine.webhooks.handle("formhook", {}, BODY, secret=TOKEN, url=f"{HOOK}?token={TOKEN}")

    (event,) = events
    assert event["type"] == "contact.unsubscribed"
    assert event["occurred_at"] == "2009-03-26T21:40:57Z"
    assert event["contact"]["email"] == "a@b.co"
    assert event["contact"]["first_name"] == "Ada"
    assert event["list"]["id"] == "a6b5da1054"
    assert event["raw"]["data"]["merges"] == {"FNAME": "Ada"}
    assert_valid_events(events)


@pytest.mark.parametrize(
    "query", [f"token={TOKEN}", {"token": TOKEN}, [("other", "1"), ("token", TOKEN)]]
)
def test_the_token_may_come_as_a_query_string_mapping_or_pairs(
    engine: Engine, query: QueryInput
) -> None:
    events = engine.webhooks.handle("formhook", {}, BODY, secret=TOKEN, query=query)

    assert [e["type"] for e in events] == ["contact.unsubscribed"]


@pytest.mark.parametrize(
    "url",
    [
        f"{HOOK}?token=forged",
        f"{HOOK}?token={TOKEN}x",
        f"{HOOK}?token=",
        HOOK,
        f"{HOOK}?tok={TOKEN}",
        f"{HOOK}?token=forged&token={TOKEN}",
    ],
)
def test_a_missing_or_forged_token_is_rejected(engine: Engine, url: str) -> None:
    with pytest.raises(SignatureError):
        engine.webhooks.handle("formhook", {}, BODY, secret=TOKEN, url=url)


def test_the_token_is_checked_against_the_accounts_stored_secret(engine: Engine) -> None:
    store = MemoryAccountStore()
    account = store.add(Account.new("formhook", {"api_key": "k"}))
    account = store.set_secret_metadata(account.id, "webhook_secret", TOKEN)

    good = engine.webhooks.handle("formhook", {}, BODY, account=account, query={"token": TOKEN})
    assert len(good) == 1
    with pytest.raises(SignatureError):
        engine.webhooks.handle("formhook", {}, BODY, account=account, query={"token": "nope"})


def test_subscribing_puts_a_fresh_token_in_the_url_and_returns_it_as_the_secret(
    engine: Engine,
) -> None:
    created: list[dict[str, object]] = []

    def provider(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        created.append(body)
        return httpx.Response(200, json={"id": "h1", "url": body["url"], "events": body["events"]})

    store = MemoryAccountStore()
    account = store.add(Account.new("formhook", {"api_key": "k"}))
    connection = engine.connect(
        "formhook", {"api_key": "k"}, transport=httpx.MockTransport(provider)
    )
    hook = connection.webhooks.subscribe(
        HOOK + "?team=7", ["contact.unsubscribed"], store=store, account_id=account.id
    )

    sent_url = str(created[0]["url"])
    query = dict(parse_qsl(urlsplit(sent_url).query))
    assert sent_url.startswith(HOOK + "?team=7&token=")
    assert len(query["token"]) >= 32
    assert hook["secret"] == query["token"]
    stored = store.get(account.id).secret_metadata["webhook_secret"].reveal()
    assert stored == query["token"]
    account = store.get(account.id)
    events = engine.webhooks.handle("formhook", {}, BODY, account=account, url=sent_url)
    assert [e["type"] for e in events] == ["contact.unsubscribed"]


def test_form_keys_with_brackets_become_nested_objects_and_lists() -> None:
    parsed = parse_form(b"a=1&b[c]=2&b[d][e]=3&b[f][]=x&b[f][]=y&g[0][h]=4&empty=")

    assert parsed == {
        "a": "1",
        "b": {"c": "2", "d": {"e": "3"}, "f": ["x", "y"]},
        "g": {"0": {"h": "4"}},
        "empty": "",
    }


@pytest.mark.parametrize("body", [b"a=1&a[b]=2", b"a[b]=1&a=2", b"a[]=1&a[b]=2", b"a[b=1"])
def test_conflicting_or_malformed_form_keys_are_refused(body: bytes) -> None:
    with pytest.raises(ValidationError):
        parse_form(body)


def test_the_cli_checks_the_token_of_the_given_url(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io
    import sys

    from engine.cli import main

    def run(url: str) -> int:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(BODY)))
        args = ["--mappings", str(PROVIDERS), "--secret", TOKEN, "--url", url]
        return main(["webhook", "parse", "formhook", *args])

    assert run(f"{HOOK}?token={TOKEN}") == 0
    assert json.loads(capsys.readouterr().out)[0]["type"] == "contact.unsubscribed"
    assert run(f"{HOOK}?token=forged") == 1
    assert "invalid_signature" in capsys.readouterr().err
