"""`unimap webhook secret | endpoint | endpoints | outbox | dead | requeue | disabled | enable`:
webhook forwarding.

    unimap webhook secret                      # the whsec_ secret receivers verify with
    unimap webhook secret rotate [--grace S]   # a new one; the old one signs too for S seconds
    unimap webhook endpoint TENANT URL         # forward TENANT's events to URL
    unimap webhook endpoint TENANT             # print it;  --remove: forward to the default
    unimap webhook endpoints                   # every tenant's URL, JSON
    unimap webhook outbox                      # how many messages are pending/delivered/dead
    unimap webhook dead [--tenant T] [--limit N]   # given-up messages, JSON
    unimap webhook requeue MESSAGE_ID          # try a dead message again
    unimap webhook disabled                    # URLs disabled after answering 410 Gone, JSON
    unimap webhook enable URL                  # send to a disabled URL again

All of them work on `$UNIMAP_HOME/unimap.db`, the database `unimap serve` uses. Exit codes: 0
on success, 1 on a refused value or unknown id (the unified error on stderr).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from engine.cli.call import print_error
from engine.errors import NotFoundError, UnimapError

__all__ = ["add_commands"]


def add_commands(commands: Any) -> None:
    """Add the forwarding sub-commands to the `webhook` command's sub-parsers."""
    secret = commands.add_parser(
        "secret",
        help="print the secret forwarded webhooks are signed with",
        description="Print the whsec_ secret (UNIMAP_FORWARD_SECRET, else the last one made "
        "by `webhook secret rotate`, else derived from the installation key) that host apps "
        "verify forwarded webhooks with.",
    )
    secret.set_defaults(handler=run_secret)
    rotate = secret.add_subparsers(dest="secret_command", metavar="{rotate}").add_parser(
        "rotate",
        help="make a new secret current; the old one keeps signing for a grace period",
        description="Make a new random whsec_ secret current and print it. The secret it "
        "replaces keeps signing alongside (a second signature in webhook-signature) for "
        "--grace seconds, so receivers can switch over without a failed delivery; then it "
        "is dropped. Refused when UNIMAP_FORWARD_SECRET sets the secret.",
    )
    rotate.add_argument(
        "--grace",
        type=float,
        default=None,
        metavar="SECONDS",
        help="how long the old secret keeps signing (default: 24 hours)",
    )
    rotate.set_defaults(handler=run_rotate)
    endpoint = commands.add_parser(
        "endpoint",
        help="set, show or remove a tenant's forwarding URL",
        description="Set (URL given), show (no URL) or remove (--remove) the URL a tenant's "
        "unified webhook events are forwarded to; without one, `serve --forward-to` is used.",
    )
    endpoint.add_argument("tenant")
    endpoint.add_argument("url", nargs="?")
    endpoint.add_argument("--remove", action="store_true", help="remove the tenant's URL")
    endpoint.set_defaults(handler=run_endpoint)
    commands.add_parser("endpoints", help="list every tenant's forwarding URL (JSON)").set_defaults(
        handler=lambda args: _run(lambda outbox: outbox.endpoints())
    )
    commands.add_parser("outbox", help="count forwarded messages per state (JSON)").set_defaults(
        handler=lambda args: _run(lambda outbox: outbox.counts())
    )
    dead = commands.add_parser("dead", help="list messages given up after every retry (JSON)")
    dead.add_argument("--tenant", default=None, help="only this tenant's messages")
    dead.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    dead.set_defaults(handler=run_dead)
    requeue = commands.add_parser("requeue", help="try a dead message again from attempt 1")
    requeue.add_argument("message_id")
    requeue.set_defaults(handler=run_requeue)
    commands.add_parser(
        "disabled", help="list forwarding URLs disabled after answering 410 Gone (JSON)"
    ).set_defaults(handler=lambda args: _run(lambda outbox: outbox.disabled_endpoints()))
    enable = commands.add_parser("enable", help="send to a disabled forwarding URL again")
    enable.add_argument("url")
    enable.set_defaults(handler=run_enable)


def _run(action: Any) -> int:
    """Open the default outbox, print `action(outbox)` as JSON; unified errors exit 1."""
    from engine.forwarding.sqlite_outbox import default_outbox

    try:
        with default_outbox() as outbox:
            result = action(outbox)
    except UnimapError as error:
        return print_error(error)
    if result is not None:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


def run_secret(args: argparse.Namespace) -> int:
    """Print the forwarding secret."""
    from engine.forwarding.standard import forwarding_secret

    try:
        print(forwarding_secret())
    except UnimapError as error:
        return print_error(error)
    return 0


def run_rotate(args: argparse.Namespace) -> int:
    """Rotate the forwarding secret; print the new one."""
    from engine.forwarding.standard import rotate_forwarding_secret

    try:
        if args.grace is None:
            print(rotate_forwarding_secret())
        else:
            print(rotate_forwarding_secret(args.grace))
    except UnimapError as error:
        return print_error(error)
    return 0


def run_endpoint(args: argparse.Namespace) -> int:
    """Set, show or remove one tenant's URL."""
    from engine.forwarding.outbox import checked_endpoint

    def act(outbox: Any) -> Any:
        if args.remove:
            outbox.set_endpoint(args.tenant, None)
        elif args.url is not None:
            outbox.set_endpoint(args.tenant, checked_endpoint(args.url))
        return {"tenant_id": args.tenant, "url": outbox.endpoint(args.tenant)}

    return _run(act)


def run_dead(args: argparse.Namespace) -> int:
    """List dead messages, newest first."""
    return _run(lambda outbox: [m.summary() for m in outbox.dead(args.tenant, args.limit)])


def run_requeue(args: argparse.Namespace) -> int:
    """Make one dead message pending again."""

    def act(outbox: Any) -> Any:
        if not outbox.requeue(args.message_id):
            raise NotFoundError(f"no dead message {args.message_id!r}")
        return {"id": args.message_id, "state": "pending"}

    return _run(act)


def run_enable(args: argparse.Namespace) -> int:
    """Send to a disabled URL again."""

    def act(outbox: Any) -> Any:
        if not outbox.enable_endpoint(args.url):
            raise NotFoundError("this URL is not disabled")
        return {"url": args.url, "disabled": False}

    return _run(act)
