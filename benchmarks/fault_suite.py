"""Run the fault suite standalone and print its report (a table, then JSON).

    .venv/bin/python benchmarks/fault_suite.py [--only NAME ...] [--json-only]

Lists 20,000 contacts and bulk-upserts 5,000 against the in-process MailerLite simulator
under each fault kind separately (429 bursts, 5xx bursts, slow responses, malformed and
truncated bodies, dropped connections before and after the request was applied), then all
mixed (sync and async). Exit code 1 when any scenario read or wrote a record other than
exactly once. The scenarios and checks live in `tests/faults/harness.py`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.faults.harness import (
    SCENARIOS,
    ScenarioResult,
    report_json,
    report_table,
    run_scenario,
)


def main(argv: list[str] | None = None) -> int:
    """Run the scenarios, print the table and the JSON; 0 when every scenario is clean."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="run only this scenario (repeatable)",
    )
    parser.add_argument("--json-only", action="store_true", help="print only the JSON")
    args = parser.parse_args(argv)
    chosen = [s for s in SCENARIOS if not args.only or s.name in args.only]
    if not chosen:
        names = ", ".join(s.name for s in SCENARIOS)
        print(f"no such scenario; choose from: {names}", file=sys.stderr)
        return 2
    results: list[ScenarioResult] = []
    for scenario in chosen:
        result = run_scenario(scenario)
        results.append(result)
        if not args.json_only:
            print(
                f"  {scenario.name}: {'clean' if result.clean else 'NOT CLEAN'} "
                f"({result.real_seconds:.1f} s)",
                file=sys.stderr,
                flush=True,
            )
    if not args.json_only:
        print(report_table(results))
        print()
    print(report_json(results))
    return 0 if all(r.clean for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
