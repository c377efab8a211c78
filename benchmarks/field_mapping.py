"""Benchmark: the CPU cost of mapping one record, per provider, with no I/O at all.

For every provider in `mappings/`, the contacts of its seeded simulator (listed once through
the engine, in process) are mapped again and again, and the best pass is reported as
CPU microseconds per contact:

* **generated**: `RecordMapper.map`, the field mapping as one generated function (the engine's
  path);
* **closures**: the same mapper on the per-field closures (`generated=False`, the path before
  the generated code);
* **hand**: the hand-written mapping of `benchmarks/hand.py` (when present), checked record
  by record against the engine's output first;
* **body**: building the provider's upsert body (`build_body`) from each unified contact's
  writable fields.

Records are mapped as a listing maps them (`remote_data` kept, composite ids filled).

Run:  .venv/bin/python benchmarks/field_mapping.py [--contacts N] [--repeats R] [--json]

Output: a table, then one JSON line with every figure.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.api import Engine  # noqa: E402
from engine.loader import ProviderMapping  # noqa: E402

try:
    from engine.plan.bodies import build_body
except ImportError:  # an engine from before the generated bodies
    from engine.plan.build import build_body  # type: ignore[attr-defined,no-redef]
from engine.plan.records import RecordMapper  # noqa: E402
from engine.plan.scope import RecordIdentity  # noqa: E402
from engine.unified import schemas  # noqa: E402
from simulators.testing import Sandbox  # noqa: E402

RESOURCE = "contacts"


def raw_contacts(provider: str, contacts: int) -> list[Any]:
    """The provider records of `contacts` contacts of the provider's seeded simulator."""
    sandbox = Sandbox(provider, contacts=contacts, lists=3, segments=1, rate_limits=False)
    return [item["remote_data"] for item in sandbox.connect().iterate(RESOURCE, {})]


def best_us(run: Callable[[], object], count: int, repeats: int) -> float:
    """CPU microseconds per item of the fastest of `repeats` passes over `count` items (CPU
    time of this process: on a shared machine, time spent waiting for a core is not counted)."""
    fastest = float("inf")
    for _ in range(repeats):
        started = time.process_time()
        run()
        fastest = min(fastest, time.process_time() - started)
    return round(fastest / count * 1e6, 2)


def mapper(mapping: ProviderMapping, generated: bool) -> RecordMapper:
    """The contacts mapper as a listing builds it (composite ids and memberships of a
    parent-scoped resource included), on generated code or (when this engine has the
    switch) the closures."""
    resource = mapping.resources[RESOURCE]
    identity = RecordIdentity(mapping, resource) if RecordIdentity.needed(resource) else None
    if "generated" in inspect.signature(RecordMapper).parameters:
        return RecordMapper(mapping, RESOURCE, resource.fields, identity, generated=generated)
    return RecordMapper(mapping, RESOURCE, resource.fields, identity)


def hand_mapping(provider: str) -> Callable[[Any], Any] | None:
    """`benchmarks/hand.py`'s mapping of `provider`'s records, if that module exists."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        hand = importlib.import_module("hand")
    except ImportError:
        return None
    found: Callable[[Any], Any] | None = getattr(hand, f"map_{provider}", None)
    return found


def upsert_body(mapping: ProviderMapping) -> Callable[[dict[str, Any]], Any] | None:
    """Building the provider's upsert body from a unified contact, if it maps upserts."""
    operation = mapping.resources[RESOURCE].operations.get("upsert")
    request = operation.request if operation is not None else None
    if request is None:
        return None
    settings = {setting.name: setting.default for setting in mapping.provider.settings}
    return lambda item: build_body(
        mapping, request.body, request.body_always, {**item, "settings": settings}
    )


def measure(provider: str, mapping: ProviderMapping, contacts: int, repeats: int) -> dict[str, Any]:
    """Every figure of one provider."""
    records = raw_contacts(provider, contacts)
    generated, closures = mapper(mapping, True), mapper(mapping, False)
    unified = generated.map_many(records)
    assert unified == closures.map_many(records)
    row: dict[str, Any] = {"provider": provider, "contacts": len(records)}
    row["generated_us"] = best_us(lambda: generated.map_many(records), len(records), repeats)
    row["closures_us"] = best_us(lambda: closures.map_many(records), len(records), repeats)
    hand = hand_mapping(provider)
    if hand is not None:
        assert [hand(record) for record in records] == unified, f"{provider}: hand differs"
        row["hand_us"] = best_us(lambda: [hand(r) for r in records], len(records), repeats)
    build = upsert_body(mapping)
    if build is not None:
        writable = schemas.writable_fields(RESOURCE)
        items = [{k: v for k, v in c.items() if k in writable and v is not None} for c in unified]
        row["body_us"] = best_us(lambda: [build(item) for item in items], len(items), repeats)
    return row


def table(rows: list[dict[str, Any]]) -> str:
    """The figures as an aligned text table."""
    columns = ["provider", "contacts", "generated_us", "closures_us", "hand_us", "body_us"]
    lines = ["  ".join(f"{c:>13}" for c in columns)]
    for row in rows:
        lines.append("  ".join(f"{row.get(c, '-')!s:>13}" for c in columns))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Measure every provider; print the table and a JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--json", action="store_true", help="only the JSON line")
    args = parser.parse_args(argv)
    engine = Engine.load()
    rows = [
        measure(name, engine.mapping(name), args.contacts, args.repeats)
        for name in sorted(engine.providers)
    ]
    if not args.json:
        print(table(rows))
    print(json.dumps({"field_mapping": rows}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
