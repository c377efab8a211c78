"""Mapping expressions are bounded: too long, too deep or exponentially growing expressions
are refused when a mapping is loaded (a located problem of `unimap validate`), and an
evaluation that still builds an oversized list is an error for that record only."""

from __future__ import annotations

import json
import random
import shutil
import time
from pathlib import Path

import pytest

from engine.api import Engine
from engine.cli import main
from engine.expressions import ExpressionError, compile_expression
from engine.expressions.limits import (
    MAX_AST_DEPTH,
    MAX_EXPRESSION_CHARS,
    MAX_LIST_LENGTH,
    MAX_NESTING,
    OutputTooLarge,
)
from engine.paths import mappings_dir
from engine.plan.records import RecordMapper
from tests.security.warnings_log import warnings_on

DOUBLE = "[@, @][]"

HOSTILE = {
    "3,000 nested parentheses": "(" * 3000 + "a" + ")" * 3000,
    "20,000 pipes": "a" + " | a" * 20_000,
    "500 pipes": "a" + "|a" * 500,
    "2,000 dots": "a" + ".a" * 2000,
    "deep JSON literal": "`" + "[" * 5000 + "]" * 5000 + "`",
    "literal nested past the cap": "`" + "[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1) + "`",
    "long literal": '`"' + "x" * 100_000 + '"`',
    "long raw string": "'" + "x" * 100_000 + "'",
    "nested multi-selects": "[" * 70 + "@" + "]" * 70,
    "ten doublings": DOUBLE * 10,
    "doubling dictionaries": "{a: @, b: @}.[a, b][]" * 12,
    "nested function calls": "length(" * 200 + "@" + ")" * 200,
    "long or-chain": " || ".join(["a"] * 1500),
}


@pytest.mark.parametrize("source", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_expression_is_refused_fast(source: str) -> None:
    """Each is an `ExpressionError` (never a `RecursionError`), in well under a second."""
    started = time.monotonic()
    with pytest.raises(ExpressionError):
        compile_expression(source)
    assert time.monotonic() - started < 1.0


def test_the_limits_name_themselves() -> None:
    """The messages say which limit was hit."""
    messages = {name: _message(source) for name, source in HOSTILE.items()}
    assert f"limit is {MAX_EXPRESSION_CHARS}" in messages["20,000 pipes"]
    assert f"more than {MAX_NESTING} levels" in messages["3,000 nested parentheses"]
    assert f"more than {MAX_AST_DEPTH} levels" in messages["500 pipes"]
    assert "grow" in messages["ten doublings"]


def _message(source: str) -> str:
    try:
        compile_expression(source)
    except ExpressionError as exc:
        return str(exc)
    raise AssertionError("accepted")


def test_expressions_within_the_limits_still_compile() -> None:
    """Just below each limit is accepted: 3 doublings, 30 nested brackets, 90 pipes."""
    for source in (
        DOUBLE * 3,
        "(" * 30 + "a" + ")" * 30,
        "a" + "|a" * 90,
        '`"' + "x" * 3000 + '"`',
    ):
        compile_expression(source)


def test_a_long_literal_parses_in_linear_time() -> None:
    """A literal filling the whole length budget parses fast (no quadratic lexing)."""
    source = '`"' + "x" * (MAX_EXPRESSION_CHARS - 4) + '"`'
    started = time.monotonic()
    assert compile_expression(source).search(None) == "x" * (MAX_EXPRESSION_CHARS - 4)
    assert time.monotonic() - started < 0.5


def test_an_evaluation_that_builds_an_oversized_list_is_an_error() -> None:
    """Within the static limit, a large input can still blow up: the run-time cap stops it."""
    search = compile_expression(DOUBLE * 5).search  # 32 times the input
    assert len(search(list(range(10)))) == 320
    with pytest.raises(OutputTooLarge):
        search(list(range(MAX_LIST_LENGTH // 16)))


def test_an_oversized_field_is_null_for_that_record_only() -> None:
    """In a listing the field that exploded is null with a warning; the record is kept."""
    mapping = Engine.load().mapping("mailerlite")
    mapper = RecordMapper(mapping, "contacts", {"id": "id", "tags": "groups | " + DOUBLE * 5})
    big = {"id": "1", "groups": list(range(MAX_LIST_LENGTH // 16))}
    small = {"id": "2", "groups": [1]}
    with warnings_on("unimap.mapping") as records:
        mapped = mapper.map_many([big, small], remote_data=False)
    assert mapped == [{"id": "1", "tags": None}, {"id": "2", "tags": [1] * 32}]
    assert any("contacts 1: mapped to null: tags" in r.getMessage() for r in records)


def test_validate_locates_a_hostile_field_expression(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A field mapped by 3,000 nested parentheses is a problem at that field, in JSON."""
    folder = tmp_path / "mailerlite"
    shutil.copytree(mappings_dir() / "mailerlite", folder)
    lists = folder / "lists.yaml"
    text = lists.read_text()
    assert "  name: name\n" in text
    hostile = "(" * 3000 + "name" + ")" * 3000
    lists.write_text(text.replace("  name: name\n", f"  name: '{hostile}'\n", 1))
    code = main(["validate", str(folder), "--format", "json"])
    (problem,) = json.loads(capsys.readouterr().out)
    assert code == 1
    assert problem["path"] == "fields.name"
    assert problem["line"] == text.splitlines().index("  name: name") + 1
    assert "nested more than" in problem["message"]


def _random_expression(rng: random.Random) -> str:
    atoms = ["@", "a", "a.b", "`1`", "'s'", "`[1,2]`", "[]", "[0]", "[*]"]
    source = rng.choice(atoms)
    for _ in range(rng.randint(1, 400)):
        kind = rng.randrange(7)
        if kind == 0:
            source = f"({source})"
        elif kind == 1:
            source = f"{source} | {rng.choice(atoms)}"
        elif kind == 2:
            source = f"[{source}, {source}][]" if len(source) < 2000 else f"[{source}]"
        elif kind == 3:
            source = f"length({source})"
        elif kind == 4:
            source = f"{{k: {source}}}.k"
        elif kind == 5:
            source = f"{source} || {rng.choice(atoms)}"
        else:
            source = f"`{json.dumps([[source[:50]]])}`"
    return source


def test_generated_hostile_expressions_raise_only_expression_errors() -> None:
    """300 random deep, long and growing expressions (seeded): each compiles or is an
    `ExpressionError`; whatever compiles evaluates on a small input without exploding."""
    rng = random.Random(15)
    refused = accepted = 0
    started = time.monotonic()
    for _ in range(300):
        source = _random_expression(rng)
        try:
            compiled = compile_expression(source)
        except ExpressionError:
            refused += 1
            continue
        accepted += 1
        try:
            compiled.search({"a": {"b": [1, 2, 3]}})
        except OutputTooLarge:
            pass
        except Exception as exc:  # JMESPath type errors are per-record errors; fine
            assert type(exc).__module__.startswith("jmespath"), (source[:80], exc)
    assert refused > 0 and accepted > 0
    assert time.monotonic() - started < 30
