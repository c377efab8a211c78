"""The link page's HTML: labelled, described, escaped, and never holding a secret value."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from engine.format.provider import CredentialField, SettingField
from engine.server.link_page.form import form_fields
from engine.server.link_page.html import STYLE, message_page, page_form, security_headers
from tests.link_page.test_link_form import EXPECTED_FIELDS, bundled, synthetic

SECRET = "sk-canary-0e1f2a3b4c5d"


class Elements(HTMLParser):
    """Every start tag with its attributes, in document order."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def render(provider: str = "mailchimp", **details: object) -> str:
    declared = bundled(provider)
    return page_form(
        provider_label=declared.label,
        fields=form_fields(declared),
        csrf_value="csrf-value",
        **details,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("provider", sorted(EXPECTED_FIELDS))
def test_every_input_has_a_label_and_its_help_is_tied_to_it(provider: str) -> None:
    page = Elements(render(provider))
    labels = {attrs["for"] for attrs in page.all("label")}
    helps = {attrs["id"] for attrs in page.all("p") if attrs.get("class") == "help"}
    visible = [a for a in page.all("input") if a["type"] != "hidden"]
    assert [a["name"] for a in visible] == EXPECTED_FIELDS[provider]
    for attrs in visible:
        assert attrs["id"] in labels
        assert set((attrs.get("aria-describedby") or "").split()) <= helps
        assert attrs.get("aria-describedby")  # every bundled field has help text


def test_the_page_names_the_provider_and_declares_its_language() -> None:
    page = render("brevo")
    assert "<h1>Connect your Brevo account</h1>" in page
    assert '<html lang="en">' in page


def test_the_form_posts_to_itself_with_the_csrf_value() -> None:
    page = Elements(render())
    [form] = page.all("form")
    assert form["method"] == "post" and "action" not in form
    hidden = [a for a in page.all("input") if a["type"] == "hidden"]
    assert hidden == [{"type": "hidden", "name": "csrf_token", "value": "csrf-value"}]


def test_a_re_rendered_form_never_holds_the_secret_but_keeps_the_settings() -> None:
    page = render(
        values={"credential.api_key": SECRET, "setting.list_id": "aud-1"},
        message="Mailchimp refused these credentials.",
    )
    assert SECRET not in page
    [key] = [a for a in Elements(page).all("input") if a["name"] == "credential.api_key"]
    assert "value" not in key
    assert 'value="aud-1"' in page


def test_a_problem_marks_its_input_invalid_and_describes_it() -> None:
    page = render(problems={"credential.api_key": "API key is required."}, message="Fix it.")
    [key] = [a for a in Elements(page).all("input") if a["name"] == "credential.api_key"]
    assert key["aria-invalid"] == "true"
    assert "f-credential-api_key-error" in (key["aria-describedby"] or "")
    assert '<div class="alert" role="alert" id="form-message">Fix it.</div>' in page


def test_text_from_mappings_and_messages_is_escaped() -> None:
    hostile = '<script>alert("x")</script>'
    provider = synthetic(
        credentials=[CredentialField(name="api_key", label=hostile, description=hostile)],
        settings=[SettingField(name="list_id", label="List", description=hostile)],
    )
    page = page_form(
        provider_label=hostile,
        fields=form_fields(provider),
        csrf_value='"><script>',
        values={"setting.list_id": '"><img src=x onerror=alert(1)>'},
        message=hostile,
    )
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_a_message_page_is_an_alert_and_a_success_a_status() -> None:
    assert 'role="alert"' in message_page("Link not found", "Ask again.")
    assert 'role="status"' in message_page("Account connected", "Done.", success=True)


def test_the_headers_forbid_caching_framing_referrers_and_scripts() -> None:
    headers = security_headers(["https://app.example"])
    policy = headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "form-action 'self' https://app.example" in policy
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"


def test_the_only_style_is_one_inline_block_and_no_style_attribute() -> None:
    page = render()
    assert re.findall(r"<style>(.*?)</style>", page, re.S) == [STYLE]
    assert "style=" not in page
