"""The link page end to end in a real browser (Playwright driving Debian's Chromium).

A host app's flow against real processes: `unimap sandbox` (the MailerLite simulator) and
`unimap serve` (its accounts pointed at the sandbox with `--base-url`), a host app creating a
link token over HTTP, the end user's browser opening the page, a wrong key refused on the page
(nothing stored), the right key accepted, the browser redirected to the host app with the new
account's id, the account read back and a unified call made with it through the server.

The browser is `/usr/bin/chromium` (`apt-get install chromium`; `.ci/run` installs it);
Playwright's own browser downloads are never used. When the browser or Playwright is missing
the test fails under CI (`CI` set, as `.ci/run` does) and is skipped with the reason elsewhere.

Screenshots: `link-page-refused.png` and `link-page-form.png` in the test's tmp dir, and the
refused state also at `docs/img/link-page.png` (the picture in `docs/server.md`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from engine.accounts.keys import generate_key
from tests.processes import (
    child_env,
    create_api_token,
    free_port,
    host_app,
    sandbox,
    serve,
    together,
)

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "img" / "link-page.png"
WRONG_KEY = "sk-wrong-browser-key-5b8e"
pytestmark = pytest.mark.slow  # a real browser: started first (tests/conftest.py)


def _unavailable() -> str | None:
    if not CHROMIUM.exists():
        return f"Debian's Chromium is missing ({CHROMIUM}): run `apt-get install chromium`"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing: pip install -e '.[test]'"
    return None


@pytest.fixture
def chromium() -> Iterator[Any]:
    """A headless Chromium driven by Playwright (fails under CI when unavailable)."""
    reason = _unavailable()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"the browser test cannot run: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Chromium refuses to run as root inside its sandbox (CI containers run as root).
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        try:
            yield browser
        finally:
            browser.close()


@pytest.mark.usefixtures("embedded_backends")
def test_an_end_user_links_an_account_in_a_browser(chromium: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    key = generate_key()
    env = child_env(tmp_path / "home", key)
    log = tmp_path / "serve.log"
    api_token = create_api_token("browser-test", env)
    # The sandbox's port is chosen first, so the server (pointed at it) starts alongside it.
    port = free_port()
    sandbox_url = f"http://127.0.0.1:{port}/api"
    started = together(
        sandbox(env, port=port),
        serve("--base-url", f"mailerlite={sandbox_url}", env=env, log=log),
    )
    with started as [(printed_url, good_key), url], host_app() as redirect_uri:
        assert printed_url == sandbox_url
        host = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {api_token}"}, timeout=30.0
        )
        created = host.post(
            "/link-tokens",
            json={
                "tenant_id": "cust-1",
                "provider": "mailerlite",
                "redirect_uri": redirect_uri,
            },
        )
        assert created.status_code == 201, created.text
        link_url = created.json()["url"]

        page = chromium.new_page(viewport={"width": 760, "height": 560})
        page.goto(link_url)
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Connect your MailerLite account"
        )
        key_input = page.get_by_label("API token")
        expect(key_input).to_have_attribute("type", "password")
        page.screenshot(path=str(tmp_path / "link-page-form.png"), full_page=True)

        key_input.fill(WRONG_KEY)
        page.get_by_role("button", name="Connect").click()
        expect(page.get_by_role("alert")).to_contain_text(
            "MailerLite refused these credentials"
        )
        expect(page.get_by_label("API token")).to_have_value("")
        assert WRONG_KEY not in page.content() and WRONG_KEY not in page.url
        assert (
            page.evaluate("getComputedStyle(document.querySelector('button')).backgroundColor")
            == "rgb(26, 95, 180)"
        )  # the CSP let the page's style through
        page.screenshot(path=str(tmp_path / "link-page-refused.png"), full_page=True)
        linked = host.get("/integrated-accounts", params={"tenant_id": "cust-1"})
        assert linked.json()["result"] == []  # nothing stored

        page.get_by_label("API token").fill(good_key)
        page.get_by_role("button", name="Connect").click()
        page.wait_for_url(f"{redirect_uri}?*", timeout=15_000)
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Thanks, your account is linked"
        )
        [account_id] = parse_qs(urlsplit(page.url).query)["integrated_account_id"]

        account = host.get(f"/integrated-accounts/{account_id}").json()
        assert (account["provider"], account["tenant_id"], account["status"]) == (
            "mailerlite",
            "cust-1",
            "active",
        )
        contacts = host.get(
            "/unified/marketing-automation/contacts",
            params={"integrated_account_id": account_id, "limit": 5},
        )
        assert contacts.status_code == 200, contacts.text
        assert len(contacts.json()["result"]) == 5
        assert chromium.new_page().goto(link_url).status == 410
        host.close()
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(tmp_path / "link-page-refused.png", SCREENSHOT)
    server_output = log.read_text(errors="replace")
    assert "/link/lt_…" in server_output  # the access log ran, with the token masked
    for secret in (good_key, WRONG_KEY, link_url.rsplit("/", 1)[1]):
        assert secret not in server_output
