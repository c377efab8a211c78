"""The canary watch: known canary keys must never appear anywhere during the whole test run.

Tests that pass credentials use a canary key (`CANARY_KEY`, and the two canaries of the
account tests). This plugin (loaded by `tests/conftest.py`) looks for every canary, in every
form `engine.secrets.redact` knows (raw, percent-encoded, JSON-escaped, Python-quoted, base64),
in three places, for the whole run:

* every log record that reaches the root logger, at whatever level it was enabled (the
  security tests enable DEBUG for every logger while they send the canary); records of the
  test modules' own loggers (`tests.*`) are skipped, because the filter tests log a canary
  there on purpose to show it masked by a handler filter;
* the captured stdout, stderr and log sections of every test report;
* at the end of the run, every file under the run's `UNIMAP_HOME` and under pytest's
  temporary folder (`tmp_path` homes included).

A hit fails the run (exit status 1) and is listed in the terminal summary, with the number of
texts checked. With xdist each worker watches its own tests and files and sends its counts
to the controller, which adds them up.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import pytest

from engine.secrets import redact

CANARY_KEY = "unimap-canary-key-5b8e2c71d04f9a36"
"""The canary credential of the security tests."""

CANARIES = (CANARY_KEY, "unimap-canary-9f3c1e7a5b2d4c60", "canary-9f8e7d6c5b4a")
"""Every canary the suite uses (the account tests have their own two)."""

_MAX_FILE_BYTES = 64 * 1024 * 1024


def leaks(text: str) -> bool:
    """Whether `text` holds a canary in any form `redact` masks."""
    return redact(text, CANARIES) != text


class _Watch(logging.Handler):
    """Checks every record that reaches it; remembers where a canary was seen."""

    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.checked = 0
        self.hits: list[str] = []
        self.workers = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith("tests."):
            return
        self.checked += 1
        try:
            text = record.getMessage()
        except Exception:  # a malformed record: check its parts
            text = f"{record.msg} {record.args}"
        text += f" {record.exc_text or ''} {record.stack_info or ''}"
        if record.exc_info and record.exc_info[1] is not None:
            text += f" {record.exc_info[1]!r}"
        if leaks(text):
            self.check_failed(f"log record of {record.name!r} ({record.levelname})")

    def check_failed(self, where: str) -> None:
        """Remember a hit."""
        self.hits.append(where)

    def check_text(self, where: str, text: str) -> None:
        """Check one text (an output section, a file)."""
        self.checked += 1
        if leaks(text):
            self.check_failed(where)


_WATCH = _Watch()


def pytest_configure(config: pytest.Config) -> None:
    """Start watching the root logger."""
    logging.getLogger().addHandler(_WATCH)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Check the captured output and log sections of every test phase."""
    for name, content in report.sections:
        _WATCH.check_text(f"{report.nodeid}: {name}", content)


def _scan_files(root: Path) -> None:
    if not root.is_dir():
        return
    for path in root.rglob("*"):
        try:
            if not path.is_file() or path.is_symlink():
                continue
            data = path.read_bytes()[:_MAX_FILE_BYTES]
        except OSError:
            continue
        _WATCH.check_text(f"file {path}", data.decode("latin-1"))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Scan the files of the run, then report (workers) or fail the run (controller)."""
    config = session.config
    if not _WATCH.workers:  # an xdist controller leaves the files to its workers
        home = os.environ.get("UNIMAP_HOME")
        if home:
            _scan_files(Path(home))
        factory = getattr(config, "_tmp_path_factory", None)
        if factory is not None:
            _scan_files(factory.getbasetemp())
    if hasattr(config, "workeroutput"):
        config.workeroutput["canary"] = {"checked": _WATCH.checked, "hits": _WATCH.hits}
        return
    _fail_on_hits(session)


def _fail_on_hits(session: pytest.Session) -> None:
    if _WATCH.hits:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """Add up a worker's counts (xdist controller)."""
    output = getattr(node, "workeroutput", {}).get("canary")
    if output:
        _WATCH.workers += 1
        _WATCH.checked += output["checked"]
        _WATCH.hits.extend(output["hits"])


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The canary count over the whole run (0 unless something leaked)."""
    if hasattr(terminalreporter.config, "workerinput"):
        return
    writer = terminalreporter
    writer.write_line(
        f"canary watch: {len(_WATCH.hits)} canary occurrence(s) in {_WATCH.checked} log "
        "records, captured outputs and files checked"
    )
    for where in _WATCH.hits[:50]:
        writer.write_line(f"  canary found in {where}", red=True)
