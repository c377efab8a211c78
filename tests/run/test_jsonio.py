"""Fast JSON (`engine.jsonio`): what the standard library gives, exactly, faster."""

from __future__ import annotations

import json

import pytest

from engine.jsonio import dumps_line, loads

BIG = 2**70 + 1  # beyond 64 bits: orjson alone would read it as a float


@pytest.mark.parametrize(
    "text",
    [
        b'{"id": 9007199254740993}',  # above 2**53: a float would round it
        b'{"id": 18446744073709551616}',  # 2**64: the first integer past orjson's range
        b'{"id": -9223372036854775809}',  # below -2**63
        b'[12345678901234567890123, 1]',
        b'{"a":[\n12345678901234567890]}',
        b"18446744073709551616",
        b'{"contact_id": "a753c8766022556259694621bad4de45", "n": 1.1234567890123456789}',
        b'{"a": 1, "a": 2}',
        b"[0.1, 1e-7, 5e-324, 1.7976931348623157e308, 0.30000000000000004, -0.0]",
        b'{"x": "\\u00e9\\ud83d\\ude00"}',
        b'"\\ud800"',  # a lone surrogate: orjson refuses it, the standard library keeps it
        b"[NaN, Infinity, 1E400]",
        b"  [1]\n",
    ],
)
def test_loads_gives_what_json_loads_gives(text: bytes) -> None:
    assert repr(loads(text)) == repr(json.loads(text))


def test_ids_over_2_to_the_53_stay_exact_integers() -> None:
    assert loads(b'{"id": %d}' % BIG)["id"] == BIG
    assert loads(b'{"id": 9007199254740993}')["id"] == 9007199254740993


def test_a_long_digit_run_inside_a_string_is_parsed_the_fast_way(monkeypatch) -> None:
    def refuse(raw: bytes) -> None:
        raise AssertionError("fell back to json.loads")

    monkeypatch.setattr("engine.jsonio.json.loads", refuse)
    assert loads(b'{"contact_id": "a753c8766022556259694621bad4de45"}') == {
        "contact_id": "a753c8766022556259694621bad4de45"
    }


def test_loads_refuses_what_is_not_json_with_a_value_error() -> None:
    with pytest.raises(ValueError):
        loads(b"<html>502 Bad Gateway</html>")


def test_a_ndjson_line_is_compact_utf8_json_ending_in_a_newline() -> None:
    line = dumps_line({"name": "Zoë", "lists": [{"id": "1"}], "score": 1.5, "vip": None})
    assert line == '{"name":"Zoë","lists":[{"id":"1"}],"score":1.5,"vip":null}\n'.encode()


def test_a_ndjson_line_writes_integers_beyond_64_bits_in_full() -> None:
    assert dumps_line({"id": BIG}) == b'{"id":%d}\n' % BIG
