"""Mappings from anywhere: `Engine.load(*folders)`, `--mappings DIR` and `UNIMAP_MAPPINGS`."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx
import pytest
import respx

from engine.api import Engine
from engine.cli import main
from engine.errors import ConfigurationError
from tests.loading.outside import write_provider

PEOPLE = {"people": [{"id": 7, "mail": "ada@example.com", "given": "Ada", "family": "L"}]}


def test_engine_load_adds_a_provider_folder_to_the_bundled_ones(tmp_path: Path) -> None:
    folder = write_provider(tmp_path)
    engine = Engine.load(folder)
    assert {"outside", "mailerlite"} <= set(engine.providers)


def test_engine_load_accepts_a_folder_of_provider_folders(tmp_path: Path) -> None:
    write_provider(tmp_path, "first")
    write_provider(tmp_path, "second")
    assert {"first", "second"} <= set(Engine.load(tmp_path).providers)


def test_engine_load_without_bundled_loads_only_the_folders(tmp_path: Path) -> None:
    write_provider(tmp_path)
    assert set(Engine.load(tmp_path, bundled=False).providers) == {"outside"}


def test_a_later_folder_replaces_a_provider_of_the_same_name_and_warns(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first = write_provider(tmp_path / "a", label="First")
    second = write_provider(tmp_path / "b", label="Second")
    with caplog.at_level(logging.WARNING, logger="engine.loader"):
        engine = Engine.load(first, second)
    assert engine.mapping("outside").provider.label == "Second"
    assert "provider 'outside'" in caplog.text and "replaces" in caplog.text
    assert str(second.name) in caplog.text


def test_engine_load_refuses_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="no such mappings folder"):
        Engine.load(tmp_path / "nowhere")


def test_engine_load_refuses_an_invalid_extra_folder(tmp_path: Path) -> None:
    write_provider(tmp_path, records_path='"[people"')
    with pytest.raises(ConfigurationError, match="records_path"):
        Engine.load(tmp_path)


@respx.mock
def test_call_reads_a_provider_given_with_mappings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_provider(tmp_path)
    respx.get("https://api.outside.test/v1/people").mock(httpx.Response(200, json=PEOPLE))
    argv = ["call", "outside", "contacts", "list", "--mappings", str(folder), "--api-key", "k"]
    assert main(argv) == 0
    page = json.loads(capsys.readouterr().out)
    assert [c["email"] for c in page["result"]] == ["ada@example.com"]


@respx.mock
def test_call_reads_a_provider_named_by_unimap_mappings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_provider(tmp_path / "one", "one")
    write_provider(tmp_path / "two", "two")
    monkeypatch.setenv("UNIMAP_MAPPINGS", f"{tmp_path / 'one'}:{tmp_path / 'two'}")
    respx.get("https://api.two.test/v1/people").mock(httpx.Response(200, json=PEOPLE))
    assert main(["call", "two", "contacts", "list", "--api-key", "k"]) == 0
    assert json.loads(capsys.readouterr().out)["result"][0]["first_name"] == "Ada"


def test_validate_with_mappings_reports_the_replacement(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = write_provider(tmp_path / "a")
    second = write_provider(tmp_path / "b")
    code = main(["validate", "--mappings", str(first), "--mappings", str(second)])
    err = capsys.readouterr().err
    assert code == 0
    assert "note: provider 'outside' from" in err and "replaces the one from" in err
    providers = err.rsplit("(providers: ", 1)[1].split(")", 1)[0].split(", ")
    assert "outside" in providers and "mailerlite" in providers


def test_validate_refuses_two_providers_of_the_same_name_in_one_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = write_provider(tmp_path / "a")
    second = write_provider(tmp_path / "b")
    assert main(["validate", str(first), str(second)]) == 1
    out = capsys.readouterr().out
    assert "provider: provider 'outside' is already defined in" in out


def test_schema_prints_the_mapping_schema_with_a_stable_id(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["$id"] == "https://unimap.dev/schemas/mapping.schema.json"


def test_schema_write_writes_the_committed_schema(tmp_path: Path) -> None:
    target = tmp_path / "mapping.schema.json"
    assert main(["schema", "--write", str(target)]) == 0
    committed = (Path(__file__).parents[2] / "schemas" / "mapping.schema.json").read_text()
    assert target.read_text(encoding="utf-8") == committed


def test_validate_without_paths_includes_unimap_mappings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_provider(tmp_path, records_path='"[people"')
    monkeypatch.setenv("UNIMAP_MAPPINGS", str(tmp_path))
    assert main(["validate"]) == 1
    assert "operations.list.response.records_path: invalid JMESPath" in capsys.readouterr().out
