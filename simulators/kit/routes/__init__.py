"""Kit v4 endpoints, one module per resource."""

from __future__ import annotations

from simulators.kit.router import Router
from simulators.kit.routes import fields, subscribers, tags, webhooks


def build_router() -> Router:
    """Every route the simulator serves."""
    router = Router()
    for module in (subscribers, tags, fields, webhooks):
        module.register(router)
    return router
