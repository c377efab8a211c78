"""Recorded examples: `unimap validate` maps them and reports unread and invalid fields."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.cli import main
from engine.expressions.reads import unread_paths
from engine.paths import mappings_dir

SUBSCRIBER = {"email": "a@b.co", "fields": {"name": "Ada", "z_i_p": None}, "groups": [{"id": "1"}]}


def _mailerlite_copy(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "mailerlite"
    shutil.copytree(mappings_dir() / "mailerlite", folder)
    contacts = folder / "contacts.yaml"
    text = contacts.read_text(encoding="utf-8")
    assert old in text
    contacts.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def test_the_bundled_mailerlite_examples_map_cleanly(capsys: pytest.CaptureFixture[str]) -> None:
    assert (mappings_dir() / "mailerlite" / "examples" / "contacts.list.recorded.json").is_file()
    assert main(["validate", str(mappings_dir() / "mailerlite")]) == 0


def test_a_misspelt_key_inside_a_projection_is_reported_at_its_expression(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _mailerlite_copy(tmp_path, "{id: id, name: name}", "{id: idd, name: name}")
    assert main(["validate", str(folder)]) == 1
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if "reads nothing" in x)
    assert "contacts.yaml:" in line and ": fields.lists: " in line
    assert "no example record has groups[*].idd" in line


def test_a_mapped_value_failing_the_unified_schema_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapped = "status: map_value(status, 'contact_status')"
    folder = _mailerlite_copy(tmp_path, mapped, "status: sent")
    assert main(["validate", str(folder)]) == 1
    out = capsys.readouterr().out
    assert ": fields.status: example contacts.get.recorded.json record 1: status:" in out


def test_an_alternative_read_is_enough_when_another_finds_data() -> None:
    assert unread_paths("fields.z_i_p || fields.zip", [SUBSCRIBER]) == []


def test_a_constant_alternative_does_not_hide_an_unread_path() -> None:
    assert unread_paths("groups[*].{id: idd} || `[]`", [SUBSCRIBER]) == [("groups", "*", "idd")]


def test_a_present_null_value_counts_as_read() -> None:
    assert unread_paths("fields.z_i_p", [SUBSCRIBER]) == []


def test_a_constant_reads_nothing_and_is_never_reported() -> None:
    assert unread_paths("`[]`", [SUBSCRIBER]) == []
