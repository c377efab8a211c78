"""The sandbox of `scaleout.py`: one MailerLite simulator per account behind one server.

Account `i` answers under `/a<i>/api/...` with its own token and its own compressed limits
(`rate_limit` and `import_limit` per window, fixed windows as MailerLite's). The dispatcher
records, per account, when each request arrived and what status it got; `GET /_stats` returns
that record plus every subscriber's email and first name, so the benchmark can check the
limits and the final state from outside the workers.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, MutableMapping
from multiprocessing.connection import Connection
from typing import Any

import uvicorn

from simulators.core.server import base_url_for, bind_socket
from simulators.mailerlite import Simulator

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def token_of(index: int) -> str:
    """The API token account `index` is linked with."""
    return f"scaleout-token-{index:03d}"


def seed_email(account: int, n: int) -> str:
    """The email of the `n`-th subscriber the sandbox starts with in `account`."""
    return f"seed-{account:03d}-{n:04d}@example.com"


class Sandbox:
    """The ASGI dispatcher over the accounts' simulators, with the arrival record."""

    def __init__(self, accounts: int, limit: int, window: float, seeded: int) -> None:
        self.sims = []
        for index in range(accounts):
            sim = Simulator(
                seed=index,
                token=token_of(index),
                rate_limit=(limit, window),
                import_limit=(limit, window),
            )
            with sim.lock:
                for n in range(seeded):
                    sim.state.create_subscriber(seed_email(index, n), fields={"name": f"Seed {n}"})
                sim.state.take_events()
            self.sims.append(sim)
        self.arrivals: list[list[tuple[float, int]]] = [[] for _ in range(accounts)]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Route `/a<i>/...` to simulator `i`, recording arrival time and status."""
        if scope["type"] != "http":
            return
        if scope["path"] == "/_stats":
            await self._stats(send)
            return
        _, account, rest = scope["path"].split("/", 2)
        index = int(account[1:])
        arrived = time.time()
        inner = dict(scope, path="/" + rest, raw_path=("/" + rest).encode())

        async def record(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.arrivals[index].append((arrived, int(message["status"])))
            await send(message)

        await self.sims[index].app(inner, receive, record)

    async def _stats(self, send: Send) -> None:
        accounts = []
        for index, sim in enumerate(self.sims):
            with sim.lock:
                people = {s.email: s.fields.get("name") for s in sim.state.by_email.values()}
            accounts.append({"arrivals": self.arrivals[index], "subscribers": people})
        body = json.dumps({"accounts": accounts}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})


def serve(pipe: Connection, accounts: int, limit: int, window: float, seeded: int) -> None:
    """Process entry point: build the sandbox, send its base URL through `pipe`, serve."""
    app = Sandbox(accounts, limit, window, seeded)
    sock = bind_socket(0)
    pipe.send(base_url_for(sock, ""))
    config = uvicorn.Config(app, http="h11", lifespan="off", log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])
