"""Key management: `UNIMAP_SECRET_KEY`, else an owner-only key file made on first use."""

from __future__ import annotations

import base64
import os
import stat
import threading
from pathlib import Path

import pytest

from engine.accounts import (
    InsecureKeyFileError,
    SecretKeyError,
    SqliteAccountStore,
    default_store,
    generate_key,
    load_key,
)
from engine.accounts.keys import KEY_BYTES, key_file_path

from .conftest import make_account

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@posix_only
def test_key_file_is_created_owner_only(unimap_home: Path) -> None:
    key = load_key()
    path = unimap_home / "secret.key"
    assert len(key) == KEY_BYTES
    assert _mode(path) == 0o600
    assert _mode(unimap_home) == 0o700


def test_key_file_is_reused(unimap_home: Path) -> None:
    assert load_key() == load_key()
    assert [p.name for p in unimap_home.iterdir()] == ["secret.key"]  # no temporary left


def test_key_file_holds_the_same_text_as_the_variable(
    unimap_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = load_key()
    monkeypatch.setenv("UNIMAP_SECRET_KEY", key_file_path().read_text().strip())
    assert load_key() == key


def test_store_reopened_with_the_key_file_reads_its_accounts(unimap_home: Path) -> None:
    with default_store() as store:
        account = store.add(make_account())
    with default_store() as store:
        assert store.get(account.id) == account


@posix_only
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_key_file_readable_by_others_is_refused(unimap_home: Path, mode: int) -> None:
    load_key()
    path = key_file_path()
    path.chmod(mode)
    with pytest.raises(InsecureKeyFileError, match="chmod 600") as caught:
        load_key()
    assert str(path) in str(caught.value)


def test_environment_key_is_used_when_set(
    unimap_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = generate_key()
    monkeypatch.setenv("UNIMAP_SECRET_KEY", text)
    assert load_key() == base64.urlsafe_b64decode(text)
    assert not key_file_path().exists()


def test_environment_key_without_padding_or_in_standard_base64_is_accepted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw = bytes(range(250, 256)) * 5 + b"\xfb\xff"
    monkeypatch.setenv("UNIMAP_SECRET_KEY", base64.urlsafe_b64encode(raw).decode().rstrip("="))
    assert load_key() == raw
    monkeypatch.setenv("UNIMAP_SECRET_KEY", base64.b64encode(raw).decode())
    assert load_key() == raw


@pytest.mark.parametrize(
    "value",
    [
        "not base64 at all!!",
        base64.urlsafe_b64encode(b"too short").decode(),
        base64.urlsafe_b64encode(b"x" * 48).decode(),
        "",
    ],
    ids=["not-base64", "short", "long", "empty"],
)
def test_malformed_environment_key_is_reported_by_name(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("UNIMAP_SECRET_KEY", value)
    with pytest.raises(SecretKeyError, match="UNIMAP_SECRET_KEY") as caught:
        load_key()
    if value:
        assert value not in str(caught.value)


def test_malformed_environment_key_stops_store_creation(
    monkeypatch: pytest.MonkeyPatch, unimap_home: Path
) -> None:
    monkeypatch.setenv("UNIMAP_SECRET_KEY", "bad")
    with pytest.raises(SecretKeyError, match="UNIMAP_SECRET_KEY"):
        SqliteAccountStore(unimap_home / "unimap.db")


@posix_only
def test_malformed_key_file_is_reported_by_path(unimap_home: Path) -> None:
    unimap_home.mkdir(mode=0o700)
    path = key_file_path()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, b"garbage\n")
    os.close(fd)
    with pytest.raises(SecretKeyError, match="malformed") as caught:
        load_key()
    assert str(path) in str(caught.value)


def test_existing_home_folder_is_used_as_is(unimap_home: Path) -> None:
    unimap_home.mkdir(mode=0o755)
    unimap_home.chmod(0o755)
    load_key()
    assert _mode(unimap_home) == 0o755
    assert _mode(key_file_path()) == 0o600


def test_concurrent_first_use_yields_one_key(unimap_home: Path) -> None:
    threads = 8
    start = threading.Barrier(threads)
    keys: list[bytes] = []

    def load() -> None:
        start.wait()
        keys.append(load_key())

    workers = [threading.Thread(target=load) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert len(keys) == threads and len(set(keys)) == 1
    assert [p.name for p in unimap_home.iterdir()] == ["secret.key"]
