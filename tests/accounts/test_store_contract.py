"""The `AccountStore` contract, checked against every built-in store."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from engine.accounts import (
    Account,
    AccountNotFoundError,
    AccountStatus,
    AccountStore,
    DuplicateAccountError,
    Secret,
)
from engine.errors import NotFoundError

from .conftest import make_account

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def test_store_satisfies_the_protocol(store: AccountStore) -> None:
    assert isinstance(store, AccountStore)


def test_added_account_round_trips(store: AccountStore, canary: str) -> None:
    account = make_account(base_url="http://127.0.0.1:8080/api")
    assert store.add(account) == account
    loaded = store.get(account.id)
    assert loaded == account
    assert loaded.credentials["api_key"].reveal() == canary
    assert loaded.secret_metadata["webhook_secret"].reveal() == "whsec-" + canary
    assert loaded.metadata == {"plan": "free"}
    assert loaded.base_url == "http://127.0.0.1:8080/api"


def test_unicode_and_empty_values_round_trip(store: AccountStore) -> None:
    account = Account.new("p", {"token": "clé-🔑", "empty": ""}, label="Zoë", metadata={"é": "ü"})
    store.add(account)
    assert store.get(account.id) == account


def test_duplicate_id_is_refused(store: AccountStore) -> None:
    account = store.add(make_account())
    with pytest.raises(DuplicateAccountError):
        store.add(account)


def test_unknown_id_raises_not_found(store: AccountStore) -> None:
    with pytest.raises(AccountNotFoundError) as caught:
        store.get("acc_missing")
    assert isinstance(caught.value, NotFoundError)
    assert caught.value.to_dict()["status_code"] == 404


def test_every_update_on_unknown_id_raises_not_found(store: AccountStore) -> None:
    operations: list[Callable[[], object]] = [
        lambda: store.remove("acc_missing"),
        lambda: store.update_status("acc_missing", AccountStatus.DISABLED),
        lambda: store.touch("acc_missing"),
        lambda: store.set_credentials("acc_missing", {"api_key": "x"}),
        lambda: store.set_metadata("acc_missing", "k", 1),
        lambda: store.set_secret_metadata("acc_missing", "k", "v"),
    ]
    for operation in operations:
        with pytest.raises(AccountNotFoundError):
            operation()


def test_remove_deletes_the_account(store: AccountStore) -> None:
    kept, removed = store.add(make_account()), store.add(make_account())
    store.remove(removed.id)
    assert [a.id for a in store.list()] == [kept.id]
    with pytest.raises(AccountNotFoundError):
        store.get(removed.id)


def test_update_status_changes_only_the_status(store: AccountStore) -> None:
    account = store.add(make_account())
    updated = store.update_status(account.id, AccountStatus.NEEDS_REAUTH)
    assert updated.status is AccountStatus.NEEDS_REAUTH
    assert store.get(account.id) == account.evolve(status=AccountStatus.NEEDS_REAUTH)
    assert store.update_status(account.id, "disabled").status is AccountStatus.DISABLED


def test_touch_records_last_use(store: AccountStore) -> None:
    account = store.add(make_account())
    assert store.touch(account.id, T0).last_used_at == T0
    assert store.get(account.id).last_used_at == T0


def test_touch_defaults_to_now(store: AccountStore) -> None:
    account = store.add(make_account())
    before = datetime.now(UTC)
    used = store.touch(account.id).last_used_at
    assert used is not None and before <= used <= datetime.now(UTC)


def test_set_credentials_replaces_all_credentials(store: AccountStore) -> None:
    account = store.add(make_account())
    updated = store.set_credentials(account.id, {"token": Secret("new-token")})
    assert set(updated.credentials) == {"token"}
    assert store.get(account.id).credentials["token"].reveal() == "new-token"
    assert store.get(account.id).secret_metadata == account.secret_metadata


def test_set_metadata_adds_and_overwrites_a_key(store: AccountStore) -> None:
    account = store.add(make_account())
    store.set_metadata(account.id, "plan", "paid")
    updated = store.set_metadata(account.id, "limits", {"per_minute": 120})
    assert updated.metadata == {"plan": "paid", "limits": {"per_minute": 120}}
    assert store.get(account.id).metadata == updated.metadata


def test_set_metadata_refuses_non_json_values(store: AccountStore) -> None:
    account = store.add(make_account())
    with pytest.raises(ValueError):
        store.set_metadata(account.id, "when", datetime.now(UTC))
    assert store.get(account.id).metadata == {"plan": "free"}


def test_set_secret_metadata_adds_and_overwrites_a_key(store: AccountStore) -> None:
    account = store.add(make_account())
    store.set_secret_metadata(account.id, "webhook_secret", "rotated")
    updated = store.set_secret_metadata(account.id, "signing_key", Secret("sk"))
    assert {k: v.reveal() for k, v in updated.secret_metadata.items()} == {
        "webhook_secret": "rotated",
        "signing_key": "sk",
    }
    assert store.get(account.id) == updated


def test_list_orders_by_creation_time_then_id(store: AccountStore) -> None:
    def at(seconds: int, account_id: str) -> Account:
        created = T0 + timedelta(seconds=seconds)
        return Account(id=account_id, provider="p", label="l", created_at=created)

    for account in [at(2, "acc_a"), at(1, "acc_z"), at(1, "acc_b"), at(0, "acc_y")]:
        store.add(account)
    expected = ["acc_y", "acc_b", "acc_z", "acc_a"]
    assert [a.id for a in store.list()] == expected
    assert [a.id for a in store.list()] == expected


def test_list_filters_by_provider_and_status(store: AccountStore) -> None:
    mailer = store.add(make_account("mailerlite"))
    other = store.add(make_account("brevo"))
    store.update_status(other.id, AccountStatus.NEEDS_REAUTH)
    assert [a.id for a in store.list(provider="mailerlite")] == [mailer.id]
    assert [a.id for a in store.list(status="needs_reauth")] == [other.id]
    assert store.list(provider="brevo", status=AccountStatus.ACTIVE) == []


def test_returned_accounts_do_not_alias_stored_state(store: AccountStore) -> None:
    account = store.add(make_account())
    store.get(account.id).metadata["plan"] = "tampered"
    assert store.get(account.id).metadata == {"plan": "free"}


def test_concurrent_adds_lose_no_account(store: AccountStore) -> None:
    threads, per_thread = 8, 25
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def add_many() -> None:
        try:
            start.wait()
            for _ in range(per_thread):
                store.add(make_account())
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=add_many) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert errors == []
    assert len({a.id for a in store.list()}) == threads * per_thread
