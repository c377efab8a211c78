"""Which `redirect_uri` a link token accepts, and how the new account's id is added to it."""

from __future__ import annotations

import pytest

from engine.server.link_page.redirects import check_redirect_uri, origin_of, redirect_target


@pytest.mark.parametrize(
    "uri",
    ["https://app.example/linked", "http://127.0.0.1:9000/cb?state=abc", "https://app.example"],
)
def test_absolute_http_and_https_urls_are_accepted(uri: str) -> None:
    assert check_redirect_uri(uri) is None


@pytest.mark.parametrize(
    ("uri", "problem"),
    [
        ("javascript:alert(1)", "must be an http or https URL"),
        ("data:text/html,hi", "must be an http or https URL"),
        ("ftp://files.example/x", "must be an http or https URL"),
        ("/relative/path", "must be an http or https URL"),
        ("https:///no-host", "must be an absolute URL with a host"),
        ("https://user:pw@app.example/cb", "must not contain a user name or password"),
        ("https://app.example/cb#frag", "must not contain a fragment (#...)"),
        ("https://app.example/a b", "must not contain spaces or control characters"),
        ("https://app.example:port/", "is not a valid URL"),
        ("https://app.example/" + "a" * 2048, "must be at most 2048 characters"),
    ],
)
def test_other_urls_are_refused_with_the_reason(uri: str, problem: str) -> None:
    assert check_redirect_uri(uri) == problem


def test_the_account_id_is_added_to_the_query() -> None:
    assert redirect_target("https://app.example/cb", "acc_1") == (
        "https://app.example/cb?integrated_account_id=acc_1"
    )


def test_an_existing_query_is_kept() -> None:
    assert redirect_target("https://app.example/cb?state=x%20y", "acc_1") == (
        "https://app.example/cb?state=x%20y&integrated_account_id=acc_1"
    )


def test_the_origin_is_scheme_host_and_port() -> None:
    assert origin_of("http://127.0.0.1:9000/cb?x=1") == "http://127.0.0.1:9000"
