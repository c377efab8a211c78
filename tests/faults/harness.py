"""The fault suite: list 20,000 contacts and bulk-upsert 5,000 under injected faults.

Each scenario runs against a fresh in-process simulator with one fault SPEC
(`simulators.core.faults`) and checks, against the simulator's own state, that every record
was read exactly once and every write applied (net) exactly once.

Time. The engine and the simulator share one `SharedFakeClock`: every wait of the engine (rate
limiter pacing, retry backoff, `Retry-After`) advances fake time instantly, and the simulator's
rate-limit windows follow that same fake time. So the real MailerLite limits (120/min overall,
5/min for upsert-only batches) stay in force on both sides and a run that would take half an
hour of wall time takes a few seconds. `slow` faults really sleep (the delay is kept tiny).

Used by `tests/faults/` and by `benchmarks/fault_suite.py` (table + JSON).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from engine.accounts import MemoryAccountStore
from engine.api import Engine
from engine.linking import aconnect_account, connect_account, link_account
from engine.run.clock import FakeClock
from engine.run.retry import RetryPolicy
from simulators.core.faults import APPLIED_KINDS
from simulators.mailerlite import IN_PROCESS_BASE_URL, SimRequest, SimResponse, Simulator

CONTACTS = 20_000
UPSERTS = 5_000
PAGE_SIZE = 500
TOKEN = "fault-suite-token"

POLICY = RetryPolicy(base_delay=0.001, max_delay=0.05, max_attempts=8, max_total=24 * 3600.0)
"""Tiny backoff, eight attempts; `max_total` is generous because pacing (fake) time counts."""


@dataclass(frozen=True)
class Scenario:
    """One run: a name, a fault SPEC and the simulator seed (fault sequence)."""

    name: str
    faults: str
    seed: int = 7
    mode: str = "sync"
    expect: tuple[str, ...] = ()
    """Fault kinds that must actually have been injected (the run is pointless otherwise)."""


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("none", "", expect=()),
    Scenario("429 bursts", "429burst:0.08x3", expect=("429burst",)),
    Scenario(
        "5xx bursts", "500:0.07,502:0.06,503:0.06,504:0.06", expect=("500", "502", "503", "504")
    ),
    Scenario("slow", "slow:0.3@0.0005", expect=("slow",)),
    Scenario("malformed", "malformed:0.25", expect=("malformed",)),
    Scenario("truncated", "truncate:0.25", expect=("truncate",)),
    Scenario("dropped", "drop:0.25", expect=("drop",)),
    Scenario("dropped after apply", "drop_after_apply:0.25", expect=("drop_after_apply",)),
    Scenario(
        "mixed",
        "500:0.03,502:0.03,503:0.03,504:0.03,slow:0.04@0.0005,malformed:0.03,truncate:0.03,"
        "drop:0.03,drop_after_apply:0.03,429burst:0.03x3",
        expect=("500", "slow", "malformed", "truncate", "drop", "drop_after_apply", "429burst"),
    ),
    Scenario(
        "mixed (async)",
        "500:0.03,502:0.03,503:0.03,504:0.03,slow:0.04@0.0005,malformed:0.03,truncate:0.03,"
        "drop:0.03,drop_after_apply:0.03,429burst:0.03x3",
        seed=11,
        mode="async",
        expect=("500", "malformed", "truncate", "drop", "drop_after_apply", "429burst"),
    ),
)


class SharedFakeClock(FakeClock):
    """The engine's auto-advancing `FakeClock`, also usable as the simulator's clock."""

    START = datetime(2025, 1, 1, tzinfo=UTC)

    def utcnow(self) -> datetime:
        """Wall-clock time: a fixed start plus the fake seconds elapsed."""
        return self.START + timedelta(seconds=self.monotonic())


class CountingSimulator(Simulator):
    """A simulator that counts, per email, the upserts its batch handler really applied."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.applied: Counter[str] = Counter()
        self._count_lock = threading.Lock()

    def handle(self, request: SimRequest) -> SimResponse:
        """Answer as usual; note which upserts of a batch were applied."""
        with self._count_lock:
            before = dict(self.faults.counts)
            response = super().handle(request)
            injected = [k for k, n in self.faults.counts.items() if n != before[k]]
            handled = not injected or injected[0] in APPLIED_KINDS
            if (
                handled
                and request.method.upper() == "POST"
                and request.path.rstrip("/").endswith("/batch")
                and response.status == 200
            ):
                subs = json.loads(request.body)["requests"]
                answers = json.loads(response.body)["responses"]
                for sub, answer in zip(subs, answers, strict=True):
                    if answer["code"] in (200, 201):
                        self.applied[str(sub["body"]["email"]).lower()] += 1
            return response


