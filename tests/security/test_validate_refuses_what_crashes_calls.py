"""Mappings that used to pass `unimap validate` and crash at call time are located problems:
an empty `pagination:` name (on an operation or a route), a rate-limit bucket declared twice."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from engine.cli import main
from engine.paths import mappings_dir


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "mailerlite"
    shutil.copytree(mappings_dir() / "mailerlite", folder)
    return folder


def _problems(folder: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    code = main(["validate", str(folder), "--format", "json"])
    problems: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    assert code == 1
    return problems


@pytest.mark.parametrize("empty", ["''", '" "', '"\\t"'])
def test_empty_pagination_name_is_a_located_problem(
    empty: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`pagination: ''` on an operation names no style: refused where it stands."""
    folder = _copy(tmp_path)
    contacts = folder / "contacts.yaml"
    text = contacts.read_text()
    assert "    pagination: cursor\n" in text
    contacts.write_text(text.replace("    pagination: cursor\n", f"    pagination: {empty}\n", 1))
    (problem,) = _problems(folder, capsys)
    line = text.splitlines().index("    pagination: cursor") + 1
    assert (problem["line"], problem["path"]) == (line, "operations.list.pagination")
    assert "empty pagination style name" in str(problem["message"])


def test_empty_route_pagination_name_is_a_located_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same on a route's `pagination:`."""
    folder = _copy(tmp_path)
    contacts = folder / "contacts.yaml"
    text = contacts.read_text()
    assert "        pagination: none\n" in text
    contacts.write_text(text.replace("        pagination: none\n", "        pagination: ''\n", 1))
    (problem,) = _problems(folder, capsys)
    assert str(problem["path"]).endswith(".pagination") and "routes" in str(problem["path"])
    assert "empty pagination style name" in str(problem["message"])


def test_bucket_declared_twice_is_a_located_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A second `general` bucket is refused at its name."""
    folder = _copy(tmp_path)
    provider = folder / "provider.yaml"
    text = provider.read_text()
    first = "    - {name: general, limit: 120, period_seconds: 60}\n"
    assert first in text
    provider.write_text(text.replace(first, first + "    - {name: general, concurrency: 2}\n"))
    (problem,) = _problems(folder, capsys)
    assert problem["path"] == "rate_limits.buckets[1].name"
    assert problem["message"] == "bucket 'general' declared twice"
