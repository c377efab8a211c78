"""Endpoint handlers, one module per resource; `build_router()` wires them all."""

from __future__ import annotations

from simulators.mailchimp.router import Router
from simulators.mailchimp.routes import account, lists, members, merge_fields, segments, webhooks


def build_router() -> Router:
    """A router with every simulated endpoint."""
    router = Router()
    for module in (account, lists, members, merge_fields, segments, webhooks):
        module.register(router)
    return router
