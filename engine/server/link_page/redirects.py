"""Where the link page sends the end user back to: checking `redirect_uri`, adding the id.

Pure: no I/O. A `redirect_uri` must be an absolute `http` or `https` URL with a host, without
user name or password and without a fragment (the account id is added to its query).
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode, urlsplit, urlunsplit

__all__ = ["MAX_REDIRECT_LENGTH", "check_redirect_uri", "origin_of", "redirect_target"]

#: The longest `redirect_uri` accepted.
MAX_REDIRECT_LENGTH = 2048


def check_redirect_uri(value: str) -> str | None:
    """The problem with `value` as a redirect URI, or None when it is acceptable."""
    if len(value) > MAX_REDIRECT_LENGTH:
        return f"must be at most {MAX_REDIRECT_LENGTH} characters"
    if any(ord(char) < 0x21 or ord(char) == 0x7F for char in value):
        return "must not contain spaces or control characters"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return "is not a valid URL"
    if parts.scheme not in ("http", "https"):
        return "must be an http or https URL"
    if not parts.hostname:
        return "must be an absolute URL with a host"
    if parts.username is not None or parts.password is not None:
        return "must not contain a user name or password"
    if parts.fragment or value.endswith("#"):
        return "must not contain a fragment (#...)"
    return None


def origin_of(url: str) -> str:
    """`scheme://host[:port]` of an absolute URL (for the page's `form-action` policy)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def redirect_target(
    redirect_uri: str, account_id: str, extra: Mapping[str, str] | None = None
) -> str:
    """`redirect_uri` with `integrated_account_id=<account_id>` (and `extra`) added to its
    query."""
    parts = urlsplit(redirect_uri)
    added = urlencode({"integrated_account_id": account_id, **(extra or {})})
    query = f"{parts.query}&{added}" if parts.query else added
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
