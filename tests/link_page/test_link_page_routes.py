"""`GET/POST /link/{token}` over HTTP: the form, CSRF, a refused key, linking, single use."""

from __future__ import annotations

import dataclasses
import logging
import threading
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from engine.accounts.link_tokens import MAX_FAILED_ATTEMPTS, hash_link_token, issue_link_token
from engine.accounts.model import Account, AccountStatus, utc_now
from tests.link_page.conftest import GOOD_KEY, MAILCHIMP_KEY, WRONG_KEY, LinkServer

REDIRECT = "https://app.example/linked?state=s1"


def linked_accounts(server: LinkServer) -> list[Account]:
    return server.context.accounts.list()


def test_the_page_asks_for_the_providers_fields_with_safe_headers(link_server: LinkServer) -> None:
    token = link_server.link_token(provider="mailchimp")["token"]
    page, csrf = link_server.open_form(token)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert 'name="credential.api_key" type="password"' in page.text
    assert 'name="setting.list_id" type="text"' in page.text
    assert "Profile → Extras → API keys" in page.text  # the mapping's help text
    assert csrf
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/link/" in cookie


def test_the_right_key_links_the_account_and_redirects_with_its_id(
    link_server: LinkServer,
) -> None:
    token, csrf = link_server.start(provider="mailerlite", redirect_uri=REDIRECT)
    answer = link_server.submit(token, csrf, **{"credential.api_key": GOOD_KEY})
    assert answer.status_code == 303
    target = urlsplit(answer.headers["location"])
    assert target.netloc == "app.example" and GOOD_KEY not in answer.headers["location"]
    query = parse_qs(target.query)
    assert query["state"] == ["s1"]
    [account] = linked_accounts(link_server)
    assert query["integrated_account_id"] == [account.id]
    assert (account.provider, account.tenant_id, account.status) == (
        "mailerlite",
        "t-1",
        AccountStatus.ACTIVE,
    )
    assert account.credentials["api_key"].reveal() == GOOD_KEY
    assert account.base_url == link_server.context.settings.base_urls["mailerlite"]
    assert "form-action 'self' https://app.example" in answer.headers["content-security-policy"]


def test_a_wrong_key_is_refused_on_the_page_and_stores_nothing(link_server: LinkServer) -> None:
    token, csrf = link_server.start(provider="mailerlite")
    answer = link_server.submit(token, csrf, **{"credential.api_key": WRONG_KEY})
    assert answer.status_code == 422
    assert "MailerLite refused these credentials" in answer.text
    assert 'role="alert"' in answer.text
    assert WRONG_KEY not in answer.text
    assert linked_accounts(link_server) == []


def test_after_a_wrong_key_the_same_token_still_links(link_server: LinkServer) -> None:
    token, csrf = link_server.start(provider="mailerlite")
    link_server.submit(token, csrf, **{"credential.api_key": WRONG_KEY})
    answer = link_server.submit(token, csrf, **{"credential.api_key": GOOD_KEY})
    assert answer.status_code == 200
    assert "Your MailerLite account is connected" in answer.text
    assert len(linked_accounts(link_server)) == 1


def test_a_used_token_answers_410_and_links_nothing_more(link_server: LinkServer) -> None:
    token, csrf = link_server.start(provider="mailerlite")
    link_server.submit(token, csrf, **{"credential.api_key": GOOD_KEY})
    again = link_server.submit(token, csrf, **{"credential.api_key": GOOD_KEY})
    assert again.status_code == 410
    assert "expired or was already used" in again.text
    assert link_server.browser.get(f"/link/{token}").status_code == 410
    assert len(linked_accounts(link_server)) == 1


def test_the_tenth_refused_key_burns_the_token_and_the_right_key_then_links_nothing(
    link_server: LinkServer,
) -> None:
    token, csrf = link_server.start(provider="mailerlite")
    wrong = {"credential.api_key": WRONG_KEY}
    statuses = [link_server.submit(token, csrf, **wrong).status_code for _ in range(10)]
    assert MAX_FAILED_ATTEMPTS == 10 and statuses == [422] * 9 + [410]
    right = link_server.submit(token, csrf, **{"credential.api_key": GOOD_KEY})
    assert right.status_code == 410
    assert "expired or was already used" in right.text
    assert link_server.browser.get(f"/link/{token}").status_code == 410
    assert linked_accounts(link_server) == []


def test_a_provider_that_cannot_be_reached_does_not_count_as_a_refused_key(
    link_server: LinkServer,
) -> None:
    unreachable = "http://127.0.0.1:9/api"  # the discard port: nothing listens
    link_server.context.settings = dataclasses.replace(
        link_server.context.settings, base_urls={"mailerlite": unreachable}
    )
    token, csrf = link_server.start(provider="mailerlite")
    answer = link_server.submit(token, csrf, **{"credential.api_key": GOOD_KEY})
    assert answer.status_code == 502
    record = link_server.context.link_tokens.get(hash_link_token(token))
    assert record is not None and record.failed_attempts == 0


def test_an_expired_token_answers_410(link_server: LinkServer) -> None:
    token, _ = issue_link_token(
        link_server.context.link_tokens,
        provider="mailerlite",
        tenant_id="t-1",
        ttl=timedelta(minutes=5),
        now=utc_now() - timedelta(minutes=6),
    )
    page = link_server.browser.get(f"/link/{token}")
    assert page.status_code == 410
    assert page.headers["content-type"].startswith("text/html")
    assert "This link has expired" in page.text


