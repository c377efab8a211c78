"""`unimap serve`: the unified API over HTTP (`engine.server`), served by uvicorn.

    unimap serve [--host 127.0.0.1] [--port 8000] [--workers N] [--public-url URL]
                 [--forward-to URL] [--base-url PROVIDER=URL ...] [--allowed-host HOST ...]
                 [--mappings DIR ...]

Needs the `server` extra (`pip install 'unimap[server]'`). Accounts and API tokens come from
`$UNIMAP_HOME/unimap.db`. The options reach every worker process through the environment
(`UNIMAP_PUBLIC_URL`, `UNIMAP_FORWARD_TO`, `UNIMAP_BASE_URLS`, `UNIMAP_ALLOWED_HOSTS`,
`UNIMAP_MAPPINGS`), which is how `--workers N` builds one app per process
(`engine.server.app:app_factory`).

`--allowed-host` (repeatable) lists the `Host` names the server answers to; any other is
refused (DNS-rebinding protection). Without it, a server on a loopback address answers to
`localhost`, `127.0.0.1`, `::1` and the `--public-url` host, and one on any other interface
to every name; `--allowed-host '*'` turns the check off.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from engine.cli.mappings import add_mappings_argument, mapping_folders
from engine.errors import UnimapError
from engine.paths import MAPPINGS_ENV

__all__ = ["register"]

_FACTORY = "engine.server.app:app_factory"


def register(subparsers: Any) -> None:
    """Add the `serve` sub-command."""
    parser = subparsers.add_parser(
        "serve",
        help="serve the unified API over HTTP",
        description="Serve the unified API, the proxy and account management over HTTP "
        "(docs/server.md). Host apps authenticate with `unimap tokens create` tokens.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument(
        "--public-url",
        default=None,
        metavar="URL",
        help="the address clients reach the server at (default http://HOST:PORT)",
    )
    parser.add_argument(
        "--forward-to", default=None, metavar="URL", help="forward unified webhook events here"
    )
    parser.add_argument(
        "--base-url",
        action="append",
        default=[],
        metavar="PROVIDER=URL",
        help="base URL of the accounts linked on the link page for PROVIDER, e.g. a sandbox "
        "(repeatable)",
    )
    parser.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="HOST",
        help="a Host name to answer to, '*.example.com' for subdomains, '*' for any "
        "(repeatable; default on a loopback --host: localhost, 127.0.0.1, ::1 and the "
        "--public-url host)",
    )
    add_mappings_argument(parser)
    parser.set_defaults(handler=run)


def _export(args: argparse.Namespace) -> None:
    from engine.server.app import ALLOWED_HOSTS_ENV, BASE_URLS_ENV, FORWARD_TO_ENV, PUBLIC_URL_ENV
    from engine.server.hosts import default_allowed_hosts

    public_url = args.public_url or f"http://{_url_host(args.host)}:{args.port}"
    os.environ[PUBLIC_URL_ENV] = public_url
    allowed = args.allowed_host or default_allowed_hosts(args.host, public_url)
    os.environ[ALLOWED_HOSTS_ENV] = " ".join(allowed)
    if args.base_url:
        os.environ[BASE_URLS_ENV] = " ".join(args.base_url)
    if args.forward_to:
        os.environ[FORWARD_TO_ENV] = args.forward_to
    folders = [str(folder) for folder in mapping_folders(args)]
    if folders:
        os.environ[MAPPINGS_ENV] = os.pathsep.join(folders)


def _url_host(host: str) -> str:
    """`host` as written in a URL (an IPv6 address in brackets)."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def run(args: argparse.Namespace) -> int:
    """Build the app (failing early on bad set-up), then serve until stopped."""
    if args.workers < 1:
        print("unimap serve: --workers must be at least 1", file=sys.stderr)
        return 2
    try:
        import uvicorn

        from engine.server.app import app_factory
    except ImportError as exc:
        print(
            f"unimap serve needs the 'server' extra ({exc.name} is missing): "
            "pip install 'unimap[server]'",
            file=sys.stderr,
        )
        return 2
    _export(args)
    try:
        app = app_factory()
    except UnimapError as error:
        print(f"unimap serve: {error}", file=sys.stderr)
        return 1
    target: Any = app if args.workers == 1 else _FACTORY
    uvicorn.run(
        target,
        host=args.host,
        port=args.port,
        workers=args.workers if args.workers > 1 else None,
        factory=args.workers > 1,
        lifespan="on",
        log_level="info",
    )
    return 0
