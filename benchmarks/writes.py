"""The CPU side of writes: 5,000 contact upserts built, engine vs hand-written (no I/O).

    python -m benchmarks.writes [--contacts 5000] [--repeats 3] [--json]

For every provider in `mappings/`, each unified contact (email, names, status, one custom
field) becomes the provider request(s) an upsert sends:

* engine: `preview_write` on the connection's `contacts.upsert` context — the unified body
  validated against the schema and the provider's refused and unsupported fields, then the
  `before` requests and the main request built from the mapping (what `upsert` does before
  it sends; the account's custom-field definitions are not read);
* hand: a plain-Python body per provider, as a developer would write it, without validation.

MailerLite also sends bulk upserts through its batch endpoint: both sides then group the
5,000 requests into batch bodies of 50 (`POST /batch`, `{"requests": [...]}`).

Before timing, every engine body is compared with the hand body. Best of `--repeats`,
in this process. Ratios are hand time / engine time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

from engine.api import Engine
from engine.plan.batch import _batch_request  # the batch body the bulk plan sends
from engine.plan.writes import preview_write

Body = dict[str, Any]
CONNECT: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "mailerlite": ({"api_key": "k"}, {}),
    "mailchimp": ({"api_key": "k-us21"}, {"list_id": "L1"}),
    "brevo": ({"api_key": "k"}, {}),
    "kit": ({"api_key": "k"}, {}),
}


def contacts(count: int) -> list[Body]:
    """`count` form-like unified contacts."""
    return [
        {
            "email": f"Person.{i}@Example.com",
            "first_name": f"First{i}",
            "last_name": f"Last{i}",
            "status": "active",
            "custom_fields": {"company": f"Company {i % 97}"},
        }
        for i in range(count)
    ]


def _mailerlite(c: Body) -> list[tuple[str, str, Body]]:
    fields = {**c["custom_fields"], "name": c["first_name"], "last_name": c["last_name"]}
    return [("POST", "/subscribers", {"email": c["email"], "fields": fields, "status": "active"})]


def _mailchimp(c: Body) -> list[tuple[str, str, Body]]:
    merge = {**c["custom_fields"], "FNAME": c["first_name"], "LNAME": c["last_name"]}
    member = hashlib.md5(c["email"].strip().lower().encode()).hexdigest()
    return [
        ("PATCH", f"/lists/L1/members/{member}", {"status": "subscribed", "merge_fields": merge}),
        ("POST", "/lists/L1/members",
         {"email_address": c["email"], "merge_fields": merge, "status": "subscribed"}),
    ]


def _brevo(c: Body) -> list[tuple[str, str, Body]]:
    attributes = {**c["custom_fields"], "FIRSTNAME": c["first_name"], "LASTNAME": c["last_name"]}
    body = {"email": c["email"], "attributes": attributes, "emailBlacklisted": False,
            "updateEnabled": True}
    return [("POST", "/contacts", body)]


def _kit(c: Body) -> list[tuple[str, str, Body]]:
    fields = {**c["custom_fields"], "last_name": c["last_name"]}
    body = {"email_address": c["email"], "first_name": c["first_name"], "state": "active",
            "fields": fields}
    return [("POST", "/subscribers", body)]


HAND: dict[str, Callable[[Body], list[tuple[str, str, Body]]]] = {
    "mailerlite": _mailerlite, "mailchimp": _mailchimp, "brevo": _brevo, "kit": _kit,
}


def hand_batches(requests: list[tuple[str, str, Body]], size: int = 50) -> list[Body]:
    """MailerLite's batch bodies, by hand."""
    return [
        {"requests": [{"method": m, "path": "api" + p, "body": b}
                      for m, p, b in requests[start : start + size]]}
        for start in range(0, len(requests), size)
    ]


def _engine_run(ctx: Any, bodies: list[Body]) -> list[Any]:
    built = []
    for body in bodies:
        prepared = preview_write(ctx, None, body)
        built += [request for request, _ in prepared.before]
        built.append(prepared.request)
    return built


def _shape(requests: list[Any]) -> list[tuple[str, str, Any]]:
    return [(r.method, r.path, r.body) for r in requests]


def _best(run: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def measure(provider: str, bodies: list[Body], repeats: int) -> dict[str, Any]:
    """Check, then time building every upsert (and MailerLite's batches)."""
    credentials, settings = CONNECT[provider]
    connection = Engine.load().connect(provider, credentials, settings=settings)
    ctx = connection.context("contacts", "upsert")
    hand = HAND[provider]
    mine = _engine_run(ctx, bodies)
    theirs = [request for body in bodies for request in hand(body)]
    if _shape(mine) != theirs:
        raise SystemExit(f"{provider}: the hand-written upsert bodies differ from the engine's")
    figures = {"upserts": {
        "engine": _best(lambda: _engine_run(ctx, bodies), repeats),
        "hand": _best(lambda: [hand(body) for body in bodies], repeats),
    }}
    if connection.session.mapping.provider.batch is not None:
        def engine_batches() -> list[Any]:
            built = _engine_run(ctx, bodies)
            return [_batch_request(ctx, built[i : i + 50], "bench").body
                    for i in range(0, len(built), 50)]

        def batches_by_hand() -> list[Body]:
            return hand_batches([r for body in bodies for r in hand(body)])

        if engine_batches() != batches_by_hand():
            raise SystemExit(f"{provider}: the hand-written batch bodies differ from the engine's")
        figures["upserts and batches"] = {
            "engine": _best(engine_batches, repeats), "hand": _best(batches_by_hand, repeats),
        }
    return figures


def main(argv: list[str] | None = None) -> int:
    """Measure every provider; print a line each (or one JSON line with `--json`)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    bodies = contacts(args.contacts)
    figures: dict[str, Any] = {}
    for provider in CONNECT:
        for name, fig in measure(provider, bodies, args.repeats).items():
            fig["ratio"] = round(fig["hand"] / fig["engine"], 3)
            figures[f"{provider} {name}"] = fig
    if args.json:
        print(json.dumps(figures))
    else:
        for name, fig in figures.items():
            print(f"{name:34}{fig['engine']:>10.3f}{fig['hand']:>10.3f}{fig['ratio']:>8.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
