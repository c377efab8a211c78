"""The form's CSRF value: valid only with its cookie's nonce, for its own link token."""

from __future__ import annotations

from engine.server.link_page.csrf import CsrfGuard

GUARD = CsrfGuard(b"k" * 32)


def test_the_value_issued_for_a_token_and_nonce_verifies() -> None:
    nonce = CsrfGuard.new_nonce()
    assert GUARD.verify("token-a", nonce, GUARD.form_value("token-a", nonce))


def test_a_value_issued_for_another_link_token_is_refused() -> None:
    nonce = CsrfGuard.new_nonce()
    assert not GUARD.verify("token-b", nonce, GUARD.form_value("token-a", nonce))


def test_a_value_with_another_cookie_is_refused() -> None:
    value = GUARD.form_value("token-a", CsrfGuard.new_nonce())
    assert not GUARD.verify("token-a", CsrfGuard.new_nonce(), value)


def test_a_missing_cookie_or_field_is_refused() -> None:
    nonce = CsrfGuard.new_nonce()
    value = GUARD.form_value("token-a", nonce)
    assert not GUARD.verify("token-a", None, value)
    assert not GUARD.verify("token-a", nonce, None)
    assert not GUARD.verify("token-a", nonce, "")


def test_a_value_signed_with_another_key_is_refused() -> None:
    nonce = CsrfGuard.new_nonce()
    forged = CsrfGuard(b"x" * 32).form_value("token-a", nonce)
    assert not GUARD.verify("token-a", nonce, forged)


def test_fresh_nonces_differ() -> None:
    assert CsrfGuard.new_nonce() != CsrfGuard.new_nonce()
