"""A unified field filled by a second request (`enrich:`), per record and per group of
records, on the synthetic `tagged` and `bulktags` providers."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from engine.api import Connection, Engine
from engine.errors import NotFoundError
from engine.run.clock import FakeClock

PROVIDERS = Path(__file__).parent / "providers"
SUBSCRIBERS = [
    {"id": 1, "email_address": "ada@example.com", "first_name": "Ada"},
    {"id": 2, "email_address": "bob@example.com", "first_name": "Bob"},
    {"id": 3, "email_address": "cy@example.com", "first_name": "Cy"},
]
TAGS = {
    1: [{"id": 10, "name": "vip"}, {"id": 11, "name": "beta"}],
    2: [],
    3: [{"id": 12, "name": "x"}],
}


class Provider:
    """Answers the synthetic endpoints and records every request."""

    def __init__(self, fail_once: set[str] | None = None) -> None:
        self.seen: list[httpx.Request] = []
        self.fail_once = set(fail_once or ())

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        path = request.url.path.removeprefix("/v4")
        if path in self.fail_once:
            self.fail_once.discard(path)
            return httpx.Response(429)
        if path == "/subscribers":
            return httpx.Response(200, json={"subscribers": SUBSCRIBERS})
        parts = path.strip("/").split("/")
        if parts[0] == "subscribers" and len(parts) == 2:
            found = [s for s in SUBSCRIBERS if str(s["id"]) == parts[1]]
            if not found:
                return httpx.Response(404, json={"message": "not found"})
            return httpx.Response(200, json={"subscriber": found[0]})
        if parts[0] == "subscribers" and parts[2:] == ["tags"]:
            return httpx.Response(200, json={"tags": TAGS.get(int(parts[1]), [])})
        if path == "/tags/links":
            ids = request.url.params["subscriber_ids"].split(",")
            links = [
                {"subscriber_id": int(i), "tag_id": t["id"], "tag_name": t["name"]}
                for i in ids
                for t in TAGS.get(int(i), [])
            ]
            return httpx.Response(200, json={"links": links})
        return httpx.Response(418)

    def paths(self) -> list[str]:
        return [str(r.url.path).removeprefix("/v4") for r in self.seen]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load(PROVIDERS, clock=FakeClock())


def _connect(engine: Engine, name: str, provider: Provider) -> Connection:
    return engine.connect(name, {"api_key": "k"}, transport=httpx.MockTransport(provider))


def _tags(records: list[dict[str, Any]]) -> dict[str, Any]:
    return {r["id"]: r["tags"] for r in records}


EXPECTED = {
    "1": [{"id": "10", "name": "vip"}, {"id": "11", "name": "beta"}],
    "2": [],
    "3": [{"id": "12", "name": "x"}],
}


def test_get_fills_the_field_from_a_second_request(engine: Engine) -> None:
    provider = Provider()
    record = _connect(engine, "tagged", provider).contacts.get("1")

    assert record["tags"] == EXPECTED["1"]
    assert provider.paths() == ["/subscribers/1", "/subscribers/1/tags"]
    assert provider.seen[1].url.params["per_page"] == "1000"


def test_list_fills_the_field_with_one_request_per_record(engine: Engine) -> None:
    provider = Provider()
    page = _connect(engine, "tagged", provider).contacts.list()

    assert _tags(page["result"]) == EXPECTED
    assert provider.paths() == [
        "/subscribers",
        "/subscribers/1/tags",
        "/subscribers/2/tags",
        "/subscribers/3/tags",
    ]


def test_iterate_fills_the_field_sync_and_async(engine: Engine) -> None:
    records = list(_connect(engine, "tagged", Provider()).iterate("contacts"))
    assert _tags(records) == EXPECTED

    async def collect() -> list[dict[str, Any]]:
        transport = httpx.MockTransport(Provider())
        async with engine.aconnect("tagged", {"api_key": "k"}, transport=transport) as conn:
            return [record async for record in conn.iterate("contacts")]

    assert _tags(asyncio.run(collect())) == EXPECTED


def test_a_grouped_enrichment_sends_one_request_per_chunk(engine: Engine) -> None:
    provider = Provider()
    page = _connect(engine, "bulktags", provider).contacts.list()

    assert _tags(page["result"]) == EXPECTED
    assert provider.paths() == ["/subscribers", "/tags/links", "/tags/links"]
    assert [r.url.params["subscriber_ids"] for r in provider.seen[1:]] == ["1,2", "3"]


def test_iterate_enriches_records_chunk_by_chunk(engine: Engine, monkeypatch) -> None:
    monkeypatch.setattr("engine.api.connections.MAPPED_AT_ONCE", 2)
    provider = Provider()
    records = list(_connect(engine, "tagged", provider).iterate("contacts"))

    assert _tags(records) == EXPECTED
    assert provider.paths() == [
        "/subscribers", "/subscribers/1/tags", "/subscribers/2/tags", "/subscribers/3/tags"
    ]


def test_iterate_keeps_a_grouped_enrichment_to_one_request_per_group_of_the_page(
    engine: Engine, monkeypatch
) -> None:
    monkeypatch.setattr("engine.api.connections.MAPPED_AT_ONCE", 1)
    provider = Provider()
    records = list(_connect(engine, "bulktags", provider).iterate("contacts"))

    assert _tags(records) == EXPECTED
    assert [r.url.params["subscriber_ids"] for r in provider.seen[1:]] == ["1,2", "3"]


def test_an_enrichment_request_is_retried_like_any_request(engine: Engine) -> None:
    provider = Provider(fail_once={"/subscribers/1/tags"})
    connection = _connect(engine, "tagged", provider)

    record = connection.contacts.get("1")

    assert record["tags"] == EXPECTED["1"]
    assert provider.paths().count("/subscribers/1/tags") == 2
    assert connection.stats.snapshot()["retries"] == {"status_429": 1}


def test_a_failing_enrichment_fails_the_call(engine: Engine) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/tags"):
            return httpx.Response(404, json={"message": "gone"})
        return Provider()(request)

    connection = engine.connect("tagged", {"api_key": "k"}, transport=httpx.MockTransport(answer))
    with pytest.raises(NotFoundError):
        connection.contacts.get("1")


def test_explain_shows_the_enrichment_requests(engine: Engine) -> None:
    connection = _connect(engine, "tagged", Provider())

    explained = connection.explain("contacts", "list")

    assert explained["enrich"] == [
        {
            "field": "tags",
            "method": "GET",
            "path": "/subscribers/{id}/tags",
            "query": {"per_page": "'1000'"},
            "one_request_per": "record",
        }
    ]
    assert any("tags" in note for note in explained["notes"])
