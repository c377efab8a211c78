"""Pre-built provider pages for the replay server: every page of a contact listing, recorded once.

Each provider's simulator is seeded in process (rate limits off) and the engine lists every
contact through it with a recording transport. Every request the listing made is kept with
its response as ready-to-send HTTP/1.1 bytes, keyed by `request_key` (method, path and the
sorted query without credentials), so `benchmarks/replay_server.py` answers each request with
one dict look-up and one write.

    python -m benchmarks.pages PROVIDER CONTACTS OUT.pickle
"""

from __future__ import annotations

import importlib
import json
import pickle
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

PROVIDERS = ("mailerlite", "mailchimp", "brevo", "kit")
PAGE_SIZE = 1000
AUTH_PARAMS: frozenset[str] = frozenset()  # no bundled provider puts its key in the query
KEPT_HEADERS = ("content-type",)
"""Response headers replayed (the rate-limit headers of a limit-free simulator are left out)."""


@dataclass(frozen=True)
class Bench:
    """How the benchmark lists one provider's contacts."""

    provider: str
    prefix: str
    """The base URL's path (the replay server serves the same paths as the simulator)."""
    credentials: dict[str, str]
    query: dict[str, Any] = field(default_factory=dict)
    """The unified list query besides `limit` (e.g. Mailchimp's audience)."""


def request_key(method: str, target: str) -> str:
    """`METHOD path?a=1&b=2`: the query pairs sorted, credentials left out."""
    parts = urlsplit(target)
    pairs = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in AUTH_PARAMS
    )
    query = "&".join(f"{k}={v}" for k, v in pairs)
    return f"{method} {parts.path}?{query}"


def _module(provider: str) -> Any:
    return importlib.import_module(f"simulators.{provider}.simulator")


def simulator(provider: str, contacts: int) -> Any:
    """A seeded simulator without rate limits (Mailchimp: one audience holds every member)."""
    module = _module(provider)
    if provider == "mailerlite":
        sim = module.Simulator(seed=1, rate_limit=None, import_limit=None)
        return sim.seed_data(subscribers=contacts, groups=5, segments=0)
    if provider == "mailchimp":
        sim = module.Simulator(seed=1, max_connections=None)
        return sim.seed_data(members=contacts, audiences=1, segments=0)
    if provider == "brevo":
        return module.Simulator(seed=1, rate_limit=None).seed_data(
            contacts=contacts, lists=5, segments=0
        )
    sim = module.Simulator(seed=1, rate_limit=None, oauth_rate_limit=None)
    return sim.seed_data(subscribers=contacts, tags=5, segments=0)


def in_process_base_url(provider: str) -> str:
    """The base URL the provider's simulator answers in process."""
    return str(_module(provider).IN_PROCESS_BASE_URL)


def bench_for(provider: str, sim: Any | None = None) -> Bench:
    """The benchmark's view of a provider (Mailchimp needs the seeded audience's id)."""
    module = _module(provider)
    prefix = urlsplit(module.IN_PROCESS_BASE_URL).path
    credentials = {"api_key": module.DEFAULT_TOKEN}
    query: dict[str, Any] = {}
    if provider == "mailchimp":
        assert sim is not None
        query["list_id"] = next(iter(sim.state.audiences))
    return Bench(provider, prefix, credentials, query)


class _Recorder(httpx.BaseTransport):
    """Passes requests to the simulator and keeps each response as raw HTTP bytes."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.pages: dict[str, bytes] = {}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        body = response.read()
        target = request.url.raw_path.decode("ascii")
        head = [f"HTTP/1.1 {response.status_code} {response.reason_phrase}"]
        head += [f"{k}: {response.headers[k]}" for k in KEPT_HEADERS if k in response.headers]
        head.append(f"content-length: {len(body)}")
        self.pages[request_key(request.method, target)] = (
            "\r\n".join(head).encode("ascii") + b"\r\n\r\n" + body
        )
        return response


def record(provider: str, contacts: int) -> tuple[Bench, dict[str, bytes]]:
    """List every contact of a seeded simulator through the engine; the pages it fetched."""
    from engine.api import Engine
    from engine.run.clock import FakeClock
    from simulators.core.transport import SimulatorTransport

    sim = simulator(provider, contacts)
    bench = bench_for(provider, sim)
    recorder = _Recorder(SimulatorTransport(sim))
    engine = Engine.load(clock=FakeClock())
    base_url = in_process_base_url(provider)
    with engine.connect(provider, bench.credentials, base_url, transport=recorder) as conn:
        count = sum(1 for _ in conn.iterate("contacts", {**bench.query, "limit": PAGE_SIZE}))
    if count != contacts:
        raise SystemExit(f"{provider}: the engine listed {count} contacts, expected {contacts}")
    return bench, recorder.pages


def write_pages(provider: str, contacts: int, out: Path) -> None:
    """Record and write `{"bench": Bench fields, "pages": {key: bytes}}` to `out` (pickle),
    and the Bench fields alone beside it (`read_bench`)."""
    bench, pages = record(provider, contacts)
    out.write_bytes(pickle.dumps({"bench": asdict(bench), "pages": pages}, protocol=5))
    _bench_path(out).write_text(json.dumps(asdict(bench)), encoding="utf-8")


def _bench_path(pages: Path) -> Path:
    return pages.with_suffix(".bench.json")


def read_bench(path: Path) -> Bench:
    """The Bench of a pages file, without loading its pages (the measuring process stays
    small: a child forked from it starts with its memory counted in its peak RSS)."""
    return Bench(**json.loads(_bench_path(path).read_text(encoding="utf-8")))


def read_pages(path: Path) -> tuple[Bench, dict[str, bytes]]:
    """What `write_pages` wrote (the benchmark's own temporary file)."""
    data = pickle.loads(path.read_bytes())
    return Bench(**data["bench"]), data["pages"]


def main(argv: list[str]) -> int:
    """`python -m benchmarks.pages PROVIDER CONTACTS OUT`."""
    provider, contacts, out = argv
    write_pages(provider, int(contacts), Path(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
