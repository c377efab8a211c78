"""A small in-memory provider with lists and their members, answering under respx the way the
synthetic `scoped` provider declares (numbered pages of lists, offsets of members)."""

from __future__ import annotations

import hashlib
import re
from typing import Any
from urllib.parse import unquote

import httpx

BASE = "https://api.scoped.test/v1"
_MEMBERS = re.compile(r"^/v1/lists/([^/]+)/members(?:/([^/]+))?$")


def member_key(email: str) -> str:
    """The provider's member key: md5 of the lower-cased email."""
    return hashlib.md5(email.lower().encode()).hexdigest()


class ScopedFake:
    """Lists (in order) holding members; `handle` is a respx side effect."""

    def __init__(self, sizes: dict[str, int]) -> None:
        self.lists: dict[str, list[dict[str, Any]]] = {}
        for list_id, size in sizes.items():
            self.lists[list_id] = [
                self._member(list_id, f"{list_id.lower()}-{n}@example.com") for n in range(size)
            ]
        self.requests: list[tuple[str, str, dict[str, str]]] = []

    @staticmethod
    def _member(list_id: str, email: str) -> dict[str, Any]:
        return {
            "id": member_key(email),
            "email_address": email,
            "list_id": list_id,
            "status": "active",
        }

    def expected_ids(self) -> list[str]:
        """Every member's unified id (`list_id:member_key`), in listing order."""
        return [f"{m['list_id']}:{m['id']}" for members in self.lists.values() for m in members]

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request."""
        params = dict(request.url.params)
        self.requests.append((request.method, request.url.path, params))
        if request.url.path == "/v1/lists":
            return self._lists(params)
        if request.url.path == "/v1/search-members":
            email = params.get("query", "").lower()
            found = [m for ms in self.lists.values() for m in ms if m["email_address"] == email]
            return httpx.Response(200, json={"exact_matches": {"members": found}})
        match = _MEMBERS.match(request.url.raw_path.decode().split("?")[0])
        list_id = unquote(match.group(1)) if match else None
        if match is None or list_id not in self.lists:
            return httpx.Response(404, json={"detail": "The requested resource was not found."})
        members = self.lists[list_id]
        if match.group(2) is None:
            offset, count = int(params.get("offset", 0)), int(params.get("count", 10))
            window = members[offset : offset + count]
            return httpx.Response(200, json={"members": window, "total_items": len(members)})
        found = [m for m in members if m["id"] == match.group(2)]
        if not found:
            return httpx.Response(404, json={"detail": "The requested resource was not found."})
        if request.method == "DELETE":
            members.remove(found[0])
            return httpx.Response(204)
        if request.method == "PATCH":
            found[0].update(httpx.Response(200, content=request.content).json())
        return httpx.Response(200, json=found[0])

    def _lists(self, params: dict[str, str]) -> httpx.Response:
        page, per_page = int(params.get("page", 1)), int(params.get("per_page", 10))
        ids = list(self.lists)
        window = ids[(page - 1) * per_page : page * per_page]
        records = [{"id": i, "name": f"List {i}"} for i in window]
        return httpx.Response(200, json={"lists": records, "total": len(ids)})
