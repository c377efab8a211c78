"""Endpoint handlers, one module per resource; `build_router()` wires them all."""

from __future__ import annotations

from simulators.mailerlite.router import Router
from simulators.mailerlite.routes import batch, fields, groups, segments, subscribers, webhooks


def build_router() -> Router:
    """A router with every simulated endpoint, `POST /batch` included."""
    router = Router()
    for module in (subscribers, groups, segments, fields, webhooks, batch):
        module.register(router)
    return router
