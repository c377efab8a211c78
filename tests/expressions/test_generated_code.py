"""The generated code: hostile mapping text never becomes code, deep expressions still
compile, and a record the code cannot map is reported as before, naming the field."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine.api import Engine
from engine.errors import RemoteError
from engine.expressions import compile_expression
from engine.expressions.programs import record_program, search_program
from engine.plan.records import RecordMapper
from tests.security.warnings_log import warnings_on

PAYLOAD = '__import__("os").system("echo owned")'
HOSTILE_NAME = f'x"]); {PAYLOAD} #'
VALUE_MAPS = {f"m'); {PAYLOAD} #": {"a": f"'''{PAYLOAD}'''", "_default": None}}


def _quoted(name: str) -> str:
    """A JMESPath quoted identifier for any name."""
    return json.dumps(name)


HOSTILE_FIELDS: dict[str, str] = {
    f"{PAYLOAD}": _quoted(HOSTILE_NAME),
    "raw": f"'\\n{PAYLOAD}\\n'",
    "json": "`" + json.dumps({f'k"}}); {PAYLOAD} #': [f"\\n{PAYLOAD}"]}) + "`",
    "keys": "{" + _quoted(f"k': 1}}; {PAYLOAD} #") + ": " + _quoted(HOSTILE_NAME) + "}",
    "mapped": "map_value(" + _quoted(HOSTILE_NAME) + ", " + repr(next(iter(VALUE_MAPS))) + ")",
    "filtered": "items[?" + _quoted(HOSTILE_NAME) + " == '" + PAYLOAD.replace("'", "\\'") + "']",
}


def test_hostile_names_and_literals_never_reach_the_generated_source() -> None:
    """Field names, keys, literals and map names are bound as constants, never written into
    the code: none of their text is in the source, and the code sees no builtins of its own."""
    compiled = [(name, compile_expression(src, VALUE_MAPS)) for name, src in HOSTILE_FIELDS.items()]
    program = record_program(compiled, VALUE_MAPS)
    assert program is not None
    source: str = program.__source__  # type: ignore[attr-defined]
    for fragment in ("import", "system", "echo", "owned", '"]', "'''", "\\n"):
        assert fragment not in source
    assert program.__globals__["__builtins__"] == {}


def test_hostile_names_are_read_as_data() -> None:
    """The hostile names still work as the field names and values they are."""
    compiled = [(name, compile_expression(src, VALUE_MAPS)) for name, src in HOSTILE_FIELDS.items()]
    program = record_program(compiled, VALUE_MAPS)
    assert program is not None
    record = {HOSTILE_NAME: "a", "items": [{HOSTILE_NAME: PAYLOAD}, {HOSTILE_NAME: "b"}]}
    unified = program(record)
    assert unified == {name: c.search(record) for name, c in compiled}
    assert unified[PAYLOAD] == "a"
    assert unified["raw"] == f"\\n{PAYLOAD}\\n"  # raw strings keep the backslash
    assert unified["mapped"] == f"'''{PAYLOAD}'''"
    assert unified["filtered"] == [{HOSTILE_NAME: PAYLOAD}]


@pytest.mark.parametrize(
    "expression",
    [
        "a" + "[*].a" * 30,
        "(" * 40 + "a" + " || b)" * 40,
        "[" * 30 + "a" + "]" * 30,
        "a" + "[?b]" * 25 + ".c",
        "not_null(" * 30 + "a" + ")" * 30,
    ],
)
def test_deeply_nested_expressions_still_generate_and_agree(expression: str) -> None:
    """Past Python's limit of nested blocks the deepest part runs as a closure: the code
    compiles and gives the closures' value."""
    compiled = compile_expression(expression)
    generated = search_program(compiled)
    assert generated is not None
    document: Any = {"a": [{"a": [{"a": None, "b": True}]}], "b": [1], "c": 2}
    assert repr(generated(document)) == repr(compiled.search(document))


def test_a_record_the_code_cannot_map_names_the_field() -> None:
    """A type error while mapping reads as before in the reference (the resource and the
    unified field); mapping the record makes that field null, with a warning naming it."""
    mapping = Engine.load().mapping("mailerlite")
    mapper = RecordMapper(mapping, "contacts", {"id": "id", "email": "lower(email)"})
    assert mapper.map({"id": "1", "email": "A@B.CO"}, remote_data=False) == {
        "id": "1",
        "email": "a@b.co",
    }
    with pytest.raises(RemoteError, match=r"cannot map contacts\.email from the provider's"):
        mapper.interpret({"id": "1", "email": 7})
    with warnings_on("unimap.mapping") as records:
        mapped = mapper.map({"id": "1", "email": 7}, remote_data=False)
    assert mapped == {"id": "1", "email": None}
    assert [r.getMessage() for r in records] == [
        "contacts 1: mapped to null: email: cannot map it (JMESPathTypeError)"
    ]


def test_a_page_names_only_the_records_whose_values_became_null() -> None:
    """Mapping a page, each conversion warning names the record it came from, once."""
    mapping = Engine.load().mapping("mailerlite")
    mapper = RecordMapper(mapping, "contacts", {"id": "id", "at": "to_iso8601(at)"})
    page = [
        {"id": "1", "at": "2025-09-19 11:10:41"},
        {"id": "2", "at": "2025-02-30 11:10:41"},
        {"id": "3", "at": "2025-09-19T11:10:41Z"},
        {"id": "4", "at": "not a date"},
    ]
    with warnings_on("unimap.mapping") as records:
        mapped = mapper.map_many(page, remote_data=False)
    assert [m["at"] for m in mapped] == ["2025-09-19T11:10:41Z", None, "2025-09-19T11:10:41Z", None]
    assert [r.getMessage() for r in records] == [
        "contacts 2: mapped to null: not a date-time: str of length 19",
        "contacts 4: mapped to null: not a date-time: str of length 10",
    ]
