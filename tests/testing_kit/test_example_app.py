"""`examples/host_app`: a separate host-app package whose tests use only the public surface,
run as its own pytest session; `docs/testing-host-apps.md` shows its files verbatim."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "host_app"
GUIDE = ROOT / "docs" / "testing-host-apps.md"
pytestmark = pytest.mark.slow  # a separate process: started first (tests/conftest.py)
SHOWN = re.compile(r"<!-- example-file: (?P<path>\S+) -->\n```\w*\n(?P<code>.*?)```\n", re.S)


def example_files() -> dict[str, str]:
    files = [*EXAMPLE.rglob("*.py"), EXAMPLE / "pyproject.toml"]
    return {
        path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8")
        for path in files
        if path.name != "__init__.py"  # a one-line docstring, not shown
    }


def test_the_example_app_passes_its_own_tests_in_a_fresh_session(tmp_path: Path) -> None:
    app = tmp_path / "host_app"
    shutil.copytree(EXAMPLE, app, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "PYTHONPATH"))}

    # Unimap's own test tools installed here are not the host app's (it needs pytest and
    # anyio): their plugins stay out of its session, as in its own environment.
    not_the_apps = ["-p", "no:schemathesis", "-p", "no:hypothesispytest", "-p", "no:respx"]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *not_the_apps],
        cwd=app,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"\b6 passed\b", done.stdout), done.stdout


def test_the_guide_shows_every_example_file_verbatim() -> None:
    shown = {m["path"]: m["code"] for m in SHOWN.finditer(GUIDE.read_text(encoding="utf-8"))}
    assert shown == example_files()


def test_the_example_reaches_the_simulators_only_through_the_plugin() -> None:
    code = "\n".join(example_files().values())
    assert "simulators" not in code
    assert not re.search(r"^\s*(from|import) engine\.(?!api\b|errors\b)", code, re.M)
