"""Loaded mappings run on read-only twins of the format models (`engine.format.frozen`): the
same values, unchangeable, and read back from a pickle without pydantic."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from engine.format.frozen import Frozen, twin
from engine.loader.load import load_layers, load_mappings
from engine.paths import mappings_dir

ROOT = Path(__file__).resolve().parents[2]


def _plain(value: Any) -> Any:
    """A model or a twin as plain data tagged with its class name, at any depth."""
    if isinstance(value, BaseModel):
        fields = type(value).model_fields
        return (type(value).__name__, {name: _plain(getattr(value, name)) for name in fields})
    if isinstance(value, Frozen):
        names = value._fields
        return (type(value).__name__, {name: _plain(getattr(value, name)) for name in names})
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def test_every_loaded_file_is_a_twin_holding_the_models_values() -> None:
    models = load_mappings([mappings_dir()]).providers
    twins = load_layers([[mappings_dir()]]).providers
    assert sorted(twins) == sorted(models)
    for name, mapping in twins.items():
        assert isinstance(mapping.provider, Frozen)
        assert _plain(mapping.provider) == _plain(models[name].provider)
        for resource, twin_file in mapping.resources.items():
            assert isinstance(twin_file, Frozen)
            assert _plain(twin_file) == _plain(models[name].resources[resource])


def test_a_twin_cannot_be_changed() -> None:
    provider = load_layers([[mappings_dir()]]).providers["mailerlite"].provider
    with pytest.raises(AttributeError, match="read-only"):
        provider.base_url = "https://elsewhere.example"  # type: ignore[misc]
    assert provider.base_url.startswith("https://")


def test_a_copy_replaces_only_the_named_fields() -> None:
    style = twin("engine.format.pagination.CursorPagination", type="cursor", cursor_param="c")
    copy = style.model_copy(update={"cursor_param": "after"})
    assert (copy.type, copy.cursor_param, style.cursor_param) == ("cursor", "after", "c")
    with pytest.raises(AttributeError, match="no field 'nope'"):
        style.model_copy(update={"nope": 1})


def test_twins_compare_and_hash_by_value() -> None:
    one = twin("engine.format.pagination.NoPagination", type="none")
    assert one == twin("engine.format.pagination.NoPagination", type="none")
    assert one != twin("engine.format.pagination.NoPagination", type="other")
    assert hash(one) == hash(twin("engine.format.pagination.NoPagination", type="none"))


def test_a_pickled_mapping_is_read_back_equal() -> None:
    mapping = load_layers([[mappings_dir()]]).providers["kit"]
    again = pickle.loads(pickle.dumps(mapping))
    assert again.provider == mapping.provider
    assert again.resources == mapping.resources


def test_a_pickled_mapping_is_read_back_without_pydantic(tmp_path: Path) -> None:
    entry = tmp_path / "mapping.pickle"
    entry.write_bytes(pickle.dumps(load_layers([[mappings_dir()]]).providers["brevo"]))
    code = (
        "import pickle, sys\n"
        f"mapping = pickle.loads(open({str(entry)!r}, 'rb').read())\n"
        "print(mapping.provider.auth.type, 'pydantic' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["header", "False"]
