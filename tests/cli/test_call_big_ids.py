"""`unimap call --all` keeps ids over 2**53 (and over 64 bits) exact, end to end: parsed from
the provider's response and written as NDJSON digit for digit."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import respx

from engine.cli import main

SINGLE = Path(__file__).resolve().parents[1] / "reads" / "providers" / "single"
IDS = [9007199254740993, 2**64, 2**70 + 1]


@respx.mock
def test_call_all_writes_big_ids_digit_for_digit(capsys) -> None:
    records = ", ".join(f'{{"id": {i}, "name": "L{i}"}}' for i in IDS)
    body = ('{"data": [' + records + "]}").encode()
    headers = {"content-type": "application/json"}
    respx.get("https://api.single.test/v1/lists").mock(
        return_value=httpx.Response(200, content=body, headers=headers)
    )
    args = ["call", "single", "lists", "list", "--all", "--mappings", str(SINGLE), "--api-key", "k"]
    assert main(args) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [str(i) for i in IDS]
    assert [json.loads(line)["remote_data"]["id"] for line in lines] == IDS
    assert f'"id":{2**70 + 1}' in lines[2]
