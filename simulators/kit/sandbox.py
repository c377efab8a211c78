"""The Kit simulator as `unimap sandbox --provider kit` builds it (`--groups` seeds tags)."""

from __future__ import annotations

import argparse

from simulators.kit.simulator import DEFAULT_TOKEN, Simulator

__all__ = ["DEFAULT_TOKEN", "build"]


def build(args: argparse.Namespace) -> Simulator:
    """A seeded simulator from the sandbox command's options."""
    rate_limit = (120, 60.0) if args.rate_limit == "provider" else args.rate_limit
    return Simulator(
        seed=args.seed, token=args.token, rate_limit=rate_limit, faults=args.faults
    ).seed_data(subscribers=args.subscribers, tags=args.groups, segments=args.segments)
