"""The engine imports httpx without httpx's own command line (click, rich, pygments), which
httpx's package imports whenever those are installed."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str) -> dict[str, bool]:
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    result: dict[str, bool] = json.loads(done.stdout)
    return result


@pytest.mark.skipif(find_spec("rich") is None, reason="httpx's command line is not installed")
def test_sending_code_imports_httpx_without_its_command_line() -> None:
    seen = _run(
        "import json, sys\n"
        "from engine.run.http import httpx\n"
        "print(json.dumps({'client': hasattr(httpx, 'Client'), 'cli': 'httpx._main' in sys.modules,"
        " 'rich': 'rich' in sys.modules, 'click': 'click' in sys.modules}))\n"
    )
    assert seen == {"client": True, "cli": False, "rich": False, "click": False}


@pytest.mark.skipif(find_spec("rich") is None, reason="httpx's command line is not installed")
def test_httpx_command_line_can_still_be_imported_afterwards() -> None:
    seen = _run(
        "import json\n"
        "from engine.run.http import httpx\n"
        "import httpx._main\n"
        "print(json.dumps({'cli': callable(httpx._main.main)}))\n"
    )
    assert seen == {"cli": True}


def test_an_httpx_imported_before_is_left_as_it_is() -> None:
    seen = _run(
        "import json, sys\n"
        "import httpx\n"
        "from engine.run.http import httpx as again\n"
        "print(json.dumps({'same': again is httpx, 'main': again.main is httpx.main}))\n"
    )
    assert seen == {"same": True, "main": True}
