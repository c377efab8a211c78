"""The hand-written whole-process baseline: every contact as NDJSON on stdout.

    python -m benchmarks.hand_ndjson PROVIDER BASE_URL API_KEY QUERY_JSON

What a developer would write instead of `unimap call PROVIDER contacts list --all`: the
hand-written loop of `benchmarks.hand` (httpx, stdlib `json`, a hand mapping), one JSON object
per line, keeping to the provider's documented request rate (`RATES`) as a script run against
the real API must: Brevo answers a 429 to the 11th contacts request in a second. The engine
paces by the same numbers (its mappings' `rate_limits`), so both wait alike.
"""

from __future__ import annotations

import collections
import json
import sys
import time
from collections.abc import Callable
from typing import Any

from benchmarks import hand

RATES: dict[str, tuple[int, float]] = {
    "mailerlite": (120, 60.0),  # 120 requests per minute
    "brevo": (10, 1.0),  # contacts endpoints: 10 requests per second
    "kit": (120, 60.0),  # 120 requests per 60 seconds
}
"""Documented request rates (requests, seconds); Mailchimp caps connections, not the rate."""


def pacer(limit: int, period: float) -> Callable[[Any], None]:
    """An httpx request hook sending at most `limit` requests in any `period` seconds."""
    sent: collections.deque[float] = collections.deque(maxlen=limit)

    def wait(request: Any) -> None:
        if len(sent) == limit:
            delay = sent[0] + period - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        sent.append(time.monotonic())

    return wait


def main(argv: list[str]) -> int:
    """List and write every contact."""
    provider, base_url, api_key, query_json = argv
    write = sys.stdout.write
    with hand.client(provider, base_url, api_key) as client:
        if provider in RATES:
            client.event_hooks["request"].append(pacer(*RATES[provider]))
        for record in hand.contacts(provider, client, 1000, json.loads(query_json)):
            write(json.dumps(record, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
