"""The Brevo simulator as `unimap sandbox --provider brevo` builds it."""

from __future__ import annotations

import argparse

from simulators.brevo.simulator import DEFAULT_TOKEN, Simulator

__all__ = ["DEFAULT_TOKEN", "build", "settings"]


def settings(simulator: Simulator) -> dict[str, object]:
    """Connection settings matching a seeded simulator (its first folder holds new lists)."""
    return {"folder_id": 1}


def build(args: argparse.Namespace) -> Simulator:
    """A seeded simulator from the sandbox command's options (`--import-limit` is unused)."""
    rate_limit = "provider" if args.rate_limit == "provider" else args.rate_limit
    return Simulator(
        seed=args.seed, token=args.token, rate_limit=rate_limit, faults=args.faults
    ).seed_data(contacts=args.subscribers, lists=args.groups, segments=args.segments)
