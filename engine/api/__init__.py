"""The Python API for host apps: `Engine.load()`, `engine.connect()`, `connection.call()`.

Sync and async connections have the same surface:

    engine = Engine.load()
    with engine.connect("acme", credentials={"api_key": "..."}) as ml:
        page = ml.contacts.list(limit=50, list_id="123")
        for contact in ml.iterate("contacts", {"status": "active"}):
            ...
"""

from engine.api.connections import AsyncConnection, Connection
from engine.api.engine import Credentials, Engine
from engine.api.resources import ResourceClient

__all__ = ["AsyncConnection", "Connection", "Credentials", "Engine", "ResourceClient"]
