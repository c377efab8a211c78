"""Endpoint handlers, one module per resource; `build_router()` wires them all."""

from __future__ import annotations

from simulators.brevo.router import Router
from simulators.brevo.routes import attributes, contacts, folders, lists, segments, webhooks


def build_router() -> Router:
    """A router with every simulated endpoint (fixed paths before `contacts/{identifier}`)."""
    router = Router()
    for module in (lists, folders, attributes, segments, webhooks, contacts):
        module.register(router)
    return router
