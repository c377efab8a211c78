"""The canary watch itself: a canary in a log record, a captured output or a file written under
`UNIMAP_HOME` fails the run it happens in (run here in a separate pytest process)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).parents[1]
pytestmark = pytest.mark.slow  # a separate process: started first (tests/conftest.py)

# The inner test builds the canary at run time, so no file written here holds it whole.
INNER = '''
import logging, os, pathlib
KEY = "unimap-canary-key-" + "5b8e2c71d04f9a36"

def test_{name}():
    where = "{where}"
    if where == "log":
        logging.getLogger("engine.demo").warning("sent %s", KEY)
    elif where == "stdout":
        print("token", KEY)
    elif where == "file":
        (pathlib.Path(os.environ["UNIMAP_HOME"]) / "leak.txt").write_text("x" + KEY)
'''


@pytest.fixture
def inner_home(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An `UNIMAP_HOME` for the inner run, outside this run's folders (it may hold a canary)."""
    home = Path(tempfile.mkdtemp(prefix="unimap-canary-watch-"))
    monkeypatch.setenv("UNIMAP_HOME", str(home))
    monkeypatch.setenv("PYTHONPATH", str(TESTS))
    # The inner run needs no installed plugin but the watch (`-p canary_watch`).
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    yield home
    shutil.rmtree(home, ignore_errors=True)


@pytest.mark.parametrize("where", ["log", "stdout", "file"])
def test_a_canary_anywhere_fails_the_run(
    pytester: pytest.Pytester, inner_home: Path, where: str
) -> None:
    pytester.makepyfile(INNER.format(name="leak", where=where))
    result = pytester.runpytest_subprocess("-p", "canary_watch", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert result.ret == 1
    assert any(
        line.startswith("canary watch: ") and not line.startswith("canary watch: 0 ")
        for line in result.outlines
    )


def test_a_clean_run_reports_zero(pytester: pytest.Pytester, inner_home: Path) -> None:
    pytester.makepyfile(INNER.format(name="clean", where="nowhere"))
    result = pytester.runpytest_subprocess("-p", "canary_watch", "-p", "no:cacheprovider")
    assert result.ret == 0
    assert any(line.startswith("canary watch: 0 canary") for line in result.outlines)
