"""Linking (or re-authorising) an account with a link token's permission.

The credentials are checked with the provider first (`engine.linking`); only when the
provider accepted them is the token consumed, atomically, right before the account is saved.
So a refused key leaves the token usable, and of two submissions racing with good keys only
one saves an account (the other gets `LinkTokenGoneError`). Refused credentials are counted
on the token: the `MAX_FAILED_ATTEMPTS`-th burns it (`count_refusal`).

Once the account is saved, `subscribe_linked` subscribes the provider to the events the token
asked for. Its failure never undoes the link: it is logged and recorded on the account
(metadata `webhook_subscription`), and can be retried with `POST
/integrated-accounts/{id}/webhooks`.
"""

from __future__ import annotations

import logging

from engine.accounts.link_tokens import MAX_FAILED_ATTEMPTS, LinkToken, LinkTokenGoneError
from engine.accounts.model import Account, utc_now
from engine.errors import ForbiddenError, UnauthorizedError, UnimapError
from engine.forwarding.subscribe import asubscribe_account
from engine.linking import link_account, relink_account
from engine.server.context import ServerContext
from engine.server.link_page.form import Submission

__all__ = ["count_refusal", "link_with_token", "subscribe_linked"]

logger = logging.getLogger("unimap.server.link")


def link_with_token(context: ServerContext, record: LinkToken, submission: Submission) -> Account:
    """Link a new account for the token's tenant and provider, or re-authorise the token's
    account; return the saved account (blocking). Raises the provider's unified error
    (nothing saved, token untouched) or `LinkTokenGoneError` when another submission used
    the token first."""

    def claim() -> None:
        if not context.link_tokens.consume(record.id, utc_now()):
            raise LinkTokenGoneError()

    if record.integrated_account_id is not None:
        return relink_account(
            context.engine,
            context.accounts,
            record.integrated_account_id,
            submission.credentials,
            before_save=claim,
        )
    return link_account(
        context.engine,
        context.accounts,
        record.provider,
        submission.credentials,
        settings=submission.settings,
        tenant_id=record.tenant_id,
        base_url=context.settings.base_urls.get(record.provider),
        before_save=claim,
    )


def count_refusal(context: ServerContext, record: LinkToken, error: UnimapError) -> bool:
    """Count `error` on the token when it is the provider refusing the credentials (blocking);
    True when the token is burned (or otherwise no longer usable)."""
    if not isinstance(error, UnauthorizedError | ForbiddenError):
        return False
    burned = context.link_tokens.record_failure(record.id, utc_now(), MAX_FAILED_ATTEMPTS)
    if burned:
        logger.warning("link token %s… burned after refused credentials", record.id[:8])
    return burned


async def subscribe_linked(context: ServerContext, record: LinkToken, account: Account) -> bool:
    """Subscribe the provider to the token's `webhook_events` for the linked `account`; True
    when done (or none was asked for), False when it failed (logged, recorded on the
    account; the account stays linked)."""
    if not record.webhook_events:
        return True
    try:
        await asubscribe_account(
            context.engine,
            context.accounts,
            account.id,
            context.settings.public_url,
            list(record.webhook_events),
            transport=context.transport,
            replace=record.integrated_account_id is not None,
        )
    except Exception as exc:
        code = exc.error if isinstance(exc, UnimapError) else type(exc).__name__
        logger.warning(
            "account %s: webhook subscription after linking failed (%s)", account.id, code
        )
        return False
    return True
