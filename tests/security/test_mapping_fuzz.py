"""A bounded fuzz run of mapping mutations: `unimap validate` never raises, and a mutated
mapping that validates loads and plans calls raising nothing but unified errors.

The bundled mappings are mutated `CASES` times (80; 480 with `UNIMAP_LONG_TESTS=1`, see
`tests/budget.py`; seeded, so every run tries the same cases), shared out in order among
`PARTS` tests (a part each xdist worker can take): at the text level (lines
deleted, duplicated, swapped, truncated, re-indented; hostile YAML spliced in) and at the data
level (a value swapped for a hostile one, a key dropped, an unknown key added). Each mutated
provider folder is validated; when it validates, every resource is listed and fetched against
a transport answering odd bodies.
"""

from __future__ import annotations

import contextlib
import random
import shutil
import time
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from engine.api import Engine
from engine.errors import UnimapError
from engine.loader import LoadResult
from engine.loader.load import load_mappings
from engine.paths import mappings_dir
from engine.run.clock import FakeClock
from engine.run.retry import RetryPolicy
from tests.budget import examples

CASES = examples(quick=80, long=480)
PARTS = 4
"""The cases are tried by this many tests, `CASES // PARTS` consecutive cases each."""
SEED = 1515
BUDGET_SECONDS = 90.0

HOSTILE_VALUES: list[Any] = [
    "",
    " ",
    0,
    -1,
    10**30,
    1e308,
    True,
    None,
    [],
    {},
    "[@, @][]" * 12,
    "(" * 200,
    "`" + "[" * 100 + "`",
    "{{",
    "{x}",
    "map_value(a, 'nowhere')",
    "nope(",
    "../../etc/passwd",
    "x" * 5000,
    "\u0000",
    ["general", "general"],
]

HOSTILE_YAML = [
    "a: &a [*a]",
    "b: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]"
    "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    "c: " + "9" * 400,
    "<<: {x: 1}",
    "d: !!python/object:os.system ls",
    "e: 2001-13-45",
    "? [a]\n: b",
    "\t- tab",
    "f: *undefined",
]


def _mutate_text(text: str, rng: random.Random) -> str:
    lines = text.splitlines()
    if not lines:
        return text
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    kind = rng.randrange(6)
    if kind == 0:
        del lines[i]
    elif kind == 1:
        lines.insert(i, lines[j])
    elif kind == 2:
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == 3:
        lines = lines[: i + 1]
    elif kind == 4:
        lines[i] = " " * rng.choice([1, 3, 8]) + lines[i]
    else:
        lines.insert(i, rng.choice(HOSTILE_YAML))
    return "\n".join(lines) + "\n"


def _nodes(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            found.extend(_nodes(value, (*path, key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(_nodes(value, (*path, index)))
    return found


_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML has it: the same data as `yaml.safe_load`, several times
faster."""


def _mutate_data(text: str, rng: random.Random) -> str:
    data = yaml.load(text, Loader=_SAFE_LOADER)
    paths = [p for p in _nodes(data) if p]
    if not paths:
        return text
    path = rng.choice(paths)
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    kind = rng.randrange(3)
    if kind == 0:
        parent[path[-1]] = rng.choice(HOSTILE_VALUES)
    elif kind == 1:
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent[rng.choice(["extra", "pagination", "buckets", "when", "each"])] = rng.choice(
            HOSTILE_VALUES
        )
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _answer(request: httpx.Request) -> httpx.Response:
    bodies: list[Any] = [{}, [], {"data": None}, {"data": [{"id": 1}]}, "text", None]
    body = bodies[hash(str(request.url)) % len(bodies)]
    return httpx.Response(200, json=body)


def _plan_every_call(folder: Path, result: LoadResult) -> int:
    """List and get every resource of the (valid) mutated provider loaded from `folder` as
    `result`; unified errors only."""
    engine = Engine(result.providers, clock=FakeClock(), retry_policy=RetryPolicy(max_attempts=1))
    mapping = engine.mapping(folder.name)
    credentials = {field.name: "k" for field in mapping.provider.credentials}
    connection = engine.connect(
        folder.name, credentials, transport=httpx.MockTransport(_answer), settings={}
    )
    calls = 0
    for resource, spec in mapping.resources.items():
        for method, arguments in (("list", {"query": {"limit": 2}}), ("get", {"id": "1"})):
            if method not in spec.operations:
                continue
            calls += 1
            with contextlib.suppress(UnimapError):
                connection.call(resource, method, **arguments)
    return calls


@cache
def _mutations() -> list[tuple[Path, str, str]]:
    """Every case in its seeded order: (the bundled provider folder, the name of the file
    mutated, its mutated text)."""
    rng = random.Random(SEED)
    bundled = sorted(p for p in mappings_dir().iterdir() if (p / "provider.yaml").is_file())
    cases: list[tuple[Path, str, str]] = []
    for _ in range(CASES):
        source = rng.choice(bundled)
        target = rng.choice(sorted(source.glob("*.yaml")))
        text = target.read_text(encoding="utf-8")
        mutate = _mutate_text if rng.random() < 0.5 else _mutate_data
        cases.append((source, target.name, mutate(text, rng)))
    return cases


@pytest.mark.slow
@pytest.mark.parametrize("part", range(PARTS))
def test_mutated_mappings_never_raise_outside_unified_errors(tmp_path: Path, part: int) -> None:
    """This part's share of the `CASES` seeded mutations of the bundled mappings: validate
    returns problems (never raises); what still validates plans its calls raising only
    unified errors."""
    size = CASES // PARTS
    started = time.monotonic()
    outcomes = {"refused": 0, "valid": 0, "calls": 0}
    for case in range(part * size, (part + 1) * size):
        source, name, mutated = _mutations()[case]
        folder = tmp_path / str(case) / source.name
        shutil.copytree(source, folder, ignore=shutil.ignore_patterns("examples"))
        (folder / name).write_text(mutated, encoding="utf-8")
        result = load_mappings([folder])
        if result.problems:
            outcomes["refused"] += 1
            assert all(p.line >= 1 and p.column >= 1 and p.message for p in result.problems)
        else:
            outcomes["valid"] += 1
            outcomes["calls"] += _plan_every_call(folder, result)
        shutil.rmtree(tmp_path / str(case))
        assert time.monotonic() - started < BUDGET_SECONDS, (case, outcomes)
    assert outcomes["refused"] > size // 3
    assert outcomes["valid"] > size // 24 and outcomes["calls"] > size // 24
