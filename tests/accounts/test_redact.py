"""`redact`: masks secrets in text, in clear, URL-encoded, JSON-escaped and base64 forms."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote, quote_plus

from engine.accounts import Secret, redact

SECRET = "s3cr3t/key+with=odd&chars"


def test_plain_occurrences_are_masked() -> None:
    assert redact(f"key={SECRET}; again {SECRET}", [SECRET]) == "key=***; again ***"


def test_url_encoded_forms_are_masked() -> None:
    text = f"GET /x?api_key={quote(SECRET, safe='')}&b={quote_plus(SECRET)}&c={quote(SECRET)}"
    assert SECRET not in redact(text, [SECRET])
    assert redact(text, [SECRET]) == "GET /x?api_key=***&b=***&c=***"


def test_json_escaped_form_is_masked() -> None:
    secret = 'quote"and\\backslash'
    text = json.dumps({"token": secret})
    assert redact(text, [secret]) == '{"token": "***"}'


def test_basic_auth_user_password_is_masked() -> None:
    token = base64.b64encode(f"someone@example.com:{SECRET}".encode()).decode()
    assert redact(f"Authorization: Basic {token}", [SECRET]) == "Authorization: Basic ***"


def test_basic_auth_with_secret_as_user_is_masked() -> None:
    for payload in (f"{SECRET}:", f"{SECRET}:x", f"anystring:{SECRET}", f"ab:{SECRET}:cd"):
        token = base64.b64encode(payload.encode()).decode()
        assert redact(f"Basic {token} end", [SECRET]) == "Basic *** end", payload


def test_url_safe_base64_is_masked() -> None:
    token = base64.urlsafe_b64encode(f"u:{SECRET}".encode()).decode().rstrip("=")
    assert redact(f"t={token}&n=1", [SECRET]) == "t=***&n=1"


def test_short_secret_as_whole_basic_auth_is_masked() -> None:
    token = base64.b64encode(b"abc:").decode()
    assert redact(f"Basic {token}", ["abc"]) == "Basic ***"


def test_secret_objects_are_accepted() -> None:
    assert redact(f"x {SECRET}", [Secret(SECRET)]) == "x ***"


def test_empty_secrets_are_ignored() -> None:
    assert redact("nothing to hide", ["", Secret("")]) == "nothing to hide"


def test_longer_secret_is_masked_whole_when_secrets_overlap() -> None:
    assert redact("abcdef123456", ["abcdef", "abcdef123456"]) == "***"


def test_unrelated_text_is_unchanged() -> None:
    text = "Basic dXNlcjpwYXNzd29yZA== and plain words 12345"
    assert redact(text, [SECRET]) == text
