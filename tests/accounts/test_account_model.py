"""`Account`: ids, normalisation, and a repr without secrets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from engine.accounts import Account, AccountStatus, Secret, new_account_id

from .conftest import make_account


def test_ids_are_prefixed_and_unique() -> None:
    ids = {new_account_id() for _ in range(10_000)}
    assert len(ids) == 10_000
    assert all(i.startswith("acc_") and len(i) > 20 for i in ids)


def test_new_accounts_get_distinct_ids() -> None:
    assert make_account().id != make_account().id


def test_new_account_defaults() -> None:
    account = Account.new("mailerlite", {"api_key": "k"})
    assert account.status is AccountStatus.ACTIVE
    assert account.label == "mailerlite"
    assert account.last_used_at is None
    assert account.created_at.tzinfo is UTC


def test_credentials_are_wrapped_in_secret() -> None:
    account = make_account(secret="plain")
    assert isinstance(account.credentials["api_key"], Secret)
    assert isinstance(account.secret_metadata["webhook_secret"], Secret)


def test_repr_lists_credential_names_only(canary: str) -> None:
    account = make_account()
    assert canary not in repr(account)
    assert canary not in str(account)
    assert "credentials=<api_key>" in repr(account)


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Account(id="acc_1", provider="p", label="l", created_at=datetime(2024, 1, 1))


def test_times_are_normalised_to_utc() -> None:
    paris = timezone(timedelta(hours=1))
    account = Account(
        id="acc_1", provider="p", label="l", created_at=datetime(2024, 1, 1, 1, tzinfo=paris)
    )
    assert account.created_at == datetime(2024, 1, 1, tzinfo=UTC)
    assert account.created_at.tzinfo is UTC


def test_status_accepts_its_string_value() -> None:
    account = Account(id="acc_1", provider="p", label="l", status="needs_reauth")  # type: ignore[arg-type]
    assert account.status is AccountStatus.NEEDS_REAUTH


def test_unknown_status_is_refused() -> None:
    with pytest.raises(ValueError):
        Account(id="acc_1", provider="p", label="l", status="paused")  # type: ignore[arg-type]


def test_metadata_must_be_json_serialisable() -> None:
    with pytest.raises(ValueError, match="JSON"):
        Account(id="acc_1", provider="p", label="l", metadata={"when": datetime.now(UTC)})


def test_metadata_is_a_private_copy() -> None:
    source = {"nested": {"a": 1}}
    account = Account(id="acc_1", provider="p", label="l", metadata=source)
    source["nested"]["a"] = 2
    assert account.metadata == {"nested": {"a": 1}}


def test_non_string_credential_error_does_not_quote_the_value() -> None:
    with pytest.raises(TypeError) as caught:
        Account.new("p", {"api_key": 987654321})  # type: ignore[dict-item]
    assert "987654321" not in str(caught.value)