@dataclass
class ScenarioResult:
    """What one scenario did and found."""

    name: str
    faults_spec: str
    mode: str
    faults: dict[str, int]
    attempts: int
    retries: dict[str, int]
    retries_total: int
    gave_up: dict[str, int]
    records_expected: int
    records_read: int
    records_read_distinct: int
    read_duplicates: int
    read_losses: int
    writes_requested: int
    writes_acknowledged: int
    writes_applied_distinct: int
    writes_reapplied: int
    write_duplicates: int
    write_losses: int
    field_mismatches: int
    fake_seconds: float
    real_seconds: float
    failed_items: list[Any] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """No duplicate, no loss, no wrong field, nothing given up."""
        return not (
            self.read_duplicates
            or self.read_losses
            or self.write_duplicates
            or self.write_losses
            or self.field_mismatches
            or self.failed_items
            or self.records_read != self.records_expected
            or self.writes_acknowledged != self.writes_requested
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        data = asdict(self)
        data["clean"] = self.clean
        return data


def contacts_to_write(count: int = UPSERTS) -> list[dict[str, Any]]:
    """The unified contacts the suite upserts (new emails, names and a custom field)."""
    return [
        {
            "email": f"fault-{i:05d}@example.org",
            "first_name": f"First{i}",
            "last_name": f"Last{i % 97}",
            "custom_fields": {"loyalty_tier": f"tier-{i % 7}"},
        }
        for i in range(count)
    ]


def _engine(clock: SharedFakeClock) -> Engine:
    return Engine(Engine.load().providers, retry_policy=POLICY, clock=clock)


def run_scenario(
    scenario: Scenario, *, contacts: int = CONTACTS, upserts: int = UPSERTS
) -> ScenarioResult:
    """Run one scenario from a fresh simulator and return its figures."""
    started = time.perf_counter()
    clock = SharedFakeClock()
    sim = CountingSimulator(
        seed=scenario.seed, token=TOKEN, faults=scenario.faults or None, clock=clock
    )
    sim.seed_data(subscribers=contacts, groups=0, segments=0)
    with sim.lock:
        expected_ids = [str(sid) for sid in sim.state.order]
        seeded = len(sim.state.subscribers)
    engine = _engine(clock)
    store = MemoryAccountStore()
    account = link_account(
        engine,
        store,
        "mailerlite",
        {"api_key": TOKEN},
        label=f"fault suite: {scenario.name}",
        base_url=IN_PROCESS_BASE_URL,
        transport=sim.transport(),
    )
    items = contacts_to_write(upserts)
    if scenario.mode == "async":
        read, results, stats = asyncio.run(_run_async(engine, store, account.id, sim, items))
    else:
        with connect_account(engine, store, account.id, transport=sim.transport()) as connection:
            read = [r["id"] for r in connection.iterate("contacts", {"limit": PAGE_SIZE})]
            results = connection.contacts.bulk_upsert(items)["result"]
            stats = connection.stats.snapshot()
    sim.close()
    return _figures(
        scenario, sim, expected_ids, seeded, read, items, results, stats, clock, started
    )


async def _run_async(
    engine: Engine, store: MemoryAccountStore, account_id: str, sim: Simulator, items: list[Any]
) -> tuple[list[str], list[Any], dict[str, Any]]:
    connection = aconnect_account(engine, store, account_id, transport=sim.transport())
    async with connection:
        read = [r["id"] async for r in connection.iterate("contacts", {"limit": PAGE_SIZE})]
        results = (await connection.contacts.bulk_upsert(items))["result"]
        return read, results, connection.stats.snapshot()


def _figures(
    scenario: Scenario,
    sim: CountingSimulator,
    expected_ids: list[str],
    seeded: int,
    read: list[str],
    items: list[dict[str, Any]],
    results: list[Any],
    stats: dict[str, Any],
    clock: SharedFakeClock,
    started: float,
) -> ScenarioResult:
    read_counts = Counter(read)
    expected = set(expected_ids)
    read_duplicates = sum(n - 1 for n in read_counts.values() if n > 1)
    read_losses = len(expected - set(read_counts)) + len(set(read_counts) - expected)
    failed = [r for r in results if not (isinstance(r, dict) and r.get("success"))]
    mismatches = 0
    with sim.lock:
        state = sim.state
        stored_emails = Counter(s.email.lower() for s in state.subscribers.values())
        for item in items:
            sub = state.by_email.get(item["email"])
            if sub is None:
                continue
            fields = sub.fields
            if (
                fields.get("name") != item["first_name"]
                or fields.get("last_name") != item["last_name"]
                or fields.get("loyalty_tier") != item["custom_fields"]["loyalty_tier"]
            ):
                mismatches += 1
        total_stored = len(state.subscribers)
    wanted = [item["email"] for item in items]
    write_losses = sum(1 for email in wanted if stored_emails[email] == 0)
    write_duplicates = sum(n - 1 for n in stored_emails.values() if n > 1)
    write_duplicates += max(0, total_stored - seeded - len(set(wanted)))
    applied = sim.applied
    retries = stats.get("retries", {})
    gave_up = stats.get("gave_up", {})
    return ScenarioResult(
        name=scenario.name,
        faults_spec=scenario.faults or "none",
        mode=scenario.mode,
        faults=sim.fault_counts,
        attempts=int(stats.get("attempts", 0)),
        retries=dict(retries) if isinstance(retries, dict) else {},
        retries_total=int(stats.get("retries_total", 0)),
        gave_up=dict(gave_up) if isinstance(gave_up, dict) else {},
        records_expected=len(expected_ids),
        records_read=len(read),
        records_read_distinct=len(read_counts),
        read_duplicates=read_duplicates,
        read_losses=read_losses,
        writes_requested=len(items),
        writes_acknowledged=len(results) - len(failed),
        writes_applied_distinct=sum(1 for email in wanted if applied[email] > 0),
        writes_reapplied=sum(applied[email] - 1 for email in wanted if applied[email] > 1),
        write_duplicates=write_duplicates,
        write_losses=write_losses,
        field_mismatches=mismatches,
        fake_seconds=round(clock.monotonic(), 3),
        real_seconds=round(time.perf_counter() - started, 3),
        failed_items=failed[:5],
    )


# --------------------------------------------------------------------------- report

_HEADERS = (
    "scenario",
    "faults injected",
    "attempts",
    "retries",
    "read",
    "dup r",
    "lost r",
    "written",
    "re-applied",
    "dup w",
    "lost w",
    "fake s",
    "real s",
)


def _faults_text(faults: dict[str, int]) -> str:
    return " ".join(f"{kind}={n}" for kind, n in sorted(faults.items())) or "-"


def report_rows(results: Sequence[ScenarioResult]) -> list[tuple[str, ...]]:
    """One row of the report table per scenario, plus a totals row."""
    rows = [
        (
            r.name,
            _faults_text(r.faults),
            str(r.attempts),
            str(r.retries_total),
            f"{r.records_read_distinct}/{r.records_expected}",
            str(r.read_duplicates),
            str(r.read_losses),
            f"{r.writes_acknowledged}/{r.writes_requested}",
            str(r.writes_reapplied),
            str(r.write_duplicates),
            str(r.write_losses),
            f"{r.fake_seconds:.0f}",
            f"{r.real_seconds:.1f}",
        )
        for r in results
    ]
    totals: Counter[str] = Counter()
    for r in results:
        totals.update(r.faults)
    rows.append(
        (
            "TOTAL",
            _faults_text(dict(totals)),
            str(sum(r.attempts for r in results)),
            str(sum(r.retries_total for r in results)),
            str(sum(r.records_read_distinct for r in results)),
            str(sum(r.read_duplicates for r in results)),
            str(sum(r.read_losses for r in results)),
            str(sum(r.writes_acknowledged for r in results)),
            str(sum(r.writes_reapplied for r in results)),
            str(sum(r.write_duplicates for r in results)),
            str(sum(r.write_losses for r in results)),
            f"{sum(r.fake_seconds for r in results):.0f}",
            f"{sum(r.real_seconds for r in results):.1f}",
        )
    )
    return rows


def report_table(results: Sequence[ScenarioResult]) -> str:
    """The report as a fixed-width text table."""
    rows = [_HEADERS, *report_rows(results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_HEADERS))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def report_json(results: Sequence[ScenarioResult]) -> str:
    """The report as JSON (every figure of every scenario)."""
    return json.dumps(
        {
            "contacts_listed": CONTACTS,
            "contacts_upserted": UPSERTS,
            "page_size": PAGE_SIZE,
            "retry_policy": {
                "base_delay": POLICY.base_delay,
                "max_delay": POLICY.max_delay,
                "max_attempts": POLICY.max_attempts,
            },
            "scenarios": [r.to_dict() for r in results],
        },
        indent=2,
    )
