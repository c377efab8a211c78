"""The on-disk cache of loaded mappings (`engine.loader.cache`): a second load reads it, and it
never serves a stale, foreign or corrupt entry."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from engine.loader import cached
from engine.loader.cache import MappingCache, layers_key
from engine.loader.cached import load_layers_cached, validation_summary
from engine.paths import mappings_dir


@pytest.fixture
def provider(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the bundled MailerLite mapping, and a private home for the cache."""
    monkeypatch.setenv("UNIMAP_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("UNIMAP_MAPPINGS_CACHE", raising=False)
    folder = tmp_path / "mappings" / "mailerlite"
    shutil.copytree(mappings_dir() / "mailerlite", folder)
    return folder


def _load_fails(*args: object) -> None:
    raise AssertionError("loaded from the files")


def _layers(folder: Path) -> list[list[Path]]:
    return [[folder.parent]]


def test_a_second_load_reads_the_cache_not_the_files(provider, monkeypatch) -> None:
    first = load_layers_cached(_layers(provider))
    monkeypatch.setattr("engine.loader.load.load_layers", _load_fails)
    again = load_layers_cached(_layers(provider))
    assert again.ok and first.ok
    assert again.providers["mailerlite"].provider == first.providers["mailerlite"].provider
    assert again.providers["mailerlite"].expression("email").search({"email": "a@b.co"}) == "a@b.co"


def test_a_changed_file_is_loaded_again(provider) -> None:
    load_layers_cached(_layers(provider))
    text = (provider / "provider.yaml").read_text()
    (provider / "provider.yaml").write_text(text.replace("label: MailerLite", "label: Changed"))
    assert load_layers_cached(_layers(provider)).providers["mailerlite"].provider.label == "Changed"


def test_a_new_problem_is_reported_from_a_changed_file(provider) -> None:
    assert validation_summary(_layers(provider))["problems"] == []
    with (provider / "contacts.yaml").open("a") as out:
        out.write("emial: x\n")
    problems = validation_summary(_layers(provider))["problems"]
    assert [p["path"] for p in problems] == ["emial"]


def test_a_corrupt_entry_is_ignored_and_rewritten(provider, monkeypatch) -> None:
    load_layers_cached(_layers(provider))
    cache = MappingCache.open()
    assert cache is not None
    key = layers_key(_layers(provider))
    entry = cache.folder / f"result-{key}"
    data = bytearray(entry.read_bytes())
    data[-10] ^= 0xFF
    entry.write_bytes(bytes(data))
    assert cache.read("result", key) is None
    assert load_layers_cached(_layers(provider)).ok
    assert cache.read("result", key) is not None


def test_an_entry_signed_by_another_installation_is_not_read(provider, monkeypatch) -> None:
    load_layers_cached(_layers(provider))
    cache = MappingCache.open()
    assert cache is not None
    (cache.folder / "key").write_bytes(os.urandom(32))  # as if copied from elsewhere
    monkeypatch.setattr("engine.loader.load.load_layers", _load_fails)
    with pytest.raises(AssertionError, match="loaded from the files"):
        load_layers_cached(_layers(provider))


def test_a_cache_folder_others_may_write_to_is_not_used(provider, tmp_path) -> None:
    load_layers_cached(_layers(provider))
    os.chmod(tmp_path / "home" / "cache", 0o777)
    assert MappingCache.open() is None
    assert load_layers_cached(_layers(provider)).ok  # loaded from the files


def test_the_cache_can_be_turned_off(provider, monkeypatch) -> None:
    monkeypatch.setenv("UNIMAP_MAPPINGS_CACHE", "off")
    assert MappingCache.open() is None
    assert cached.load_layers_cached(_layers(provider)).ok
