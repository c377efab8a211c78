"""`/contacts/folders`: enough of folders to create lists (`GET`, `POST`, `GET/PUT/DELETE {id}`)."""

from __future__ import annotations

from simulators.brevo.errors import bad_request, no_content, not_found
from simulators.brevo.models import Folder
from simulators.brevo.router import Context, Router
from simulators.brevo.routes.common import descending, page
from simulators.brevo.routes.lists import blacklisted
from simulators.brevo.serialize import folder_json, list_json
from simulators.core.messages import SimResponse, json_response

MAX_FOLDERS = 50
"""`GET /contacts/folders`: `limit` maximum (default 10)."""


def register(router: Router) -> None:
    """Wire the folder endpoints."""
    router.add("GET", "contacts/folders", list_folders)
    router.add("POST", "contacts/folders", create_folder)
    router.add("GET", "contacts/folders/{folder_id}", get_folder)
    router.add("PUT", "contacts/folders/{folder_id}", update_folder)
    router.add("DELETE", "contacts/folders/{folder_id}", delete_folder)
    router.add("GET", "contacts/folders/{folder_id}/lists", folder_lists)


def _find(ctx: Context) -> Folder:
    raw = ctx.params["folder_id"]
    folder = ctx.state.folders.get(int(raw)) if raw.isdecimal() else None
    if folder is None:
        raise not_found("Folder ID does not exist")
    return folder


def _json(ctx: Context, folder: Folder) -> dict[str, object]:
    state = ctx.state
    lists = [i for i in state.lists.values() if i.folder_id == folder.id]
    return folder_json(folder, lists, sum(blacklisted(state, i) for i in lists))


def list_folders(ctx: Context) -> SimResponse:
    """`GET /contacts/folders`: `{"folders": [...], "count": N}`."""
    ordered = sorted(ctx.state.folders.values(), key=lambda f: f.id, reverse=descending(ctx.query))
    chosen = page(ctx.query, ordered, 10, MAX_FOLDERS)
    return json_response(200, {"folders": [_json(ctx, f) for f in chosen], "count": len(ordered)})


def _name(ctx: Context) -> str:
    name = ctx.body().get("name")
    if not isinstance(name, str) or not name.strip():
        raise bad_request("name should be a non-empty string")
    return name.strip()


def create_folder(ctx: Context) -> SimResponse:
    """`POST /contacts/folders` -> 201 `{"id": N}`."""
    return json_response(201, {"id": ctx.state.create_folder(_name(ctx)).id})


def get_folder(ctx: Context) -> SimResponse:
    """`GET /contacts/folders/{id}`."""
    return json_response(200, _json(ctx, _find(ctx)))


def update_folder(ctx: Context) -> SimResponse:
    """`PUT /contacts/folders/{id}` -> 204."""
    folder = _find(ctx)
    folder.name = _name(ctx)
    return no_content()


def delete_folder(ctx: Context) -> SimResponse:
    """`DELETE /contacts/folders/{id}` -> 204 (its lists go too)."""
    ctx.state.delete_folder(_find(ctx))
    return no_content()


def folder_lists(ctx: Context) -> SimResponse:
    """`GET /contacts/folders/{id}/lists`: `{"lists": [...], "count": N}`."""
    folder = _find(ctx)
    state = ctx.state
    lists = sorted(
        (i for i in state.lists.values() if i.folder_id == folder.id),
        key=lambda i: i.id,
        reverse=descending(ctx.query),
    )
    chosen = page(ctx.query, lists, 10, MAX_FOLDERS)
    return json_response(
        200, {"lists": [list_json(i, blacklisted(state, i)) for i in chosen], "count": len(lists)}
    )
