"""`unimap call PROVIDER RESOURCE METHOD ...`: one unified call from the command line.

JSON on stdout (with `--all`, one record per line and a progress line on stderr when it is a
terminal). A failed call exits 1 with the unified error object as JSON on stderr; a usage
error exits 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from engine.cli.mappings import add_mappings_argument, load_engine
from engine.errors import ConfigurationError, UnimapError, ValidationError


def register(subparsers: Any) -> None:
    """Add the `call` sub-command."""
    parser = subparsers.add_parser(
        "call",
        help="make one unified call",
        description="Make one unified call, e.g. `unimap call acme contacts list`.",
    )
    parser.add_argument("provider")
    parser.add_argument("resource")
    parser.add_argument("method")
    parser.add_argument("--id", help="record id (contacts: id or email)")
    parser.add_argument("--query", action="append", default=[], metavar="KEY=VALUE", help="filter")
    parser.add_argument("--body", help="JSON body, or @FILE to read it from a file")
    parser.add_argument("--limit", type=int, help="page size for list calls")
    parser.add_argument("--cursor", help="next_cursor of a previous page")
    parser.add_argument("--all", action="store_true", help="every record, as NDJSON")
    parser.add_argument("--no-remote-data", action="store_true", help="leave out remote_data")
    add_connection_arguments(parser)
    parser.add_argument("--explain", action="store_true", help="print the requests; send nothing")
    parser.set_defaults(handler=run)


def add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    """`--api-key`, `--credential`, `--account`, `--base-url`, `--setting`, `--mappings`."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--api-key", help="the provider's API key (credential `api_key`)")
    group.add_argument(
        "--credential", action="append", default=[], metavar="NAME=VALUE", help="a credential"
    )
    group.add_argument("--account", metavar="ID", help="a linked account (see `unimap accounts`)")
    parser.add_argument("--base-url", help="another base URL (e.g. the sandbox's)")
    parser.add_argument(
        "--setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a connection setting declared by the provider (repeatable)",
    )
    add_mappings_argument(parser)


def parse_pairs(pairs: Sequence[str], what: str) -> dict[str, str]:
    """`KEY=VALUE` arguments as a dict; a malformed one is a validation error naming it."""
    parsed: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValidationError(f"{what} '{pair}' is not KEY=VALUE")
        parsed[key] = value
    return parsed


def read_body(text: str | None) -> Any:
    """`--body` as JSON, inline or `@FILE`."""
    if text is None:
        return None
    if text.startswith("@"):
        try:
            text = Path(text[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            raise ValidationError(f"cannot read body file: {exc.strerror}") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ValidationError(f"--body is not valid JSON: {exc}") from None


def open_connection(args: argparse.Namespace) -> Any:
    """A connection from `--account`, or from `--api-key`/`--credential` (+ `--base-url`),
    with the `--setting` values (over an account's stored settings)."""
    engine = load_engine(args)
    settings = parse_pairs(args.setting, "--setting")
    if args.account:
        from engine.accounts import default_store
        from engine.linking import connect_account

        return connect_account(engine, default_store(), args.account, settings=settings)
    credentials = parse_pairs(args.credential, "--credential")
    if args.api_key:
        credentials["api_key"] = args.api_key
    if not credentials:
        raise ConfigurationError("give --api-key KEY, --credential NAME=VALUE or --account ID")
    return engine.connect(
        args.provider, credentials=credentials, base_url=args.base_url, settings=settings
    )


def print_error(error: UnimapError) -> int:
    """The unified error as JSON on stderr; returns exit code 1."""
    print(json.dumps(error.to_dict(), indent=2, default=str), file=sys.stderr)
    return 1


def run(args: argparse.Namespace) -> int:
    """Run the call and print its result."""
    try:
        query: dict[str, Any] = parse_pairs(args.query, "--query")
        if args.limit is not None:
            query["limit"] = args.limit
        if args.cursor:
            query["next_cursor"] = args.cursor
        body = read_body(args.body)
        with open_connection(args) as connection:
            if args.explain:
                explained = connection.explain(args.resource, args.method, args.id, query, body)
                print(json.dumps(explained, indent=2))
                return 0
            remote = not args.no_remote_data
            if args.all:
                return _stream(connection, args.resource, query, remote)
            result = connection.call(
                args.resource, args.method, args.id, query or None, body, remote_data=remote
            )
            print(json.dumps(result, indent=2, ensure_ascii=False))
            return 0
    except UnimapError as error:
        return print_error(error)


CHUNK_BYTES = 1 << 16
"""`--all` writes its lines in chunks of about this size, and the rest of each page when the
page is done (one write per record is one system call when stdout is unbuffered, as with
`PYTHONUNBUFFERED`)."""


def _stream(connection: Any, resource: str, query: dict[str, Any], remote_data: bool) -> int:
    """Every record as one compact JSON line (`engine.jsonio.dumps_line`, UTF-8)."""
    from engine.jsonio import dumps_line

    progress = sys.stderr.isatty()
    count = 0
    sys.stdout.flush()
    binary = getattr(sys.stdout, "buffer", None)
    write = binary.write if binary is not None else _text_writer(sys.stdout)
    for page in connection.pages(resource, query, remote_data=remote_data):
        chunk: list[bytes] = []
        size = 0
        for record in page:
            line = dumps_line(record)
            chunk.append(line)
            size += len(line)
            if size >= CHUNK_BYTES:
                write(b"".join(chunk))
                chunk, size = [], 0
        if chunk:
            write(b"".join(chunk))
        count += len(page)
        del page, chunk  # not kept alive while the next page is read
        if progress:
            print(f"\r{count} records…", end="", file=sys.stderr, flush=True)
    sys.stdout.flush()
    if progress:
        print(f"\r{count} records.", file=sys.stderr)
    return 0


def _text_writer(stream: Any) -> Any:
    """A writer of UTF-8 bytes to a text-only stream (one without `buffer`)."""
    return lambda data: stream.write(data.decode("utf-8", "surrogatepass"))
