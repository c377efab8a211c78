"""The Mailchimp simulator as `unimap sandbox --provider mailchimp` builds it.

`--subscribers` seeds members, `--groups` audiences, `--segments` saved segments per audience;
`--rate-limit off` lifts the 10-connection cap (any other value keeps Mailchimp's cap).
"""

from __future__ import annotations

import argparse

from simulators.mailchimp.simulator import DEFAULT_TOKEN, MAX_CONNECTIONS, Simulator

__all__ = ["DEFAULT_TOKEN", "build", "settings"]


def build(args: argparse.Namespace) -> Simulator:
    """A seeded simulator from the sandbox command's options."""
    return Simulator(
        seed=args.seed,
        token=args.token,
        max_connections=None if args.rate_limit is None else MAX_CONNECTIONS,
        faults=args.faults,
    ).seed_data(members=args.subscribers, audiences=args.groups, segments=args.segments)



def settings(simulator: Simulator) -> dict[str, str]:
    """Connection settings for a seeded simulator: its first audience as the default one."""
    return {"list_id": next(iter(simulator.state.audiences))}
