"""`GET /link/{token}` and its form's `POST`: the hosted page where an end user links an account.

GET shows a form asking for exactly the credentials and settings the provider declares. POST
checks the CSRF value, reads the form, checks the credentials with the provider's `check`
request (`engine.linking`), and only once the provider accepted them consumes the link token
(atomically: a second submission finds it used) and saves the account, encrypted. Then the
browser is sent (303) to the token's `redirect_uri` with `integrated_account_id=<id>`, or a
success page is shown.

A refused key re-renders the form with a message: nothing is stored and the token stays
usable, up to `MAX_FAILED_ATTEMPTS` refusals, which burn it (410). An unknown token answers
404, an expired or used one 410, both as pages. When the token asked for webhook events, the
provider is subscribed to them once the account is saved; the redirect then carries
`webhook_subscription=subscribed` or `=failed` (the account stays linked either way). The key is
only ever in the POST body: never in a URL, a log line or a page (secret inputs are rendered
empty). Every answer carries `security_headers`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from engine.accounts.errors import AccountNotFoundError
from engine.accounts.link_tokens import (
    LinkToken,
    LinkTokenGoneError,
    LinkTokenNotFoundError,
    open_link_token,
)
from engine.accounts.model import Account, AccountStatus
from engine.errors import UnauthorizedError, UnimapError, ValidationError
from engine.linking import AccountDisabledError
from engine.server.context import ServerContext
from engine.server.link_page.csrf import COOKIE_NAME, FIELD_NAME, CsrfGuard
from engine.server.link_page.form import FormField, form_fields, parse_submission
from engine.server.link_page.html import message_page, page_form, security_headers
from engine.server.link_page.linker import count_refusal, link_with_token, subscribe_linked
from engine.server.link_page.redirects import origin_of, redirect_target

__all__ = ["MAX_FORM_BYTES", "SUBSCRIPTION_PARAM", "routes"]

logger = logging.getLogger("unimap.server.link")

# A link that cannot be used: answered with a page, never with the form.
_UNUSABLE = (
    LinkTokenNotFoundError,
    LinkTokenGoneError,
    AccountNotFoundError,
    AccountDisabledError,
)

#: The redirect's query parameter saying how the asked-for webhook subscription went.
SUBSCRIPTION_PARAM = "webhook_subscription"

#: The largest form body read; a bigger one is refused before it is parsed.
MAX_FORM_BYTES = 64 * 1024


@dataclass(frozen=True)
class _View:
    """What one page view is about: the token's record and the provider's form."""

    record: LinkToken
    provider_label: str
    fields: list[FormField]

    @property
    def reauthorise(self) -> bool:
        return self.record.integrated_account_id is not None

    def headers(self) -> dict[str, str]:
        targets = [origin_of(self.record.redirect_uri)] if self.record.redirect_uri else []
        return security_headers(targets)


def _page(html: str, status: int, headers: dict[str, str] | None = None) -> HTMLResponse:
    return HTMLResponse(html, status_code=status, headers=headers or security_headers())


def _refused(error: UnimapError) -> HTMLResponse:
    """The page of a token that cannot be used (404 unknown, 410 expired or used)."""
    if isinstance(error, LinkTokenGoneError):
        title = "This link has expired"
        text = (
            "This link has expired or was already used. "
            "Ask the application that sent you for a new one."
        )
    elif isinstance(error, AccountNotFoundError):
        title, text = "Account not found", "The account this link was for no longer exists."
    elif isinstance(error, AccountDisabledError):
        title = "Account disabled"
        text = "The account this link was for is disabled. Ask the application that sent you."
    else:
        title = "Link not found"
        text = "This link is not valid. Ask the application that sent you for a new one."
    return _page(message_page(title, text), error.status_code)


async def _body(request: Request) -> dict[str, str]:
    """The urlencoded form (first value of each name); oversized bodies give `{}`."""
    if request.headers.get("content-type", "").split(";")[0].strip() != (
        "application/x-www-form-urlencoded"
    ):
        return {}
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_FORM_BYTES:
            return {}
    form: dict[str, str] = {}
    for name, value in parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True):
        form.setdefault(name, value)
    return form


class _LinkPage:
    """The page's two handlers, bound to the server's context."""

    def __init__(self, context: ServerContext) -> None:
        self.context = context
        self.csrf = CsrfGuard(context.scoped_key)

    def _view(self, token: str) -> _View:
        """The view of a usable token (blocking: reads the store)."""
        record = open_link_token(self.context.link_tokens, token)
        provider = self.context.engine.mapping(record.provider).provider
        if record.integrated_account_id is not None:
            account = self.context.accounts.get(record.integrated_account_id)
            if account.status is AccountStatus.DISABLED:
                raise AccountDisabledError(account.id)
        fields = form_fields(provider, reauthorise=record.integrated_account_id is not None)
        return _View(record, provider.label, fields)

    async def _open(self, request: Request) -> _View | HTMLResponse:
        try:
            return await run_in_threadpool(self._view, request.path_params["token"])
        except _UNUSABLE as error:
            return _refused(error)

    def _form(self, view: _View, nonce: str, status: int = 200, **details: Any) -> HTMLResponse:
        html = page_form(
            provider_label=view.provider_label,
            fields=view.fields,
            csrf_value=self.csrf.form_value(view.record.id, nonce),
            reauthorise=view.reauthorise,
            **details,
        )
        response = _page(html, status, view.headers())
        response.set_cookie(
            COOKIE_NAME,
            nonce,
            path="/link/",
            httponly=True,
            samesite="strict",
            secure=self.context.settings.public_url.startswith("https:"),
        )
        return response

    async def show(self, request: Request) -> Response:
        """GET: the form (a fresh CSRF nonce unless the browser already holds one)."""
        view = await self._open(request)
        if isinstance(view, HTMLResponse):
            return view
        nonce = request.cookies.get(COOKIE_NAME) or CsrfGuard.new_nonce()
        return self._form(view, nonce)

    async def submit(self, request: Request) -> Response:
        """POST: check the CSRF value and the credentials, then link and redirect."""
        view = await self._open(request)
        if isinstance(view, HTMLResponse):
            return view
        form = await _body(request)
        nonce = request.cookies.get(COOKIE_NAME)
        if request.headers.get("sec-fetch-site") == "cross-site" or not self.csrf.verify(
            view.record.id, nonce, form.get(FIELD_NAME)
        ):
            title = "Please try again"
            text = (
                "This form has expired or was sent from another site. "
                "Reload the page and try again."
            )
            return _page(message_page(title, text), 403, view.headers())
        assert nonce is not None
        submission = parse_submission(view.fields, form)
        values = {f.name: form.get(f.name, "") for f in view.fields if not f.secret}
        if submission.problems:
            message = "Please correct the fields marked below."
            return self._form(
                view, nonce, 422, values=values, problems=submission.problems, message=message
            )
        try:
            account = await run_in_threadpool(
                link_with_token, self.context, view.record, submission
            )
        except _UNUSABLE as error:
            return _refused(error)
        except UnimapError as error:
            if await run_in_threadpool(count_refusal, self.context, view.record, error):
                return _burned()
            status, message = _failure(view.provider_label, error)
            return self._form(view, nonce, status, values=values, message=message)
        subscribed = await subscribe_linked(self.context, view.record, account)
        return self._done(view, account, subscribed)

    def _done(self, view: _View, account: Account, subscribed: bool) -> Response:
        logger.info(
            "link token %s… %s account %s (%s)",
            view.record.id[:8],
            "re-authorised" if view.reauthorise else "linked",
            account.id,
            account.provider,
        )
        response: Response
        extra = {}
        if view.record.webhook_events:
            extra[SUBSCRIPTION_PARAM] = "subscribed" if subscribed else "failed"
        if view.record.redirect_uri:
            target = redirect_target(view.record.redirect_uri, account.id, extra)
            response = RedirectResponse(target, status_code=303, headers=view.headers())
        else:
            verb = "reconnected" if view.reauthorise else "connected"
            text = f"Your {view.provider_label} account is {verb}. You can close this page."
            if not subscribed:
                text += " Its notifications could not be set up yet."
            response = _page(message_page("Account connected", text, success=True), 200)
        response.delete_cookie(COOKIE_NAME, path="/link/")
        return response


def _burned() -> HTMLResponse:
    """The page of a token burned by too many refused credentials (410, like a used one)."""
    title = "Too many attempts"
    text = (
        "These credentials were refused too many times, so this link no longer works. "
        "Ask the application that sent you for a new one."
    )
    return _page(message_page(title, text), 410)


def _failure(provider_label: str, error: UnimapError) -> tuple[int, str]:
    """The status and message of a refused link (never the credential itself)."""
    if isinstance(error, UnauthorizedError):
        text = f"{provider_label} refused these credentials. Check them and try again."
        return 422, text
    if isinstance(error, ValidationError):
        return 422, f"These settings were refused: {error.message}"
    text = (
        f"Your credentials could not be checked with {provider_label} right now "
        f"({error.error}). Please try again in a moment."
    )
    return 502, text


def routes(context: ServerContext) -> list[BaseRoute]:
    """The link page's routes."""
    page = _LinkPage(context)
    return [
        Route("/link/{token}", page.show, methods=["GET"]),
        Route("/link/{token}", page.submit, methods=["POST"]),
    ]
