"""Linking (or re-authorising) an account with a link token's permission (blocking).

The credentials are checked with the provider first (`engine.linking`); only when the
provider accepted them is the token consumed, atomically, right before the account is saved.
So a refused key leaves the token usable, and of two submissions racing with good keys only
one saves an account (the other gets `LinkTokenGoneError`).
"""

from __future__ import annotations

from engine.accounts.link_tokens import LinkToken, LinkTokenGoneError
from engine.accounts.model import Account, utc_now
from engine.linking import link_account, relink_account
from engine.server.context import ServerContext
from engine.server.link_page.form import Submission

__all__ = ["link_with_token"]


def link_with_token(context: ServerContext, record: LinkToken, submission: Submission) -> Account:
    """Link a new account for the token's tenant and provider, or re-authorise the token's
    account; return the saved account. Raises the provider's unified error (nothing saved,
    token untouched) or `LinkTokenGoneError` when another submission used the token first."""

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
