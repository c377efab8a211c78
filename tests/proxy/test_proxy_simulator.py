"""Proxy calls against the in-process simulator: plain calls, errors, declared pagination."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from engine.api import Connection, Engine
from engine.errors import InvalidCursorError, NotFoundError, ValidationError
from engine.proxy import declared_paging
from simulators.mailerlite import DEFAULT_TOKEN, IN_PROCESS_BASE_URL, Simulator, serve_in_thread


def test_get_returns_status_headers_and_the_raw_body(ml: Connection) -> None:
    result = ml.proxy("GET", "/subscribers", {"limit": 3})
    assert result["status"] == 200
    assert result["headers"]["content-type"].startswith("application/json")
    assert len(result["body"]["data"]) == 3 and "next_cursor" in result["body"]["meta"]


def test_post_creates_at_the_provider(ml: Connection, sim: Simulator) -> None:
    result = ml.proxy("POST", "/groups", body={"name": "Proxied group"})
    assert result["status"] == 201
    assert result["body"]["data"]["name"] == "Proxied group"
    group_id = result["body"]["data"]["id"]
    assert ml.proxy("GET", f"/groups/{group_id}")["body"]["data"]["name"] == "Proxied group"


def test_email_in_a_path_is_percent_encoded(ml: Connection) -> None:
    email = ml.proxy("GET", "/subscribers", {"limit": 1})["body"]["data"][0]["email"]
    found = ml.proxy("GET", "/subscribers/" + email.replace("@", "%40"))
    assert found["body"]["data"]["email"] == email


def test_provider_errors_raise_the_unified_error(ml: Connection) -> None:
    with pytest.raises(NotFoundError) as caught:
        ml.proxy("GET", "/subscribers/999999999")
    body = caught.value.to_dict()
    assert body["error"] == "not_found" and body["remote"] is True
    assert body["remote_status"] == 404


def test_provider_validation_errors_keep_field_details(ml: Connection) -> None:
    with pytest.raises(ValidationError) as caught:
        ml.proxy("POST", "/subscribers", body={"email": "not-an-email"})
    assert caught.value.remote and any(p.field == "email" for p in caught.value.details)


def _page_all(ml: Connection, path: str, query: dict[str, Any]) -> tuple[list[Any], int]:
    records: list[Any] = []
    page = ml.proxy("GET", path, query, paginate=True)
    pages = 1
    while True:
        assert page["result_count"] == len(page["result"])
        assert set(page) == {"result", "next_cursor", "prev_cursor", "result_count"}
        records.extend(page["result"])
        if page["next_cursor"] is None:
            return records, pages
        page = ml.proxy("GET", path, {"next_cursor": page["next_cursor"]}, paginate=True)
        pages += 1
        assert pages < 100


def test_paginate_subscribers_by_cursor_to_the_end(ml: Connection, sim: Simulator) -> None:
    records, pages = _page_all(ml, "/subscribers", {"limit": 25})
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)) == len(sim.state.subscribers)
    assert pages == 5
    assert all("email" in r for r in records)  # raw provider records, not unified ones


def test_paginate_keeps_the_original_filters(ml: Connection, sim: Simulator) -> None:
    active = sum(1 for s in sim.state.subscribers.values() if s.status == "active")
    records, _ = _page_all(ml, "/subscribers", {"limit": 20, "filter[status]": "active"})
    assert len(records) == active and {r["status"] for r in records} == {"active"}


def test_paginate_groups_by_page_to_the_end(ml: Connection, sim: Simulator) -> None:
    records, pages = _page_all(ml, "/groups", {"limit": 5})
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)) == len(sim.state.groups) == 12
    assert pages == 3


def test_paginate_matches_templated_paths(ml: Connection, sim: Simulator) -> None:
    group = max(sim.state.groups.values(), key=lambda g: len(g.members))
    members = ml.call("contacts", "list", query={"list_id": str(group.id), "limit": 1000})
    records, pages = _page_all(ml, f"/groups/{group.id}/subscribers", {"limit": 3})
    assert len(records) > 3 and pages > 1
    assert sorted(r["id"] for r in records) == sorted(m["id"] for m in members["result"])


def test_prev_cursor_goes_back_a_page(ml: Connection) -> None:
    first = ml.proxy("GET", "/groups", {"limit": 5}, paginate=True)
    second = ml.proxy("GET", "/groups", {"next_cursor": first["next_cursor"]}, paginate=True)
    assert first["prev_cursor"] is None and second["prev_cursor"]
    back = ml.proxy("GET", "/groups", {"next_cursor": second["prev_cursor"]}, paginate=True)
    assert back["result"] == first["result"]


def test_declared_paging_prefers_the_matching_operation(engine: Engine) -> None:
    mapping = engine.mapping("mailerlite")
    assert declared_paging(mapping, "GET", "/subscribers").style == "cursor"  # type: ignore[union-attr]
    assert declared_paging(mapping, "GET", "/groups").style == "page"  # type: ignore[union-attr]
    segment = declared_paging(mapping, "GET", "/segments/9/subscribers")
    assert segment is not None and segment.style == "segment_cursor"
    assert declared_paging(mapping, "GET", "/webhooks/1") is None
    assert declared_paging(mapping, "POST", "/subscribers") is None


def test_paginate_refuses_paths_without_declared_pagination(ml: Connection) -> None:
    with pytest.raises(ValidationError, match="no pagination"):
        ml.proxy("GET", "/subscribers/123/x", paginate=True)


def test_a_cursor_continues_only_its_own_path(ml: Connection) -> None:
    first = ml.proxy("GET", "/subscribers", {"limit": 5}, paginate=True)
    with pytest.raises(InvalidCursorError):
        ml.proxy("GET", "/groups", {"next_cursor": first["next_cursor"]}, paginate=True)
    with pytest.raises(InvalidCursorError):
        ml.proxy("GET", "/subscribers", {"next_cursor": first["next_cursor"][:-3]}, paginate=True)
    with pytest.raises(InvalidCursorError):
        ml.proxy(
            "GET", "/subscribers", {"next_cursor": first["next_cursor"], "limit": 2}, paginate=True
        )


def test_a_unified_cursor_is_not_a_proxy_cursor(ml: Connection) -> None:
    page = ml.contacts.list(limit=5)
    with pytest.raises(InvalidCursorError):
        ml.proxy("GET", "/subscribers", {"next_cursor": page["next_cursor"]}, paginate=True)


def test_async_proxy(engine: Engine, sim: Simulator) -> None:
    async def run() -> tuple[dict[str, Any], dict[str, Any]]:
        async with engine.aconnect(
            "mailerlite",
            {"api_key": DEFAULT_TOKEN},
            base_url=IN_PROCESS_BASE_URL,
            transport=sim.transport(),
        ) as connection:
            plain = await connection.proxy("GET", "/groups", {"limit": 2})
            paged = await connection.proxy("GET", "/groups", {"limit": 2}, paginate=True)
            return plain, paged

    plain, paged = asyncio.run(run())
    assert plain["status"] == 200 and len(plain["body"]["data"]) == 2
    assert paged["result_count"] == 2 and paged["next_cursor"]


def test_cli_proxy_over_loopback(sim: Simulator, capsys: pytest.CaptureFixture[str]) -> None:
    from engine.cli import main

    with serve_in_thread(sim) as base_url:
        args = ["--api-key", DEFAULT_TOKEN, "--base-url", base_url]
        assert main(["proxy", "mailerlite", "GET", "/groups", "--query", "limit=4", *args]) == 0
        plain = json.loads(capsys.readouterr().out)
        assert plain["status"] == 200 and len(plain["body"]["data"]) == 4
        assert (
            main(
                ["proxy", "mailerlite", "GET", "/groups", "--query", "limit=5", "--paginate", *args]
            )
            == 0
        )
        page = json.loads(capsys.readouterr().out)
        assert page["result_count"] == 5
        assert (
            main(
                [
                    "proxy",
                    "mailerlite",
                    "GET",
                    "/groups",
                    "--query",
                    f"next_cursor={page['next_cursor']}",
                    "--paginate",
                    *args,
                ]
            )
            == 0
        )
        second = json.loads(capsys.readouterr().out)
        assert {g["id"] for g in second["result"]}.isdisjoint(g["id"] for g in page["result"])
        assert (
            main(["proxy", "mailerlite", "POST", "/groups", "--body", '{"name": "CLI"}', *args])
            == 0
        )
        assert json.loads(capsys.readouterr().out)["status"] == 201


@pytest.mark.parametrize(
    "argv",
    [
        ["GET", "https://evil.example/x"],
        ["GET", "/subscribers/%2e%2e/admin"],
        ["GET", "/subscribers/999999999"],
        ["GET", "/groups", "--query", "nokey"],
        ["POST", "/groups", "--body", "{not json"],
    ],
)
def test_cli_errors_exit_1_with_the_unified_error(
    sim: Simulator, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    from engine.cli import main

    with serve_in_thread(sim) as base_url:
        args = ["--api-key", DEFAULT_TOKEN, "--base-url", base_url]
        code = main(["proxy", "mailerlite", *argv, *args])
    captured = capsys.readouterr()
    assert code == 1 and captured.out == ""
    error = json.loads(captured.err)
    assert {"status_code", "error", "message", "remote"} <= set(error)
