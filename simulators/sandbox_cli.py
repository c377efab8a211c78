"""`unimap sandbox`: serve a provider simulator on 127.0.0.1.

The FIRST line printed on stdout is machine-readable::

    http://127.0.0.1:PORT/<base path> token=TOKEN

(base URL, one space, `token=` and the credential the simulator accepts). It is printed once
the server accepts connections. The process stops on SIGINT/SIGTERM or after `--lifetime`
seconds, exit code 0. Each provider's package has a `sandbox` module with `build(args)` (the
seeded simulator) and `DEFAULT_TOKEN`.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import signal
import sys
from typing import Any

from simulators import SANDBOX_PROVIDERS
from simulators.core.faults import FaultPlan
from simulators.core.ratelimit import parse_rate


def _rate(text: str) -> tuple[int, float] | str | None:
    """`N/SECONDS`, `off` (None) or `provider` (the simulated provider's own limit)."""
    if text == "provider":
        return text
    if text.lower() in ("off", "none", "0"):
        return None
    try:
        return parse_rate(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _faults(text: str) -> FaultPlan:
    try:
        return FaultPlan.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(subparsers: Any) -> None:
    """Add the `sandbox` sub-command."""
    parser = subparsers.add_parser(
        "sandbox",
        help="run a provider simulator on 127.0.0.1",
        description="Run a stateful provider API simulator on 127.0.0.1. The first stdout "
        "line is 'http://127.0.0.1:PORT/<base path> token=TOKEN'.",
    )
    parser.add_argument(
        "--provider",
        default="mailerlite",
        choices=sorted(SANDBOX_PROVIDERS),
        help="which provider to simulate (default mailerlite)",
    )
    parser.add_argument("--port", type=int, default=8765, help="port (0 = any free port)")
    parser.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="also answer requests whose Host is NAME (default: only 127.0.0.1, localhost "
        "and [::1], against DNS rebinding); repeatable",
    )
    parser.add_argument(
        "--token", default=None, help="accepted credential (default: the provider's sandbox one)"
    )
    parser.add_argument(
        "--subscribers", "--contacts", type=int, default=100, help="seeded contacts"
    )
    parser.add_argument("--groups", "--lists", type=int, default=5, help="seeded lists")
    parser.add_argument("--segments", type=int, default=3, help="seeded segments")
    parser.add_argument("--seed", type=int, default=0, help="seed for data, ids and faults")
    parser.add_argument(
        "--rate-limit",
        type=_rate,
        default="provider",
        metavar="N/SECONDS",
        help="global limit per token (default: the provider's; 'off' disables)",
    )
    parser.add_argument(
        "--import-limit",
        type=_rate,
        default=(5, 60.0),
        metavar="N/SECONDS",
        help="MailerLite import-batch limit per token (default 5/60; 'off' disables)",
    )
    parser.add_argument(
        "--faults",
        type=_faults,
        default=None,
        metavar="SPEC",
        help="fault SPEC, e.g. 500:0.05,slow:0.02@1.5,drop:0.01,429burst:0.01x5",
    )
    parser.add_argument(
        "--lifetime",
        type=float,
        default=None,
        metavar="SECONDS",
        help="stop after this many seconds",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Seed, serve until stopped, return the exit code."""
    for name in ("subscribers", "groups", "segments"):
        if getattr(args, name) < 0:
            print(f"--{name} must not be negative", file=sys.stderr)
            return 2
    try:
        from simulators.core.server import bind_socket, serve_until_stopped
    except ImportError as exc:
        print(
            f"the sandbox server needs the 'sandbox' extra ({exc.name} is missing): "
            "pip install 'unimap[sandbox]'",
            file=sys.stderr,
        )
        return 2
    module = importlib.import_module(SANDBOX_PROVIDERS[args.provider])
    if args.token is None:
        args.token = module.DEFAULT_TOKEN
    simulator = module.build(args)
    try:
        sock = bind_socket(args.port)
    except OSError as exc:
        print(f"cannot listen on 127.0.0.1:{args.port}: {exc}", file=sys.stderr)
        return 1

    def ready(base_url: str) -> None:
        print(f"{base_url} token={args.token}", flush=True)
        print(
            f"provider={args.provider} seed={args.seed} contacts={args.subscribers} "
            f"lists={args.groups} segments={args.segments} faults={args.faults or 'none'}",
            flush=True,
        )

    # uvicorn re-raises captured signals after shutting down; make that a no-op.
    previous = {sig: signal.signal(sig, lambda *_: None) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        asyncio.run(
            serve_until_stopped(simulator, sock, ready, args.lifetime, args.allow_host)
        )
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sock.close()
        close = getattr(simulator, "close", None)
        if close is not None:
            close()
    return 0
