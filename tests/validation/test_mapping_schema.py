"""The committed JSON Schema of mapping files: generated, current, and accepting every mapping."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from engine.format.jsonschema import render
from engine.paths import mappings_dir, schemas_dir

SCHEMA_FILE = schemas_dir() / "mapping.schema.json"
SCHEMA_LINE = "# yaml-language-server: $schema=../../schemas/mapping.schema.json"
MAPPING_FILES = sorted(mappings_dir().glob("*/*.yaml"))


def _ids(paths: list[Path]) -> list[str]:
    return [f"{p.parent.name}/{p.name}" for p in paths]


def _committed_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return schema


def test_committed_schema_matches_the_models() -> None:
    """schemas/mapping.schema.json is exactly what engine/format generates today."""
    assert SCHEMA_FILE.read_text(encoding="utf-8") == render(), (
        "schemas/mapping.schema.json is out of date with engine/format; regenerate it with "
        "`python -m engine.format.jsonschema` and commit the result"
    )


def test_committed_schema_is_a_valid_draft_2020_12_schema() -> None:
    """The schema itself passes the 2020-12 meta-schema."""
    Draft202012Validator.check_schema(_committed_schema())


def test_there_are_mapping_files_to_check() -> None:
    """The parametrised tests below are not vacuous."""
    assert len(MAPPING_FILES) >= 2


@pytest.mark.parametrize("path", MAPPING_FILES, ids=_ids(MAPPING_FILES))
def test_mapping_file_validates_against_the_committed_schema(path: Path) -> None:
    """A generic JSON Schema validator accepts every bundled mapping file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    errors = sorted(Draft202012Validator(_committed_schema()).iter_errors(data), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


@pytest.mark.parametrize("path", MAPPING_FILES, ids=_ids(MAPPING_FILES))
def test_mapping_file_starts_with_the_editor_schema_line(path: Path) -> None:
    """Editors (yaml-language-server) check each mapping file against the committed schema."""
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    assert first_line == SCHEMA_LINE


def test_the_schema_rejects_an_unknown_key() -> None:
    """The JSON Schema, like the loader, refuses unknown keys (so editors flag them too)."""
    path = mappings_dir() / "mailerlite" / "segments.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["operations"]["list"]["paginaton"] = "page"
    assert not Draft202012Validator(_committed_schema()).is_valid(data)
