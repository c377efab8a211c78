"""The cursor key is secret by default: derived from the installation's key, or chosen."""

from __future__ import annotations

import hashlib
from pathlib import Path

from engine.accounts.keys import cursor_key, generate_key

PUBLIC_OLD_DEFAULT = hashlib.sha256(b"unimap-cursor\x00unimap").digest()


def test_default_cursor_key_comes_from_the_installation_key_file(tmp_path: Path) -> None:
    first = cursor_key(tmp_path, environ={})
    assert first == cursor_key(tmp_path, environ={})
    assert (tmp_path / "secret.key").is_file()
    assert first != PUBLIC_OLD_DEFAULT


def test_two_installations_seal_cursors_with_different_keys(tmp_path: Path) -> None:
    assert cursor_key(tmp_path / "a", environ={}) != cursor_key(tmp_path / "b", environ={})


def test_the_secret_key_variable_gives_the_same_cursor_key_everywhere(tmp_path: Path) -> None:
    environ = {"UNIMAP_SECRET_KEY": generate_key()}
    first = cursor_key(tmp_path / "a", environ=environ)
    assert first == cursor_key(tmp_path / "b", environ=environ)


def test_unimap_cursor_key_overrides_and_writes_no_key_file(tmp_path: Path) -> None:
    chosen = cursor_key(tmp_path, environ={"UNIMAP_CURSOR_KEY": "operator choice"})
    assert chosen == hashlib.sha256(b"unimap-cursor\x00operator choice").digest()
    assert not (tmp_path / "secret.key").exists()
