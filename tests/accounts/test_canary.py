"""The canary secret never appears in a repr, str, log line, exception or traceback."""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

import pytest

from engine.accounts import (
    AccountStore,
    CredentialDecryptionError,
    DuplicateAccountError,
    SecretRedactingFilter,
    SqliteAccountStore,
    default_store,
)
from engine.accounts.keys import decode_key, generate_key

from .conftest import make_account


def test_canary_absent_from_account_repr_and_str(store: AccountStore, canary: str) -> None:
    account = store.add(make_account())
    texts = [repr(account), str(account), f"{account}", repr(store.list()), repr(store)]
    texts += [repr(account.credentials), str(account.secret_metadata)]
    assert not [t for t in texts if canary in t]


def test_canary_absent_from_logs_with_the_filter(
    store: AccountStore, canary: str, caplog: pytest.LogCaptureFixture
) -> None:
    logger = logging.getLogger("tests.accounts.canary")
    caplog.set_level(logging.DEBUG, logger=logger.name)
    redacting = SecretRedactingFilter()
    caplog.handler.addFilter(redacting)
    account = store.add(make_account())
    redacting.register(*account.credentials.values(), *account.secret_metadata.values())
    api_key = account.credentials["api_key"].reveal()
    logger.debug("loaded %r", account)
    logger.info("request headers %s", {"X-Api-Key": api_key})
    logger.info(f"url https://api.example.com/?key={api_key}")
    try:
        raise ValueError(f"provider echoed {api_key}")
    except ValueError:
        logger.exception("call failed for %s", account.id)
    assert canary not in caplog.text
    assert all(canary not in m for m in caplog.messages)


def _rendered(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc)) + repr(exc) + str(exc)


def test_canary_absent_from_duplicate_error(store: AccountStore, canary: str) -> None:
    account = store.add(make_account())
    with pytest.raises(DuplicateAccountError) as caught:
        store.add(account)
    assert canary not in _rendered(caught.value)
    assert canary not in str(caught.value.to_dict())


@pytest.mark.usefixtures("embedded_database")
def test_canary_absent_from_decryption_errors(unimap_home: Path, canary: str) -> None:
    with default_store() as store:
        account = store.add(make_account())
    other_key = decode_key(generate_key(), source="test")
    with (
        SqliteAccountStore(store.path, key=other_key) as wrong,
        pytest.raises(CredentialDecryptionError) as caught,
    ):
        wrong.get(account.id)
    assert canary not in _rendered(caught.value)
    assert canary not in str(caught.value.to_dict())


def test_canary_absent_from_validation_errors(store: AccountStore, canary: str) -> None:
    account = store.add(make_account())
    with pytest.raises(ValueError) as caught:
        store.set_metadata(account.id, "bad", {canary.encode()})
    assert canary not in _rendered(caught.value)
