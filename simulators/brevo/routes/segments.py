"""`GET /contacts/segments`: the account's segments (read only; the API cannot create them).

`limit` (default 10, at most 50) and `offset` are required by the v3 definition; the simulator
applies the defaults when they are absent. Answer: `{"segments": [...], "count": N}`.
"""

from __future__ import annotations

from simulators.brevo.router import Context, Router
from simulators.brevo.routes.common import descending, page
from simulators.brevo.serialize import segment_json
from simulators.core.messages import SimResponse, json_response

MAX_SEGMENTS = 50


def register(router: Router) -> None:
    """Wire the segment endpoint."""
    router.add("GET", "contacts/segments", list_segments)


def list_segments(ctx: Context) -> SimResponse:
    """`GET /contacts/segments`."""
    ordered = sorted(ctx.state.segments.values(), key=lambda s: s.id, reverse=descending(ctx.query))
    chosen = page(ctx.query, ordered, 10, MAX_SEGMENTS)
    return json_response(
        200, {"segments": [segment_json(s) for s in chosen], "count": len(ordered)}
    )
