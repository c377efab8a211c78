"""The mapping loader is bounded: hostile files are refused with a located problem, in time.

Every case runs `unimap validate --format json` on a folder holding one hostile resource file
beside a valid provider file, and expects exit 1 with a problem at FILE:LINE:COLUMN — never a
traceback, a hang or a memory blow-up.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from engine.cli import main
from engine.loader import bounded_read, yaml_source
from engine.paths import mappings_dir

BILLION_LAUGHS = "".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n',
        *(
            f"{name}: &{name} [{','.join([f'*{prev}'] * 9)}]\n"
            for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
        ),
    ]
)


def _folder(tmp_path: Path) -> Path:
    """A copy of a bundled provider folder with only its provider file (plus what we add)."""
    folder = tmp_path / "mailerlite"
    folder.mkdir()
    shutil.copy(mappings_dir() / "mailerlite" / "provider.yaml", folder / "provider.yaml")
    return folder


Problems = list[dict[str, object]]


def _validate(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, Problems]:
    code = main(["validate", str(path), "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def _one_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Callable[[Path], None]
) -> dict[str, object]:
    folder = _folder(tmp_path)
    make(folder / "hostile.yaml")
    code, problems = _validate(folder / "hostile.yaml", capsys)
    assert code == 1
    assert len(problems) == 1
    problem = problems[0]
    assert str(problem["file"]).endswith("hostile.yaml")
    return problem


def test_billion_laughs_is_refused_in_under_a_second(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The 9^9 alias expansion file (a few hundred bytes) is refused fast, at the alias."""
    assert len(BILLION_LAUGHS) < 400
    started = time.monotonic()
    problem = _one_problem(tmp_path, capsys, lambda p: p.write_text(BILLION_LAUGHS))
    assert time.monotonic() - started < 1.0
    assert "aliases expand to more than" in str(problem["message"])
    assert int(str(problem["line"])) > 1


def test_recursive_alias_is_a_located_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`&a [*a]` (a value containing itself) is refused at the alias."""
    problem = _one_problem(tmp_path, capsys, lambda p: p.write_text("x: 1\na: &a [1, *a]\n"))
    assert (problem["line"], problem["column"]) == (2, 4)
    assert "recursive YAML alias" in str(problem["message"])


@pytest.mark.parametrize("opening", ["[", "{a: ", "- "])
def test_deep_nesting_is_a_located_problem(
    opening: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """1,000 nested flow sequences, flow mappings or block sequences stop at the depth cap."""
    closing = {"[": "]", "{a: ": "}", "- ": ""}[opening]
    text = "a:\n  " + opening * 1000 + "1" + closing * 1000 + "\n"
    problem = _one_problem(tmp_path, capsys, lambda p: p.write_text(text))
    assert f"nested more than {yaml_source.MAX_DEPTH} levels" in str(problem["message"])


@pytest.mark.parametrize(
    "number", ["9" * 5000, "-" + "1" * 101, "1." + "5" * 200, "0x" + "f" * 200]
)
def test_long_number_is_a_located_problem(
    number: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A number of more than the allowed characters (5,000-digit integers...) is refused."""
    problem = _one_problem(tmp_path, capsys, lambda p: p.write_text(f"x: 1\nn: {number}\n"))
    assert (problem["line"], problem["column"], problem["path"]) == (2, 4, "n")
    assert "number too long" in str(problem["message"])


@pytest.mark.parametrize("value", ["2001-13-45", "2001-02-30 10:00:00", "!!int abc", "!!float x"])
def test_unconvertible_scalar_is_a_located_problem(
    value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A YAML timestamp or binary that cannot be converted is a problem at its position."""
    problem = _one_problem(tmp_path, capsys, lambda p: p.write_text(f"x: 1\nv: {value}\n"))
    assert (problem["line"], problem["column"]) == (2, 4)


def test_file_above_the_size_cap_is_refused_without_reading_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 50 MB (sparse) file is refused by its size, at once."""

    def make(path: Path) -> None:
        with path.open("wb") as handle:
            handle.truncate(50_000_000)

    started = time.monotonic()
    try:
        problem = _one_problem(tmp_path, capsys, make)
        elapsed = time.monotonic() - started
    finally:  # 50 MB of the test's own zeros: not for the end-of-run canary scan to read
        for made in tmp_path.rglob("hostile.yaml"):
            made.unlink()
    assert elapsed < 1.0
    assert "file too large" in str(problem["message"])
    assert (problem["line"], problem["column"]) == (1, 1)


def test_file_cap_is_a_configurable_constant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Lowering `MAX_FILE_BYTES` refuses a file that fits the default cap."""
    limit = (mappings_dir() / "mailerlite" / "provider.yaml").stat().st_size
    monkeypatch.setattr(bounded_read, "MAX_FILE_BYTES", limit)
    problem = _one_problem(tmp_path, capsys, lambda p: p.write_text("#" * (limit + 1)))
    assert "file too large" in str(problem["message"])


def test_symlink_to_dev_zero_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A `*.yaml` symlink to `/dev/zero` is not read (it would never end)."""
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    problem = _one_problem(tmp_path, capsys, lambda p: p.symlink_to("/dev/zero"))
    assert "not a regular file (a character device)" in str(problem["message"])


def test_fifo_is_refused_without_blocking(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A `*.yaml` FIFO (which would block a reader forever) is refused at once."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    started = time.monotonic()
    problem = _one_problem(tmp_path, capsys, lambda p: os.mkfifo(p))
    assert time.monotonic() - started < 1.0
    assert "not a regular file (a FIFO)" in str(problem["message"])


def test_text_output_is_located_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The text form prints FILE:LINE:COLUMN: message for a refused file, no traceback."""
    folder = _folder(tmp_path)
    (folder / "hostile.yaml").write_text(BILLION_LAUGHS)
    code = main(["validate", str(folder / "hostile.yaml")])
    captured = capsys.readouterr()
    assert code == 1
    assert "hostile.yaml:5:4: e[0]: YAML aliases expand" in captured.out
    assert "Traceback" not in captured.out + captured.err


def test_deeply_nested_example_json_is_a_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A recorded example nested 100,000 levels deep is reported, not a RecursionError."""
    folder = tmp_path / "mailerlite"
    shutil.copytree(mappings_dir() / "mailerlite", folder)
    examples = folder / "examples"
    examples.mkdir(exist_ok=True)
    (examples / "contacts.list.deep.json").write_text("[" * 100_000 + "]" * 100_000)
    code, problems = _validate(folder, capsys)
    assert code == 1
    assert [p["message"] for p in problems] == ["cannot read example: JSON nested too deeply"]
