"""`unimap validate`: exit codes, output formats and what a single file is checked against."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.cli import main
from engine.paths import mappings_dir

CORPUS = Path(__file__).parent / "corpus"
PROBLEM_KEYS = {"file", "line", "column", "path", "message"}


def test_bundled_mappings_are_valid(capsys: pytest.CaptureFixture[str]) -> None:
    """`unimap validate mappings` exits 0 and prints no problem."""
    code = main(["validate", str(mappings_dir())])
    assert code == 0
    assert capsys.readouterr().out == ""


def test_default_path_is_the_bundled_mappings(capsys: pytest.CaptureFixture[str]) -> None:
    """With no PATH, the bundled mappings are validated (and say which providers they hold)."""
    code = main(["validate"])
    assert code == 0
    assert "mailerlite" in capsys.readouterr().err


def test_json_output_of_valid_mappings_is_an_empty_list(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`--format json` prints `[]` when nothing is wrong."""
    code = main(["validate", str(mappings_dir()), "--format", "json"])
    assert code == 0
    assert json.loads(capsys.readouterr().out) == []


def test_json_output_is_a_list_of_located_problems(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each JSON problem has exactly file, line, column, path and message, with their types."""
    monkeypatch.chdir(CORPUS / "several_errors_one_file")
    code = main(["validate", "acme", "--format", "json"])
    problems = json.loads(capsys.readouterr().out)
    assert code == 1
    assert isinstance(problems, list)
    assert len(problems) == 5
    for problem in problems:
        assert set(problem) == PROBLEM_KEYS
        assert problem["file"] == "acme/lists.yaml"
        assert isinstance(problem["line"], int) and problem["line"] >= 1
        assert isinstance(problem["column"], int) and problem["column"] >= 1
        assert isinstance(problem["path"], str)
        assert isinstance(problem["message"], str) and problem["message"]


def test_missing_path_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A PATH that does not exist is a usage error: exit 2, a message on stderr, nothing else."""
    code = main(["validate", str(tmp_path / "nowhere")])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert "no such file or folder" in captured.err


def test_unknown_format_is_a_usage_error() -> None:
    """`--format xml` is rejected by the argument parser with exit status 2."""
    with pytest.raises(SystemExit) as raised:
        main(["validate", "--format", "xml"])
    assert raised.value.code == 2


def test_single_resource_file_is_valid_with_its_sibling_provider_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A resource file given alone is checked against the provider.yaml beside it."""
    code = main(["validate", str(mappings_dir() / "mailerlite" / "contacts.yaml")])
    assert code == 0
    assert capsys.readouterr().out == ""


def test_single_resource_file_sees_the_provider_pagination_styles(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Cross-references into the sibling provider file are checked for a single file too."""
    monkeypatch.chdir(CORPUS / "unknown_pagination_style")
    code = main(["validate", "acme/segments.yaml"])
    out = capsys.readouterr().out
    assert code == 1
    assert out == (
        "acme/segments.yaml:12:17: operations.list.pagination: "
        "unknown pagination style 'page' (did you mean 'pages'?)\n"
    )


def test_single_provider_file_is_validated_alone(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Giving provider.yaml alone checks the provider file and no resource file."""
    monkeypatch.chdir(CORPUS / "unknown_pagination_style")
    code = main(["validate", "acme/provider.yaml"])
    assert code == 0
    assert capsys.readouterr().out == ""


def test_mappings_root_with_no_provider_folder_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An empty folder is not silently valid."""
    code = main(["validate", str(tmp_path)])
    assert code == 1
    assert "no provider folders found" in capsys.readouterr().out
