"""CSRF protection of the link form: a signed double-submit cookie bound to the link token.

The page sets a random nonce in a cookie (HttpOnly, SameSite=Strict, path `/link/`) and puts
`HMAC-SHA256(key, link token id | nonce)` in a hidden field. A submission is accepted only when
the field matches the cookie's nonce *and* this link token: another site can neither read nor
set the cookie, and a field copied from another link's page does not verify. Works without
JavaScript and without server-side session state, across processes that share the key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

__all__ = ["COOKIE_NAME", "FIELD_NAME", "CsrfGuard"]

#: The cookie holding the nonce.
COOKIE_NAME = "unimap_link_csrf"
#: The hidden form field holding the signed value.
FIELD_NAME = "csrf_token"

_LABEL = b"unimap.link-page.csrf.v1"


class CsrfGuard:
    """Issues and checks the form's CSRF values under one secret key."""

    def __init__(self, secret: bytes) -> None:
        """Derive the signing key from `secret` (e.g. the account encryption key): the key
        used here is an HMAC of a fixed label, so it reveals nothing about `secret`."""
        self._key = hmac.new(secret, _LABEL, hashlib.sha256).digest()

    @staticmethod
    def new_nonce() -> str:
        """A fresh cookie value (256 random bits)."""
        return secrets.token_urlsafe(32)

    def form_value(self, token_id: str, nonce: str) -> str:
        """The hidden field's value for the link token `token_id` and the cookie's `nonce`."""
        message = f"{token_id}|{nonce}".encode()
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")

    def verify(self, token_id: str, nonce: str | None, submitted: str | None) -> bool:
        """Whether a submission's field matches its cookie and this link token."""
        if not nonce or not submitted:
            return False
        return hmac.compare_digest(self.form_value(token_id, nonce), submitted)
