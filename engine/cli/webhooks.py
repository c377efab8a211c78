"""`unimap webhook parse PROVIDER [--secret SECRET | --secret-file PATH] [--signature SIG |
--url URL] < BODY`.

Reads a delivery's raw body from stdin, verifies its signature (from `--signature`, else the
`UNIMAP_WEBHOOK_SIGNATURE` environment variable) with the provider's declared scheme and prints
the unified events as JSON; `--url` gives the delivery URL, for providers that put a token in
it. The signing secret comes from `--secret`, else `--secret-file` (one trailing line break
is dropped), else the `UNIMAP_WEBHOOK_SECRET` environment variable: prefer the last two, since
a command line is visible to every user of the machine (`ps`). A bad or missing signature
exits 1 with the unified error on stderr; `--no-verify` skips the check (for inspecting
captured payloads).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from engine.cli import forwarding
from engine.cli.call import print_error
from engine.cli.mappings import add_mappings_argument, load_engine
from engine.errors import ConfigurationError, UnimapError
from engine.secrets import Secret


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
    secret = parse.add_mutually_exclusive_group()
    secret.add_argument(
        "--secret", help=f"the webhook's signing secret (visible in ps; prefer ${SECRET_ENV})"
    )
    secret.add_argument(
        "--secret-file", metavar="PATH", help="a file holding the signing secret"
    )
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


SECRET_ENV = "UNIMAP_WEBHOOK_SECRET"
"""The environment variable read when neither `--secret` nor `--secret-file` is given."""


def _secret(args: argparse.Namespace) -> Secret:
    """The signing secret from `--secret`, `--secret-file` or `UNIMAP_WEBHOOK_SECRET`."""
    if args.secret is not None:
        return Secret(args.secret)
    if args.secret_file is not None:
        try:
            text = Path(args.secret_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or "not UTF-8 text"
            raise ConfigurationError(
                f"cannot read --secret-file {args.secret_file}: {reason}"
            ) from None
        return Secret(text.removesuffix("\n").removesuffix("\r"))
    return Secret(os.environ.get(SECRET_ENV, ""))


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
                args.provider, headers, raw, secret=_secret(args), url=args.url
            )
        print(json.dumps(events, indent=2, ensure_ascii=False))
        return 0
    except UnimapError as error:
        return print_error(error)
