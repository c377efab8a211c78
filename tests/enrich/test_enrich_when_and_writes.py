"""`enrich.when` (only records that lack the field are enriched) and enriched write answers
(create/update/upsert and the items of an `each`), on the synthetic `partial` provider."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from engine.api import Connection, Engine
from engine.run.clock import FakeClock

PROVIDERS = Path(__file__).parent / "providers"
TAGS = {1: [{"id": 10, "name": "vip"}], 2: [{"id": 11, "name": "beta"}], 3: []}


class Provider:
    """The list embeds subscriber 1's tags only; get and upsert answers never carry tags."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/v4")
        self.paths.append(f"{request.method} {path}")
        if request.method == "POST" and path == "/subscribers":
            email = json.loads(request.content)["email_address"]
            subscriber = {"id": 2 if email.startswith("bob") else 3, "email_address": email}
            return httpx.Response(201, json={"subscriber": subscriber})
        if path == "/subscribers":
            rows = [{"id": 1, "email_address": "ada@x.test", "tags": TAGS[1]}]
            rows += [{"id": i, "email_address": f"s{i}@x.test"} for i in (2, 3)]
            return httpx.Response(200, json={"subscribers": rows})
        parts = path.strip("/").split("/")
        if parts[2:] == ["tags"]:
            return httpx.Response(200, json={"tags": TAGS[int(parts[1])]})
        return httpx.Response(200, json={"subscriber": {"id": int(parts[1])}})


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load(PROVIDERS, clock=FakeClock())


def _connect(engine: Engine, provider: Provider) -> Connection:
    return engine.connect("partial", {"api_key": "k"}, transport=httpx.MockTransport(provider))


def test_only_records_selected_by_when_are_enriched(engine: Engine) -> None:
    provider = Provider()
    page = _connect(engine, provider).contacts.list()

    assert [r["tags"] for r in page["result"]] == [
        [{"id": "10", "name": "vip"}],
        [{"id": "11", "name": "beta"}],
        [],
    ]
    assert provider.paths == [
        "GET /subscribers",
        "GET /subscribers/2/tags",
        "GET /subscribers/3/tags",
    ]


def test_a_write_answer_is_enriched(engine: Engine) -> None:
    provider = Provider()
    record = _connect(engine, provider).contacts.upsert({"email": "bob@x.test"})

    assert record["tags"] == [{"id": "11", "name": "beta"}]
    assert provider.paths == ["POST /subscribers", "GET /subscribers/2/tags"]


def test_the_records_of_an_each_are_enriched(engine: Engine) -> None:
    provider = Provider()
    body = {"contacts": [{"email": "bob@x.test"}, {"email": "cy@x.test"}]}
    answer = _connect(engine, provider).call("contacts", "bulk_upsert", body=body)

    assert [r["record"]["tags"] for r in answer["result"]] == [[{"id": "11", "name": "beta"}], []]
    assert [p for p in provider.paths if p.startswith("GET")] == [
        "GET /subscribers/2/tags",
        "GET /subscribers/3/tags",
    ]