def test_an_unknown_token_answers_404_as_a_page(link_server: LinkServer) -> None:
    page = link_server.browser.get("/link/lt_not-a-real-token")
    assert page.status_code == 404
    assert "This link is not valid" in page.text
    assert page.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("csrf", ["", "forged-value"])
def test_a_form_without_its_csrf_value_is_refused(link_server: LinkServer, csrf: str) -> None:
    token = link_server.link_token(provider="mailerlite")["token"]
    link_server.open_form(token)
    answer = link_server.submit(token, csrf, **{"credential.api_key": GOOD_KEY})
    assert answer.status_code == 403
    assert linked_accounts(link_server) == []
    _, fresh = link_server.open_form(token)  # the token is still usable
    assert link_server.submit(token, fresh, **{"credential.api_key": GOOD_KEY}).status_code == 200


def test_a_form_posted_without_the_pages_cookie_is_refused(link_server: LinkServer) -> None:
    token, csrf = link_server.start(provider="mailerlite")
    with httpx.Client(base_url=link_server.url, timeout=15.0) as other_browser:
        answer = other_browser.post(
            f"/link/{token}", data={"csrf_token": csrf, "credential.api_key": GOOD_KEY}
        )
    assert answer.status_code == 403
    assert linked_accounts(link_server) == []


def test_a_cross_site_post_is_refused(link_server: LinkServer) -> None:
    token, csrf = link_server.start(provider="mailerlite")
    answer = link_server.browser.post(
        f"/link/{token}",
        data={"csrf_token": csrf, "credential.api_key": GOOD_KEY},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert answer.status_code == 403


def test_a_missing_key_is_a_field_problem_on_the_page(link_server: LinkServer) -> None:
    token, csrf = link_server.start(provider="mailerlite")
    answer = link_server.submit(token, csrf, **{"credential.api_key": ""})
    assert answer.status_code == 422
    assert "API token is required." in answer.text
    assert 'aria-invalid="true"' in answer.text


def test_settings_are_stored_with_the_account(link_server: LinkServer) -> None:
    token, csrf = link_server.start(provider="mailchimp")
    fields = {"credential.api_key": MAILCHIMP_KEY, "setting.list_id": "aud-42"}
    assert link_server.submit(token, csrf, **fields).status_code == 200
    [account] = linked_accounts(link_server)
    assert (account.provider, account.settings) == ("mailchimp", {"list_id": "aud-42"})


def test_a_refused_form_keeps_settings_but_never_the_key(link_server: LinkServer) -> None:
    token, csrf = link_server.start(provider="mailchimp")
    fields = {"credential.api_key": "wrong-key-us21", "setting.list_id": "aud-42"}
    answer = link_server.submit(token, csrf, **fields)
    assert answer.status_code == 422
    assert 'value="aud-42"' in answer.text
    assert "wrong-key-us21" not in answer.text


def test_re_authorising_replaces_the_key_of_the_same_account(link_server: LinkServer) -> None:
    stale = link_server.context.accounts.add(
        Account.new(
            "mailerlite",
            {"api_key": "revoked"},
            tenant_id="t-1",
            base_url=link_server.context.settings.base_urls["mailerlite"],
            status=AccountStatus.NEEDS_REAUTH,
        )
    )
    token = link_server.host.post(
        "/link-tokens", json={"integrated_account_id": stale.id, "redirect_uri": REDIRECT}
    ).json()["token"]
    page, csrf = link_server.open_form(token)
    assert "Reconnect your MailerLite account" in page.text
    answer = link_server.submit(token, csrf, **{"credential.api_key": GOOD_KEY})
    assert answer.status_code == 303
    assert f"integrated_account_id={stale.id}" in answer.headers["location"]
    [account] = linked_accounts(link_server)
    assert account.id == stale.id and account.status is AccountStatus.ACTIVE
    assert account.credentials["api_key"].reveal() == GOOD_KEY


def test_of_two_racing_submissions_only_one_links(link_server: LinkServer) -> None:
    token, csrf = link_server.start(provider="mailerlite")
    statuses: list[int] = []
    start = threading.Barrier(2)

    def submit() -> None:
        start.wait(timeout=10)
        statuses.append(
            link_server.submit(token, csrf, **{"credential.api_key": GOOD_KEY}).status_code
        )

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(statuses) == [200, 410]
    assert len(linked_accounts(link_server)) == 1


def test_no_key_reaches_a_log_line(
    link_server: LinkServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token, csrf = link_server.start(provider="mailerlite")
    link_server.submit(token, csrf, **{"credential.api_key": WRONG_KEY})
    link_server.submit(token, csrf, **{"credential.api_key": GOOD_KEY})
    everything = "\n".join(record.getMessage() for record in caplog.records)
    assert WRONG_KEY not in everything and GOOD_KEY not in everything
    server_side = "\n".join(
        record.getMessage() for record in caplog.records if record.name.startswith("unimap")
    )
    assert "linked account" in server_side and token not in server_side


def test_a_link_for_a_disabled_or_removed_account_is_refused(link_server: LinkServer) -> None:
    accounts = link_server.context.accounts
    account = accounts.add(Account.new("mailerlite", {"api_key": "old"}, tenant_id="t-1"))
    body = {"integrated_account_id": account.id}
    token = link_server.host.post("/link-tokens", json=body).json()["token"]
    accounts.update_status(account.id, AccountStatus.DISABLED)
    disabled = link_server.browser.get(f"/link/{token}")
    assert disabled.status_code == 403 and "is disabled" in disabled.text
    accounts.remove(account.id)
    removed = link_server.browser.get(f"/link/{token}")
    assert removed.status_code == 404 and "no longer exists" in removed.text
