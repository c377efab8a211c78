"""Fixtures for the link page: a real server on 127.0.0.1 with provider simulators behind it.

`link_server` serves `create_app(context)` under uvicorn on a free port (its public URL set to
that address); the accounts linked on the page reach the MailerLite and Mailchimp simulators,
each served over HTTP on its own free port, through `ServerSettings.base_urls`, exactly as
`unimap serve --base-url PROVIDER=URL` sets it up.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from engine.accounts.link_tokens import MemoryLinkTokenStore
from engine.accounts.store import MemoryAccountStore
from engine.accounts.tokens import MemoryTokenStore, create_token
from engine.api import Engine
from engine.run.retry import RetryPolicy
from engine.server.app import create_app
from engine.server.context import ServerContext, ServerSettings
from simulators.core.server import serve_app_in_thread, serve_in_thread
from simulators.mailchimp import Simulator as MailchimpSimulator
from simulators.mailerlite import Simulator as MailerLiteSimulator
from tests.accounts.conftest import unimap_home  # noqa: F401  (autouse: an isolated home)

#: The key each simulator accepts.
GOOD_KEY = "sk-good-link-page-key-7d1e"
MAILCHIMP_KEY = "0123456789abcdef0123456789abcdef-us21"
#: A key every simulator refuses (and that must never appear anywhere).
WRONG_KEY = "sk-wrong-link-page-key-41c9"


@dataclass
class LinkServer:
    """A running server for the link page tests."""

    url: str
    context: ServerContext
    host: httpx.Client
    """Carries a host app's API token."""
    browser: httpx.Client
    """An end user's browser: no API token, keeps cookies, does not follow redirects."""

    def link_token(self, **body: Any) -> dict[str, Any]:
        """`POST /link-tokens` as the host app; the answer's JSON (201 asserted)."""
        answer = self.host.post("/link-tokens", json={"tenant_id": "t-1", **body})
        assert answer.status_code == 201, answer.text
        result: dict[str, Any] = answer.json()
        return result

    def start(self, **body: Any) -> tuple[str, str]:
        """A new link token and the CSRF value of its page, opened in `browser`."""
        token = str(self.link_token(**body)["token"])
        return token, self.open_form(token)[1]

    def open_form(self, token: str) -> tuple[httpx.Response, str]:
        """GET the page; the response and its CSRF value."""
        page = self.browser.get(f"/link/{token}")
        found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        return page, found.group(1) if found else ""

    def submit(self, token: str, csrf: str, **fields: str) -> httpx.Response:
        """POST the form as a browser would (urlencoded)."""
        return self.browser.post(f"/link/{token}", data={"csrf_token": csrf, **fields})


@pytest.fixture(scope="session")
def link_engine() -> Engine:
    """The bundled mappings, loaded once; retries back off for milliseconds, not seconds
    (the providers are local: an unreachable one need not be waited for)."""
    retries = RetryPolicy(base_delay=0.01, max_delay=0.05)
    return Engine.load(cursor_key=secrets.token_bytes(32), retry_policy=retries)


@pytest.fixture
def simulators() -> Iterator[dict[str, str]]:
    """MailerLite and Mailchimp simulators over HTTP; provider → base URL."""
    mailerlite = MailerLiteSimulator(seed=7, token=GOOD_KEY, rate_limit=None)
    mailchimp = MailchimpSimulator(seed=7, token=MAILCHIMP_KEY, max_connections=None)
    mailerlite.seed_data(subscribers=3)
    mailchimp.seed_data(members=2, audiences=1)
    with serve_in_thread(mailerlite) as ml_url, serve_in_thread(mailchimp) as mc_url:
        yield {"mailerlite": ml_url, "mailchimp": mc_url}
    mailerlite.close()
    mailchimp.close()


@pytest.fixture
def link_server(link_engine: Engine, simulators: dict[str, str]) -> Iterator[LinkServer]:
    """The app on 127.0.0.1 (free port), in-memory stores, a host app's token."""
    context = ServerContext(
        engine=link_engine,
        accounts=MemoryAccountStore(),
        tokens=MemoryTokenStore(),
        scoped_key=secrets.token_bytes(32),
        settings=ServerSettings(base_urls=simulators),
        link_tokens=MemoryLinkTokenStore(),
    )
    _, api_token = create_token(context.tokens, "host-app")
    with serve_with_clients(context, api_token) as (url, host, browser):
        yield LinkServer(url, context, host, browser)


@contextmanager
def serve_with_clients(
    context: ServerContext, api_token: str
) -> Iterator[tuple[str, httpx.Client, httpx.Client]]:
    """The app of `context` on 127.0.0.1 (its public URL set to where it listens), with a host
    app's client (bearing `api_token`) and an end user's browser stand-in (no token)."""
    with serve_app_in_thread(create_app(context), lifespan="on") as url:
        context.settings = dataclasses.replace(context.settings, public_url=url)
        auth = {"Authorization": f"Bearer {api_token}"}
        with (
            httpx.Client(base_url=url, headers=auth, timeout=15.0) as host,
            httpx.Client(base_url=url, timeout=15.0) as browser,
        ):
            yield url, host, browser
