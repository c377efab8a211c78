"""One provider webhook per event (`subscriptions.per_event`) and the event named in the
delivery URL (`events.type_param`), on the synthetic `onehook` provider."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from engine.api import Connection, Engine
from engine.errors import UnimapError, ValidationError

PROVIDERS = Path(__file__).parent / "providers"
HOOK = "https://receiver.example/in?team=7"
BODY = b'{"person":{"id":"p1","email":"a@b.co","first_name":"Ada"}}'


class FakeHooks:
    """A canned onehook API: hooks by id; creates of `fail_event` and deletes of
    `fail_delete` answer 422."""

    def __init__(self, fail_event: str | None = None, fail_delete: set[str] | None = None):
        self.hooks: dict[str, dict[str, object]] = {}
        self.bodies: list[dict[str, object]] = []
        self.fail_event = fail_event
        self.fail_delete = fail_delete or set()
        self.next_id = 10

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/v1")
        if request.method == "POST" and path == "/hooks":
            body = json.loads(request.content)
            self.bodies.append(body)
            if body["trigger"]["name"] == self.fail_event:
                return httpx.Response(422, json={"error": "trigger refused"})
            self.next_id += 1
            hook = {"id": self.next_id, **body}
            self.hooks[str(self.next_id)] = hook
            return httpx.Response(201, json={"hook": hook})
        if request.method == "GET" and path == "/hooks":
            return httpx.Response(200, json={"hooks": list(self.hooks.values())})
        if request.method == "DELETE" and path.startswith("/hooks/"):
            hook_id = path.rsplit("/", 1)[1]
            if hook_id in self.fail_delete or hook_id not in self.hooks:
                return httpx.Response(422, json={"error": "cannot delete"})
            del self.hooks[hook_id]
            return httpx.Response(204)
        return httpx.Response(404, json={"error": "no route"})


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load(PROVIDERS)


def connect(engine: Engine, fake: FakeHooks) -> Connection:
    return engine.connect("onehook", {"api_key": "k"}, transport=httpx.MockTransport(fake))


def test_subscribing_creates_one_webhook_per_event_each_body_seeing_its_event(
    engine: Engine,
) -> None:
    fake = FakeHooks()
    hook = connect(engine, fake).webhooks.subscribe(
        HOOK, ["contact.unsubscribed", "contact.created"], name="crm"
    )

    assert [b["trigger"] for b in fake.bodies] == [
        {"name": "person.left"},
        {"name": "person.joined"},
    ]
    assert [b["label"] for b in fake.bodies] == ["crm", "crm"]
    for body in fake.bodies:
        query = dict(parse_qsl(urlsplit(str(body["callback"])).query))
        assert query == {
            "team": "7",
            "token": hook["secret"],
            "hook_event": body["trigger"]["name"],  # type: ignore[index]
        }
    assert hook["id"] == "11,12"
    assert hook["url"] == f"{HOOK}&token={hook['secret']}"
    assert hook["events"] == ["contact.unsubscribed", "contact.created"]
    assert hook["provider_events"] == ["person.left", "person.joined"]


def test_list_shows_the_webhooks_of_one_subscription_as_one(engine: Engine) -> None:
    fake = FakeHooks()
    connection = connect(engine, fake)
    first = connection.webhooks.subscribe(HOOK, ["contact.unsubscribed", "contact.bounced"])
    second = connection.webhooks.subscribe(HOOK, ["contact.created"])

    listed = connection.webhooks.list()

    assert [(w["id"], w["events"]) for w in listed] == [
        (first["id"], ["contact.unsubscribed", "contact.bounced"]),
        (second["id"], ["contact.created"]),
    ]


def test_unsubscribing_deletes_every_webhook_the_id_lists(engine: Engine) -> None:
    fake = FakeHooks()
    connection = connect(engine, fake)
    hook = connection.webhooks.subscribe(HOOK, ["contact.unsubscribed", "contact.bounced"])

    assert connection.webhooks.unsubscribe(hook["id"]) == {"id": hook["id"]}
    assert fake.hooks == {}


def test_a_failed_create_deletes_the_webhooks_already_created(engine: Engine) -> None:
    fake = FakeHooks(fail_event="person.bounced")

    with pytest.raises(UnimapError) as caught:
        connect(engine, fake).webhooks.subscribe(
            HOOK, ["contact.unsubscribed", "contact.created", "contact.bounced"]
        )

    assert fake.hooks == {}
    assert "creating the webhook of 'person.bounced' failed" in str(caught.value)
    assert "deleted again" in str(caught.value)


def test_webhooks_that_cannot_be_deleted_again_are_named_in_the_error(engine: Engine) -> None:
    fake = FakeHooks(fail_event="person.joined", fail_delete={"11"})

    with pytest.raises(UnimapError) as caught:
        connect(engine, fake).webhooks.subscribe(HOOK, ["contact.unsubscribed", "contact.created"])

    assert list(fake.hooks) == ["11"]
    assert "could not be deleted again: 11" in str(caught.value)


def test_a_failed_delete_says_which_were_deleted_and_which_remain(engine: Engine) -> None:
    fake = FakeHooks(fail_delete={"12"})
    connection = connect(engine, fake)
    hook = connection.webhooks.subscribe(
        HOOK, ["contact.unsubscribed", "contact.created", "contact.bounced"]
    )

    with pytest.raises(UnimapError) as caught:
        connection.webhooks.unsubscribe(hook["id"])

    assert "deleting webhook 12 failed; deleted: 11; not tried: 13" in str(caught.value)
    assert sorted(fake.hooks) == ["12", "13"]


def test_a_url_already_naming_the_event_parameter_is_refused(engine: Engine) -> None:
    fake = FakeHooks()
    with pytest.raises(ValidationError):
        connect(engine, fake).webhooks.subscribe(HOOK + "&hook_event=x", ["contact.created"])
    assert fake.bodies == []


def test_the_event_type_comes_from_the_delivery_url_when_the_body_has_none(
    engine: Engine,
) -> None:
    fake = FakeHooks()
    hook = connect(engine, fake).webhooks.subscribe(HOOK, ["contact.unsubscribed"])
    url = str(next(iter(fake.hooks.values()))["callback"])

    (event,) = engine.webhooks.handle("onehook", {}, BODY, secret=hook["secret"], url=url)

    assert event["type"] == "contact.unsubscribed"
    assert event["contact"]["email"] == "a@b.co"
    assert event["contact"]["first_name"] == "Ada"


def test_the_body_naming_its_event_wins_over_the_url(engine: Engine) -> None:
    body = b'{"kind":"person.bounced","person":{"id":"p1","email":"a@b.co"}}'
    url = "https://receiver.example/in?token=t&hook_event=person.left"

    (event,) = engine.webhooks.handle("onehook", {}, body, secret="t", url=url)

    assert event["type"] == "contact.bounced"


def test_equal_bodies_of_different_url_events_get_different_ids(engine: Engine) -> None:
    left = engine.webhooks.parse("onehook", BODY, query={"hook_event": "person.left"})
    joined = engine.webhooks.parse("onehook", BODY, query={"hook_event": "person.joined"})

    assert [e["type"] for e in left + joined] == ["contact.unsubscribed", "contact.created"]
    assert left[0]["id"] != joined[0]["id"]


def test_a_delivery_url_without_the_event_parameter_gives_a_provider_event(
    engine: Engine,
) -> None:
    (event,) = engine.webhooks.handle(
        "onehook", {}, BODY, secret="t", url="https://receiver.example/in?token=t"
    )

    assert event["type"] == "provider.unknown"
