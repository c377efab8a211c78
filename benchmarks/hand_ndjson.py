"""The hand-written whole-process baseline: every contact as NDJSON on stdout.

    python -m benchmarks.hand_ndjson PROVIDER BASE_URL API_KEY QUERY_JSON

What a developer would write instead of `unimap call PROVIDER contacts list --all`: the
hand-written loop of `benchmarks.hand` (httpx, stdlib `json`, a hand mapping), one JSON object
per line.
"""

from __future__ import annotations

import json
import sys

from benchmarks import hand


def main(argv: list[str]) -> int:
    """List and write every contact."""
    provider, base_url, api_key, query_json = argv
    write = sys.stdout.write
    with hand.client(provider, base_url, api_key) as client:
        for record in hand.contacts(provider, client, 1000, json.loads(query_json)):
            write(json.dumps(record, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
