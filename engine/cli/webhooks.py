"""`unimap webhook parse PROVIDER --secret SECRET [--signature SIG | --url URL] < BODY`.

Reads a delivery's raw body from stdin, verifies its signature (from `--signature`, else the
`UNIMAP_WEBHOOK_SIGNATURE` environment variable) with the provider's declared scheme and prints
the unified events as JSON; `--url` gives the delivery URL, for providers that put a token in
it. A bad or missing signature exits 1 with the unified error on stderr; `--no-verify` skips
the check (for inspecting captured payloads).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from engine.cli import forwarding
from engine.cli.call import print_error
from engine.cli.mappings import add_mappings_argument, load_engine
from engine.errors import UnimapError


def register(subparsers: Any) -> None:
    """Add the `webhook` command: `parse`, and the forwarding commands (`engine.cli.forwarding`)."""
    parser = subparsers.add_parser("webhook", help="webhook tools", description="Webhook tools.")
    commands = parser.add_subparsers(dest="webhook_command", required=True, metavar="COMMAND")
    parse = commands.add_parser(
        "parse",
        help="verify a delivery read from stdin and print its unified events",
        description="Verify a webhook delivery (raw body on stdin) and print unified events.",
    )
    parse.add_argument("provider")
    parse.add_argument("--secret", help="the webhook's signing secret")
    parse.add_argument(
        "--signature",
        help="the signature header's value (the header name comes from the provider file)",
    )
    parse.add_argument(
        "--url",
        help="the delivery's full request URL (providers with a token in the URL)",
    )
    parse.add_argument("--no-verify", action="store_true", help="skip signature verification")
    add_mappings_argument(parse)
    parse.set_defaults(handler=run_parse)
    forwarding.add_commands(commands)


def run_parse(args: argparse.Namespace) -> int:
    """Verify and normalise the delivery on stdin."""
    from engine.webhooks.events import webhook_spec

    try:
        engine = load_engine(args)
        raw = sys.stdin.buffer.read()
        if args.no_verify:
            events = engine.webhooks.parse(args.provider, raw, url=args.url)
        else:
            spec = webhook_spec(engine.mapping(args.provider)).signature
            signature = args.signature or os.environ.get("UNIMAP_WEBHOOK_SIGNATURE", "")
            header = getattr(spec, "header", None)
            headers = {header: signature} if header and signature else {}
            events = engine.webhooks.handle(
                args.provider, headers, raw, secret=args.secret or "", url=args.url
            )
        print(json.dumps(events, indent=2, ensure_ascii=False))
        return 0
    except UnimapError as error:
        return print_error(error)
