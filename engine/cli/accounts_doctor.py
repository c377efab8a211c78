"""`unimap accounts doctor [--format text|json]`: check the key, the database and every
account; exit 0 when all is well, 1 when anything is wrong (each problem with a remedy)."""

from __future__ import annotations

import argparse
import json
from typing import Any

__all__ = ["register_doctor"]


def register_doctor(actions: Any) -> None:
    """Add the `doctor` action to the `accounts` sub-command."""
    doctor = actions.add_parser(
        "doctor",
        help="check the account database, the key and every account",
        description="Check that the credential key loads, the account database opens and is "
        "intact, and every account decrypts; report the ones that do not, by id (never a "
        "secret's value). Exit 0 when all is well, 1 otherwise.",
    )
    doctor.add_argument("--format", choices=("text", "json"), default="text", help="output")
    doctor.set_defaults(handler=run_doctor)


def run_doctor(args: argparse.Namespace) -> int:
    """Print the findings; 0 when every check passed."""
    from engine.accounts.doctor import diagnose

    findings = diagnose()
    if args.format == "json":
        print(json.dumps([finding.to_dict() for finding in findings], indent=2))
    else:
        for finding in findings:
            print(f"{'ok' if finding.ok else 'FAIL':4}  {finding.check}: {finding.detail}")
    return 0 if all(finding.ok for finding in findings) else 1
